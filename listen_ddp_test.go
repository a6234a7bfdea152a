package rocketchat_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

// The promises of Listen on the wire, against a scripted server playing
// Rocket.Chat's frames of each generation.

func TestListenHandshakeAndKinds(t *testing.T) {
	s := newDDPServer(t)
	c := s.client(rocketchat.WithUserAgent("listen-test/1"))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	start := time.Now()
	events := listen(ctx, t, c, "GENERAL")

	p := s.next()
	if ua := p.header.Get("User-Agent"); ua != "listen-test/1" {
		t.Errorf("User-Agent %q, want the client's", ua)
	}
	// ddp-streamer pings about 30 ms after the socket opens, before
	// connected; 3.x servers greet with server_id.
	p.send(`{"server_id":"0"}`)
	p.send(`{"msg":"ping","id":"early"}`)
	p.keepPings = true
	if f := p.read(); f.str("msg") == "connect" {
		// The pong may come before or after connect: both are read.
		pong := p.expect("pong")
		if pong.str("id") != "early" {
			t.Errorf("pong %v, want id early", pong)
		}
		p.send(`{"msg":"connected","session":"Fh8xkwNDvdSCcNyYm"}`)
	} else if f.str("msg") != "pong" || f.str("id") != "early" {
		t.Fatalf("got %v, want the pong of the early ping", f)
	} else {
		p.expect("connect")
		p.send(`{"msg":"connected","session":"Fh8xkwNDvdSCcNyYm"}`)
	}
	p.keepPings = false
	l := p.expect("method")
	// updated before result, as Meteor 3 sends it when no write is
	// pending, and an added users frame from the monolith.
	p.sendf(`{"msg":"updated","methods":[%q]}`, l.str("id"))
	p.send(`{"msg":"added","collection":"users","id":"U1","fields":{"username":"bot"}}`)
	p.sendf(`{"msg":"result","id":%q,"result":{"id":"U1","token":"tok-1","tokenExpires":{"$date":1796417505309},"type":"resume"}}`, l.str("id"))
	subs := p.subscribe(2)
	want := [][2]string{{"stream-room-messages", "GENERAL"}, {"stream-notify-room", "GENERAL/deleteMessage"}}
	if diff := cmp.Diff(want, subs); diff != "" {
		t.Errorf("subscriptions (-want +got):\n%s", diff)
	}

	ts := start.Add(time.Second).UnixMilli()
	p.send(`{"msg":"server_id","server_id":"0"}`)
	p.send(roomMessage("GENERAL", "M1", "hello", ts, ts+10, `,"reactions":{":wave:":{"usernames":["bob"]}},"tmid":"M0","attachments":[{"title":"t","text":"x"}]`))
	ev := nextEvent(t, events)
	wantMsg := rocketchat.Message{
		ID: "M1", RoomID: "GENERAL", Text: "hello",
		Sender:      rocketchat.UserRef{ID: "U2", Username: "alice", Name: "Alice"},
		Timestamp:   time.UnixMilli(ts).UTC(),
		UpdatedAt:   time.UnixMilli(ts + 10).UTC(),
		ThreadID:    "M0",
		Attachments: []rocketchat.Attachment{{Title: "t", Text: "x"}},
		Reactions:   map[string][]string{":wave:": {"bob"}},
	}
	if diff := cmp.Diff(rocketchat.MessageEvent{Kind: rocketchat.MessagePosted, Message: wantMsg}, ev); diff != "" {
		t.Errorf("posted (-want +got):\n%s", diff)
	}

	// The same message again (a URL preview), an old copy, an edit, a
	// reaction, and deletes of both forms.
	p.send(roomMessage("GENERAL", "M1", "hello", ts, ts+20, ""))
	p.send(roomMessage("GENERAL", "M1", "hello", ts, ts+20, ""))
	p.send(roomMessage("GENERAL", "M1", "hello", ts, ts+5, ""))
	p.send(roomMessage("GENERAL", "M1", "hello!", ts, ts+30, `,"editedAt":{"$date":`+ms(ts+30)+`},"editedBy":{"_id":"U2","username":"alice"}`))
	p.send(roomMessage("GENERAL", "M1", "hello!", ts, ts+40, `,"editedAt":{"$date":`+ms(ts+30)+`},"reactions":{":+1:":{"usernames":["bob"]}}`))
	p.send(roomMessage("GENERAL", "M1", "", ts, ts+50, `,"t":"rm","editedAt":{"$date":`+ms(ts+50)+`}`))
	p.send(`{"msg":"changed","collection":"stream-notify-room","id":"id","fields":{"eventName":"GENERAL/deleteMessage","args":[{"_id":"M1"}]}}`)
	// Members in another order than servers write them.
	p.send(`{"fields":{"args":[{"_id":"M9"}],"eventName":"GENERAL/deleteMessage"},"id":"id","collection":"stream-notify-room","msg":"changed"}`)
	p.send(`{"msg":"changed","collection":"stream-notify-room","id":"id","fields":{"eventName":"GENERAL/typing","args":["alice",true]}}`)

	var kinds []string
	for range 5 {
		ev := nextEvent(t, events)
		kinds = append(kinds, ev.Kind.String()+" "+ev.Message.ID+" "+ev.Message.Text)
		if ev.Missed {
			t.Errorf("%v is marked missed", ev.Kind)
		}
	}
	wantKinds := []string{"MessageUpdated M1 hello", "MessageEdited M1 hello!", "MessageUpdated M1 hello!", "MessageDeleted M1 ", "MessageDeleted M9 "}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// A message posted before Listen started gives edits, never a post.
	old := start.Add(-time.Hour).UnixMilli()
	p.send(roomMessage("GENERAL", "M2", "old", old, ts+60, `,"editedAt":{"$date":`+ms(ts+60)+`}`))
	p.send(roomMessage("GENERAL", "M2", "old", old, ts+70, `,"editedAt":{"$date":`+ms(ts+60)+`},"pinned":true`))
	for _, want := range []rocketchat.EventKind{rocketchat.MessageEdited, rocketchat.MessageUpdated} {
		if ev := nextEvent(t, events); ev.Kind != want || ev.Message.ID != "M2" {
			t.Errorf("got %v %s, want %v M2", ev.Kind, ev.Message.ID, want)
		}
	}

	cancel()
	for p := range events {
		if !errors.Is(p.err, context.Canceled) {
			t.Errorf("last pair %v, %v; want an error matching context.Canceled", p.ev, p.err)
		}
	}
}

func ms(n int64) string { return strconv.FormatInt(n, 10) }

func TestListenAllRoomsKeepsJoinedRooms(t *testing.T) {
	s := newDDPServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := listen(ctx, t, s.client())
	p := s.next()
	p.login()
	if diff := cmp.Diff([][2]string{{"stream-room-messages", "__my_messages__"}}, p.subscribe(1)); diff != "" {
		t.Errorf("subscriptions (-want +got):\n%s", diff)
	}
	ts := time.Now().Add(time.Second).UnixMilli()
	my := func(rid, id string, participant bool, typ, name string) string {
		return `{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"__my_messages__","args":[` +
			ejsonMessage(rid, id, "hi", ts, ts, "") + `,{"roomParticipant":` + map[bool]string{true: "true", false: "false"}[participant] +
			`,"roomType":"` + typ + `","roomName":"` + name + `"}]}}`
	}
	p.send(my("R1", "A", false, "c", "random")) // a public channel the user has not joined
	p.send(my("D1", "B", true, "d", "alice"))
	p.send(my("R2", "C", true, "c", "general"))
	for _, want := range []struct{ id, typ, name string }{{"B", "d", "alice"}, {"C", "c", "general"}} {
		ev := nextEvent(t, events)
		if ev.Message.ID != want.id || ev.RoomType != want.typ || ev.RoomName != want.name || ev.Kind != rocketchat.MessagePosted {
			t.Errorf("got %v %s %s %s, want MessagePosted %s %s %s", ev.Kind, ev.Message.ID, ev.RoomType, ev.RoomName, want.id, want.typ, want.name)
		}
	}
}

func TestListenLoginRefused(t *testing.T) {
	// The refusal of a bad resume token in each generation (realtime.md
	// §2.4).
	for name, refusal := range map[string]string{
		"6.x 403":  `{"isClientSafe":true,"error":403,"reason":"You've been logged out by the server. Please log in again.","message":"You've been logged out by the server. Please log in again. [403]","errorType":"Meteor.Error"}`,
		"7.0 401":  `{"isClientSafe":true,"error":401,"reason":"User not found","message":"User not found [401]","errorType":"Meteor.Error"}`,
		"8.x 401":  `{"isClientSafe":true,"error":401,"reason":"Incorrect login or password","message":"Incorrect login or password [401]","errorType":"Meteor.Error"}`,
		"streamer": `{"isClientSafe":true,"errorType":"Meteor.Error","error":403,"reason":"You've been logged out by the server. Please log in again","message":"You've been logged out by the server. Please log in again [403]"}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newDDPServer(t)
			events := listen(t.Context(), t, s.client())
			p := s.next()
			p.expect("connect")
			p.send(`{"msg":"connected","session":"x"}`)
			l := p.expect("method")
			p.sendf(`{"msg":"result","id":%q,"error":%s}`, l.str("id"), refusal)
			last := nextPair(t, events)
			var e *rocketchat.Error
			if !errors.Is(last.err, rocketchat.ErrUnauthorized) || !errors.As(last.err, &e) {
				t.Fatalf("got %v, want an *Error matching ErrUnauthorized", last.err)
			}
			if _, ok := <-events; ok {
				t.Error("the iterator went on after its error")
			}
		})
	}
}

func TestListenRoomRefused(t *testing.T) {
	for name, nosub := range map[string]string{
		"4.x+ with error": `,"error":{"isClientSafe":true,"error":"not-allowed","message":"[not-allowed]","errorType":"Meteor.Error"}`,
		"3.x bare":        ``,
	} {
		t.Run(name, func(t *testing.T) {
			s := newDDPServer(t)
			events := listen(t.Context(), t, s.client(), "GENERAL", "SECRET")
			p := s.next()
			p.login()
			p.subscribe(2)
			sub := p.expect("sub")
			p.sendf(`{"msg":"nosub","id":%q%s}`, sub.str("id"), nosub)
			last := nextPair(t, events)
			if !errors.Is(last.err, rocketchat.ErrForbidden) || !strings.Contains(last.err.Error(), `"SECRET"`) {
				t.Fatalf("got %v, want an error naming SECRET and matching ErrForbidden", last.err)
			}
			if _, ok := <-events; ok {
				t.Error("the iterator went on after its error")
			}
		})
	}
}

func TestListenWaitsOutRateLimitedSubscription(t *testing.T) {
	fastListen(t)
	s := newDDPServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := listen(ctx, t, s.client(), "GENERAL")
	p := s.next()
	p.login()
	sub := p.expect("sub")
	p.sendf(`{"msg":"nosub","id":%q,"error":{"isClientSafe":true,"error":"too-many-requests","reason":"Error, too many requests. Please slow down. You must wait 1 seconds before trying again.","details":{"timeToReset":3},"message":"Error, too many requests. Please slow down. You must wait 1 seconds before trying again. [too-many-requests]","errorType":"Meteor.Error"}}`, sub.str("id"))
	if again := p.subscribe(2); again[0] != [2]string{"stream-room-messages", "GENERAL"} {
		t.Fatalf("after the wait the client subscribed to %v", again)
	}
	ts := time.Now().Add(time.Second).UnixMilli()
	p.send(roomMessage("GENERAL", "M1", "hi", ts, ts, ""))
	if ev := nextEvent(t, events); ev.Message.ID != "M1" {
		t.Errorf("got %s, want M1", ev.Message.ID)
	}
}

// TestListenPongsWhileCallerIsBusy: the caller holds an event while the
// server pings; the pong must come anyway.
func TestListenPongsWhileCallerIsBusy(t *testing.T) {
	s := newDDPServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c := s.client()
	busy := make(chan struct{})
	got := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev, err := range c.Listen(ctx, "GENERAL") {
			if err != nil {
				return
			}
			select {
			case got <- ev.Message.ID:
			default:
			}
			<-busy // the caller works for as long as the test likes
		}
	}()
	defer func() { cancel(); <-done }()
	p := s.next()
	p.login()
	p.subscribe(2)
	ts := time.Now().Add(time.Second).UnixMilli()
	p.send(roomMessage("GENERAL", "M1", "hi", ts, ts, ""))
	<-got
	for i := range 3 {
		p.send(roomMessage("GENERAL", "N"+ms(int64(i)), "more", ts, ts, ""))
	}
	p.keepPings = true
	p.send(`{"msg":"ping","id":"while-busy"}`)
	if f := p.expect("pong"); f.str("id") != "while-busy" {
		t.Errorf("pong %v, want id while-busy", f)
	}
	close(busy)
}

// TestListenDeadPeer: a server that stops sending is pinged, then
// declared dead, and the listener connects again and catches up.
func TestListenDeadPeer(t *testing.T) {
	rocketchat.SetListenTuning(t, rocketchat.ListenTuning{
		PingAfter: 20 * time.Millisecond, DeadAfter: 80 * time.Millisecond,
		BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond,
	})
	s := newDDPServer(t)
	start := time.Now()
	var synced atomic.Bool
	s.mu.Lock()
	s.sync = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("roomId") != "GENERAL" || r.URL.Query().Get("lastUpdate") == "" {
			t.Errorf("catch-up query %v", r.URL.Query())
		}
		if !synced.Load() {
			// The catch-up of the start: nothing yet.
			w.Write([]byte(`{"result":{"updated":[],"deleted":[]},"success":true}`))
			return
		}
		m := restMessage("GENERAL", "M2", "said while silent", start.Add(time.Second), start.Add(time.Second), "")
		w.Write([]byte(`{"result":{"updated":[` + m + `],"deleted":[]},"success":true}`))
	}
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var logs syncBuffer
	events := listen(ctx, t, s.client(rocketchat.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))), "GENERAL")
	p := s.next()
	p.login()
	p.subscribe(2)
	p.keepPings = true
	if f := p.expect("ping"); f.str("id") != "" {
		t.Logf("the client's ping has id %q", f.str("id"))
	}
	synced.Store(true)
	// Silence: the client must give up on this connection by itself.
	if _, err := p.tryRead(); err == nil {
		t.Fatal("the client kept the silent connection")
	}
	p2 := s.next()
	p2.login()
	p2.subscribe(2)
	ev := nextEvent(t, events)
	if ev.Message.ID != "M2" || !ev.Missed || ev.Kind != rocketchat.MessagePosted {
		t.Errorf("got %v %s missed=%v, want the caught-up M2 posted", ev.Kind, ev.Message.ID, ev.Missed)
	}
	if !strings.Contains(logs.String(), "connection lost") || !strings.Contains(logs.String(), "caught up") {
		t.Errorf("the log does not tell the reconnect and the catch-up:\n%s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestListenHandshakeTimeout: a server that takes the WebSocket request
// and never answers it holds each handshake for the client's per-attempt
// timeout only; Listen then dials again.
func TestListenHandshakeTimeout(t *testing.T) {
	fastListen(t)
	handshakes := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handshakes <- struct{}{}
		<-r.Context().Done() // the client gave up
	}))
	defer srv.Close()
	c, err := rocketchat.NewClient(srv.URL,
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: "U1", Token: "t"}),
		rocketchat.WithTimeout(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		for _, err := range c.Listen(ctx, "GENERAL") {
			done <- err
			return
		}
	}()
	<-handshakes
	<-handshakes // the first handshake ended at its timeout
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Listen ended with %v, want context.Canceled", err)
	}
}
