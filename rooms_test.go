package rocketchat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

func TestRoom(t *testing.T) {
	want := func(t *testing.T) *rocketchat.Room {
		return &rocketchat.Room{
			ID: "66ed2dba40141d95f32c292b", Type: "p", Name: "new-channel", DisplayName: "new-channel",
			UsersCount: 2, MessagesCount: 3,
			Creator:   rocketchat.UserRef{ID: "C38WSSzrGd2NCjzqJ", Username: "test.cat", Name: "test.cat"},
			CreatedAt: at(t, "2024-09-20T08:09:30.417Z"), UpdatedAt: at(t, "2024-09-20T12:29:08.284Z"),
			LastMessageAt: at(t, "2024-09-20T12:27:53.356Z"),
		}
	}
	for _, tt := range []struct {
		name  string
		call  func(*rocketchat.Client) (*rocketchat.Room, error)
		query url.Values
	}{
		{"by ID", func(c *rocketchat.Client) (*rocketchat.Room, error) {
			return c.Room(context.Background(), "66ed2dba40141d95f32c292b")
		}, url.Values{"roomId": {"66ed2dba40141d95f32c292b"}}},
		{"by name", func(c *rocketchat.Client) (*rocketchat.Room, error) {
			return c.RoomByName(context.Background(), "new-channel")
		}, url.Values{"roomName": {"new-channel"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.answer("v1/rooms.info", http.StatusOK, "rooms_info.json")
			got, err := tt.call(f.client())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want(t), got); diff != "" {
				t.Errorf("room (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]sentRequest{wantGet("v1/rooms.info", tt.query)}, f.sent()); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRooms(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/rooms.get", http.StatusOK, "rooms_get.json")
	got, err := f.client().Rooms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []rocketchat.Room{{
		ID: "GENERAL", Type: "c", Name: "general", MessagesCount: 55, UsersCount: 36, Default: true,
		Creator:   rocketchat.UserRef{ID: "rocket.cat", Username: "rocket.cat", Name: "Rocket.Cat"},
		CreatedAt: at(t, "2024-02-14T14:34:49.365Z"), UpdatedAt: at(t, "2024-07-16T08:49:34.732Z"), LastMessageAt: at(t, "2024-07-11T11:32:11.220Z"),
	}, {
		ID: "WbYJfC5kTArcECGkpfZ3bvXC72pobjFPLJ", Type: "d", Usernames: []string{"user2", "user1"}, UsersCount: 2, MessagesCount: 2,
		CreatedAt: at(t, "2024-07-10T13:48:14.998Z"), UpdatedAt: at(t, "2024-07-10T13:48:28.300Z"), LastMessageAt: at(t, "2024-07-10T13:48:28.262Z"),
	}, {
		ID: "fZ3bvXC72pobjFPLJrocket.cat", Type: "d", Usernames: []string{"user1", "rocket.cat"}, UsersCount: 2, MessagesCount: 15,
		CreatedAt: at(t, "2024-02-21T02:00:01.657Z"), UpdatedAt: at(t, "2024-07-17T02:00:05.203Z"), LastMessageAt: at(t, "2024-07-17T02:00:05.161Z"),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Rooms (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]sentRequest{wantGet("v1/rooms.get", url.Values{})}, f.sent()); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestCreateDirectMessage(t *testing.T) {
	for _, tt := range []struct {
		name, file string
		usernames  []string
		body       string
		want       rocketchat.Room
	}{
		{"5.x answer, one user", "im_create_5x.json", []string{"rocket.cat"}, `{"username":"rocket.cat"}`,
			rocketchat.Room{ID: "PMrDaS4axRqkjY7errocket.cat", Type: "d", Usernames: []string{"g1", "rocket.cat"}}},
		{"8.x answer, several users", "im_create_8x.json", []string{"user1", "user2"}, `{"usernames":"user1,user2"}`,
			rocketchat.Room{ID: "WbYJfC5kTArcECGkpfZ3bvXC72pobjFPLJ", Type: "d", Usernames: []string{"user1", "user2"}, UsersCount: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.answer("v1/im.create", http.StatusOK, tt.file)
			got, err := f.client().CreateDirectMessage(context.Background(), tt.usernames...)
			if err != nil {
				t.Fatal(err)
			}
			if tt.file == "im_create_8x.json" {
				tt.want.CreatedAt, tt.want.UpdatedAt = at(t, "2024-07-10T13:48:14.998Z"), at(t, "2024-07-10T13:48:28.300Z")
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("CreateDirectMessage (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]sentRequest{wantPost("v1/im.create", tt.body)}, f.sent()); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoomErrorForms(t *testing.T) {
	for _, tt := range []struct {
		name, endpoint, file string
		status               int
		call                 func(*rocketchat.Client) error
		typ                  string
	}{
		{"rooms.info", "v1/rooms.info", "error_rooms_info_param.json", 400,
			func(c *rocketchat.Client) error { _, err := c.Room(context.Background(), "x"); return err }, "error-roomid-param-not-provided"},
		{"im.create", "v1/im.create", "error_im_create_invalid_user.json", 400,
			func(c *rocketchat.Client) error {
				_, err := c.CreateDirectMessage(context.Background(), "nobody")
				return err
			}, "error-invalid-user"},
		{"rooms.get 401", "v1/rooms.get", "error_401_5x.json", 401,
			func(c *rocketchat.Client) error { _, err := c.Rooms(context.Background()); return err }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.answer(tt.endpoint, tt.status, tt.file)
			err := tt.call(f.client())
			var e *rocketchat.Error
			if !errors.As(err, &e) || e.StatusCode != tt.status || e.Type != tt.typ {
				t.Errorf("err = %#v, want status %d type %q", err, tt.status, tt.typ)
			}
		})
	}
}

// channelItems returns n channels shaped like channels.list's items.
func channelItems(n int) []map[string]any {
	items := make([]map[string]any, n)
	for i := range items {
		items[i] = map[string]any{
			"_id": "ch" + itoa(i), "fname": "channel-" + itoa(i), "name": "channel-" + itoa(i), "t": "c",
			"_updatedAt": "2024-03-22T13:40:59.620Z", "customFields": map[string]any{}, "topic": "", "broadcast": false,
			"encrypted": false, "msgs": 0, "usersCount": 1, "ts": "2024-03-22T13:40:59.577Z", "ro": false, "default": false, "sysMes": true,
			"u": map[string]any{"_id": "GdEsNbLxzoBgG8XoQ", "username": "apiadmin", "name": "apiadmin"},
		}
	}
	return items
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// pagedHandler answers count/offset pages of items under key, with the
// total when withTotal, as the server's list endpoints do.
func pagedHandler(t *testing.T, key string, items []map[string]any, withTotal bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var count, offset int
		if err := json.Unmarshal([]byte(r.URL.Query().Get("count")), &count); err != nil {
			t.Errorf("count: %v", err)
		}
		if err := json.Unmarshal([]byte(r.URL.Query().Get("offset")), &offset); err != nil {
			t.Errorf("offset: %v", err)
		}
		end := min(offset+count, len(items))
		page := items[min(offset, end):end]
		answer := map[string]any{key: page, "success": true}
		if withTotal {
			answer["count"], answer["offset"], answer["total"] = len(page), offset, len(items)
		}
		body, _ := json.Marshal(answer)
		writeJSON(w, 200, body)
	}
}

func pageQueries(reqs []sentRequest) []string {
	var qs []string
	for _, r := range reqs {
		qs = append(qs, r.Query.Encode())
	}
	return qs
}

func TestChannelsPaging(t *testing.T) {
	for _, tt := range []struct {
		name      string
		n         int
		withTotal bool
		queries   []string
	}{
		{"250 with total", 250, true, []string{"count=100&offset=0", "count=100&offset=100", "count=100&offset=200"}},
		{"200 with total: no empty third page", 200, true, []string{"count=100&offset=0", "count=100&offset=100"}},
		{"200 without total: a short page ends it", 200, false, []string{"count=100&offset=0", "count=100&offset=100", "count=100&offset=200"}},
		{"none", 0, true, []string{"count=100&offset=0"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("v1/channels.list", pagedHandler(t, "channels", channelItems(tt.n), tt.withTotal))
			var ids []string
			for room, err := range f.client().Channels(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, room.ID)
			}
			if len(ids) != tt.n || (tt.n > 0 && (ids[0] != "ch0" || ids[tt.n-1] != "ch"+itoa(tt.n-1))) {
				t.Errorf("got %d channels (%v...)", len(ids), ids[:min(3, len(ids))])
			}
			if diff := cmp.Diff(tt.queries, pageQueries(f.sent())); diff != "" {
				t.Errorf("pages asked (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChannelsItem(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/channels.list", http.StatusOK, "channels_list.json")
	var got []rocketchat.Room
	for room, err := range f.client().Channels(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, room)
	}
	// The answer says total 3 but holds a short page of 2: the walk ends.
	want := []rocketchat.Room{{
		ID: "GENERAL", Type: "c", Name: "general", MessagesCount: 6, UsersCount: 6, Default: true,
		Creator:   rocketchat.UserRef{ID: "rocket.cat", Username: "rocket.cat", Name: "Rocket.Cat"},
		CreatedAt: at(t, "2024-02-14T14:34:49.365Z"), UpdatedAt: at(t, "2024-03-26T17:40:18.321Z"),
	}, {
		ID: "65fd8a6bf581e473b56471ba", Type: "c", Name: "test-channel", DisplayName: "test-channel", UsersCount: 1,
		Creator:   rocketchat.UserRef{ID: "GdEsNbLxzoBgG8XoQ", Username: "apiadmin", Name: "apiadmin"},
		CreatedAt: at(t, "2024-03-22T13:40:59.577Z"), UpdatedAt: at(t, "2024-03-22T13:40:59.620Z"),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Channels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]sentRequest{wantGet("v1/channels.list", url.Values{"count": {"100"}, "offset": {"0"}})}, f.sent()); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

// TestChannelsBreak sends no request after the caller stops.
func TestChannelsBreak(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("v1/channels.list", pagedHandler(t, "channels", channelItems(1000), true))
	n := 0
	for _, err := range f.client().Channels(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 150 {
			break
		}
	}
	if got := len(f.sent()); got != 2 {
		t.Errorf("%d requests for 150 items, want 2", got)
	}
}

// TestChannelsErrorMidWalk yields the first page, then the error once,
// then nothing.
func TestChannelsErrorMidWalk(t *testing.T) {
	f := newFakeAPI(t)
	pages := pagedHandler(t, "channels", channelItems(1000), true)
	f.handle("v1/channels.list", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("offset") != "0" {
			writeJSON(w, http.StatusForbidden, testdataFile(t, "error_403_8x.json"))
			return
		}
		pages(w, r)
	})
	items, errs := 0, 0
	for _, err := range f.client().Channels(context.Background()) {
		if err != nil {
			errs++
			if !errors.Is(err, rocketchat.ErrForbidden) {
				t.Errorf("err = %v, want ErrForbidden", err)
			}
			continue // ranging on must not bring more pairs
		}
		if errs > 0 {
			t.Error("an item after the error")
		}
		items++
	}
	if items != 100 || errs != 1 || len(f.sent()) != 2 {
		t.Errorf("%d items, %d errors, %d requests; want 100, 1, 2", items, errs, len(f.sent()))
	}
}

// TestChannelsContext ends the walk when the context ends: before the
// first request, and inside the loop.
func TestChannelsContext(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		f := newFakeAPI(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		pairs := 0
		for _, err := range f.client().Channels(ctx) {
			pairs++
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		}
		if pairs != 1 || len(f.sent()) != 0 {
			t.Errorf("%d pairs, %d requests; want 1, 0", pairs, len(f.sent()))
		}
	})
	t.Run("cancelled while ranging", func(t *testing.T) {
		f := newFakeAPI(t)
		f.handle("v1/channels.list", pagedHandler(t, "channels", channelItems(1000), true))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		items, errs := 0, 0
		for _, err := range f.client().Channels(ctx) {
			if err != nil {
				errs++
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
				continue
			}
			if items++; items == 50 {
				cancel()
			}
		}
		if items != 50 || errs != 1 || len(f.sent()) != 1 {
			t.Errorf("%d items, %d errors, %d requests; want 50, 1, 1", items, errs, len(f.sent()))
		}
	})
}

// historyMessages returns n messages, newest first, shaped like the
// history endpoints' items.
func historyMessages(n int) []map[string]any {
	items := make([]map[string]any, n)
	for i := range items {
		ts := "2016-12-09T12:50:51.555Z"
		if i > 0 {
			ts = "2016-12-08T12:50:51.555Z"
		}
		items[i] = map[string]any{
			"_id": "m" + itoa(i), "rid": "ByehQjC44FwMeiLbX", "msg": "hi " + itoa(i), "ts": ts,
			"u": map[string]any{"_id": "y65tAmHs93aDChMWu", "username": "testing"}, "_updatedAt": ts,
		}
	}
	return items
}

func TestHistory(t *testing.T) {
	for _, tt := range []struct{ roomType, endpoint string }{
		{"c", "v1/channels.history"}, {"p", "v1/groups.history"}, {"d", "v1/im.history"}, {"l", "v1/channels.history"},
	} {
		t.Run(tt.roomType, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("v1/rooms.info", func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, 200, []byte(`{"room":{"_id":"ByehQjC44FwMeiLbX","t":"`+tt.roomType+`","msgs":150},"success":true}`))
			})
			f.handle(tt.endpoint, pagedHandler(t, "messages", historyMessages(150), false))
			var got []string
			for m, err := range f.client().History(context.Background(), "ByehQjC44FwMeiLbX") {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, m.ID)
			}
			if len(got) != 150 || got[0] != "m0" || got[149] != "m149" {
				t.Errorf("got %d messages", len(got))
			}
			want := []sentRequest{
				wantGet("v1/rooms.info", url.Values{"roomId": {"ByehQjC44FwMeiLbX"}}),
				wantGet(tt.endpoint, url.Values{"roomId": {"ByehQjC44FwMeiLbX"}, "count": {"100"}, "offset": {"0"}}),
				// Pinned to the newest message, so that new ones do not shift the pages.
				wantGet(tt.endpoint, url.Values{"roomId": {"ByehQjC44FwMeiLbX"}, "count": {"100"}, "offset": {"100"},
					"latest": {"2016-12-09T12:50:51.555Z"}, "inclusive": {"true"}}),
			}
			if diff := cmp.Diff(want, f.sent()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHistoryItems(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("v1/rooms.info", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, []byte(`{"room":{"_id":"ByehQjC44FwMeiLbX","t":"c"},"success":true}`))
	})
	f.answer("v1/channels.history", http.StatusOK, "channels_history.json")
	var got []rocketchat.Message
	for m, err := range f.client().History(context.Background(), "ByehQjC44FwMeiLbX") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	msg := func(id, typ, text, ts, updated, uid, uname string) rocketchat.Message {
		return rocketchat.Message{ID: id, RoomID: "ByehQjC44FwMeiLbX", Type: typ, Text: text, Timestamp: at(t, ts), UpdatedAt: at(t, updated),
			Sender: rocketchat.UserRef{ID: uid, Username: uname}}
	}
	want := []rocketchat.Message{
		msg("AkzpHAvZpdnuchw2a", "", "hi", "2016-12-09T12:50:51.555Z", "2016-12-09T12:50:51.562Z", "y65tAmHs93aDChMWu", "testing"),
		msg("vkLMxcctR4MuTxreF", "uj", "testing2", "2016-12-08T15:41:37.730Z", "2016-12-08T16:03:25.235Z", "bRtgdhzM6PD9F8pSx", "testing2"),
		msg("bfRW658nEyEBg75rc", "uj", "testing", "2016-12-07T15:47:49.099Z", "2016-12-07T15:47:49.099Z", "nSYqWzZ4GsKTX4dyK", "testing1"),
		msg("pbuFiGadhRZTKouhB", "uj", "testing", "2016-12-06T17:57:38.635Z", "2016-12-06T17:57:38.635Z", "y65tAmHs93aDChMWu", "testing"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("History (-want +got):\n%s", diff)
	}
}

// TestHistoryUnknownRoom yields the rooms.info failure as the only pair.
func TestHistoryUnknownRoom(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/rooms.info", 400, "error_rooms_info_param.json")
	pairs := 0
	for _, err := range f.client().History(context.Background(), "nowhere") {
		pairs++
		var e *rocketchat.Error
		if !errors.As(err, &e) || e.Type != "error-roomid-param-not-provided" {
			t.Errorf("err = %v", err)
		}
	}
	if pairs != 1 || len(f.sent()) != 1 {
		t.Errorf("%d pairs, %d requests; want 1, 1", pairs, len(f.sent()))
	}
}
