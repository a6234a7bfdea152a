package rocketchattest

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// streamMessage is the message document the stream carries for a plain
// text message posted through chat.postMessage, with EJSON dates.
func streamMessage(srv *Server, id, rid, text, userID, username string, ts, updated time.Time, extra string) string {
	md := ""
	if srv.gen.messageMarkdown {
		md = fmt.Sprintf(`,"md":[{"type":"PARAGRAPH","value":[{"type":"PLAIN_TEXT","value":%q}]}]`, text)
	}
	return fmt.Sprintf(`{"_id":%q,"rid":%q,"msg":%q,"ts":{"$date":%d},"u":{"_id":%q,"username":%q,"name":%q},"groupable":false,"_updatedAt":{"$date":%d},"urls":[],"mentions":[],"channels":[]%s%s}`,
		id, rid, text, ts.UnixMilli(), userID, username, username, updated.UnixMilli(), md, extra)
}

func TestRealtimeRoomStream(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			srv, clock := chatServer(t, v)
			bobID, bobTok := srv.LoginToken("bob")
			bob := auth(bobID, bobTok)
			c := dialDDP(t, srv)
			c.connect()
			c.resume(bobTok)
			if got := c.sub("s1", "stream-room-messages", "GENERAL", noOptions); got != `{"msg":"ready","subs":["s1"]}` {
				t.Fatalf("sub GENERAL: %s", got)
			}
			if got := c.sub("s2", "stream-room-messages", "__my_messages__", noOptions); got != `{"msg":"ready","subs":["s2"]}` {
				t.Fatalf("sub __my_messages__: %s", got)
			}
			if got := c.sub("s3", "stream-notify-room", "GENERAL/deleteMessage", false); got != `{"msg":"ready","subs":["s3"]}` {
				t.Fatalf("sub deleteMessage: %s", got)
			}

			// A REST post reaches both subscriptions, room stream first.
			got := postJSON(t, srv, "v1/chat.postMessage", map[string]any{"roomId": "GENERAL", "text": "hi"}, bob)
			id := decode(t, got.body)["message"].(map[string]any)["_id"].(string)
			posted := clock.Now()
			doc := streamMessage(srv, id, "GENERAL", "hi", bobID, "bob", posted, posted, "")
			c.want(`{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"GENERAL","args":[` + doc + `]}}`)
			c.want(`{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"__my_messages__","args":[` + doc +
				`,{"roomParticipant":true,"roomType":"c","roomName":"general"}]}}`)

			// An edit re-sends it with editedAt and editedBy.
			clock.Advance(time.Second)
			postJSON(t, srv, "v1/chat.update", map[string]any{"roomId": "GENERAL", "msgId": id, "text": "hello"}, bob)
			edited := clock.Now()
			doc = streamMessage(srv, id, "GENERAL", "hello", bobID, "bob", posted, edited,
				fmt.Sprintf(`,"editedAt":{"$date":%d},"editedBy":{"_id":%q,"username":"bob"}`, edited.UnixMilli(), bobID))
			c.want(`{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"GENERAL","args":[` + doc + `]}}`)
			c.read() // __my_messages__

			// A reaction re-sends it; editedAt stays the edit's.
			clock.Advance(time.Second)
			postJSON(t, srv, "v1/chat.react", map[string]any{"messageId": id, "emoji": "smile"}, bob)
			m := c.read()
			msg := m["fields"].(map[string]any)["args"].([]any)[0].(map[string]any)
			if msg["reactions"] == nil || msg["editedAt"].(map[string]any)["$date"] != float64(edited.UnixMilli()) ||
				msg["_updatedAt"].(map[string]any)["$date"] != float64(clock.Now().UnixMilli()) {
				t.Errorf("reaction frame: %v", m)
			}
			c.read() // __my_messages__

			// A delete is an event on stream-notify-room.
			postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": "GENERAL", "msgId": id}, bob)
			c.want(`{"msg":"changed","collection":"stream-notify-room","id":"id","fields":{"eventName":"GENERAL/deleteMessage","args":[{"_id":"` + id + `"}]}}`)

			// AddMessage is pushed like a post.
			aid := srv.AddMessage(Message{RoomID: "GENERAL", Username: "carol", Text: "from carol"})
			m = c.read()
			if args := m["fields"].(map[string]any)["args"].([]any); args[0].(map[string]any)["_id"] != aid {
				t.Errorf("AddMessage frame: %v", m)
			}
			c.read()

			// Unsubscribed, the room's events stop; __my_messages__ goes on.
			c.send(map[string]any{"msg": "unsub", "id": "s1"})
			c.want(`{"msg":"nosub","id":"s1"}`)
			srv.AddMessage(Message{RoomID: "GENERAL", Username: "carol", Text: "again"})
			if m := c.read(); m["fields"].(map[string]any)["eventName"] != "__my_messages__" {
				t.Errorf("after unsub: %v", m)
			}
		})
	}
}

func TestRealtimeRoomAccess(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			srv, _ := chatServer(t, v)
			secret := srv.RoomID("secret")
			pub := srv.AddRoom(Room{Name: "lobby", Creator: "admin"})
			carolID, carolTok := srv.LoginToken("carol")
			c := dialDDP(t, srv)
			c.connect()

			// Not logged in: no room, but __my_messages__ is ready (and
			// silent).
			notAllowed := `{"msg":"nosub","id":"s0","error":{"isClientSafe":true,"error":"not-allowed","message":"[not-allowed]","errorType":"Meteor.Error"}}`
			if srv.gen.nosubBare {
				notAllowed = `{"msg":"nosub","id":"s0"}`
			}
			if got := c.sub("s0", "stream-room-messages", "GENERAL", noOptions); got != notAllowed {
				t.Errorf("anonymous sub: %s", got)
			}
			c.resume(carolTok)
			want := func(id, got, frame string) {
				t.Helper()
				if got != frame {
					t.Errorf("sub %s: %s\nwant %s", id, got, frame)
				}
			}
			want("secret", c.sub("s0", "stream-room-messages", secret, noOptions), notAllowed)
			want("deleteMessage", c.sub("s0", "stream-notify-room", secret+"/deleteMessage", false), notAllowed)
			want("unknown room", c.sub("s0", "stream-room-messages", "NOPE", noOptions), notAllowed)
			want("other user", c.sub("s0", "stream-notify-user", "rocket.cat/message", false), notAllowed)
			// A public channel carol has not joined is readable, but its
			// delete events are for members.
			want("lobby", c.sub("s1", "stream-room-messages", pub, noOptions), `{"msg":"ready","subs":["s1"]}`)
			want("lobby deletes", c.sub("s0", "stream-notify-room", pub+"/deleteMessage", false), notAllowed)
			want("own events", c.sub("s2", "stream-notify-user", carolID+"/message", false), `{"msg":"ready","subs":["s2"]}`)
			// useCollection: an added frame before ready.
			c.send(map[string]any{"msg": "sub", "id": "s3", "name": "stream-room-messages", "params": []any{"__my_messages__", map[string]any{"useCollection": true, "args": []any{}}}})
			c.want(`{"msg":"added","collection":"stream-room-messages","id":"id","fields":{"eventName":"__my_messages__"}}`)
			c.want(`{"msg":"ready","subs":["s3"]}`)

			// Messages of the private group never reach carol; the public
			// channel's do, marked as not joined.
			srv.AddMessage(Message{RoomID: secret, Username: "bob", Text: "psst"})
			srv.AddMessage(Message{RoomID: pub, Username: "admin", Text: "welcome"})
			m := c.read()
			if f := m["fields"].(map[string]any); f["eventName"] != pub {
				t.Errorf("first frame: %v", m)
			}
			m = c.read()
			wantJSON(t, m["fields"].(map[string]any)["args"].([]any)[1], `{"roomParticipant":false,"roomType":"c","roomName":"lobby"}`)
		})
	}
}

func TestRealtimeDirectMeta(t *testing.T) {
	srv, _ := chatServer(t, "8.8.1")
	bobID, bobTok := srv.LoginToken("bob")
	c := dialDDP(t, srv)
	c.connect()
	c.resume(bobTok)
	c.sub("s", "stream-room-messages", "__my_messages__", false)
	got := postJSON(t, srv, "v1/chat.postMessage", map[string]any{"channel": "@bob", "text": "note"}, auth(srv.PersonalAccessToken("carol")))
	if got.status != http.StatusOK {
		t.Fatalf("post: %s", got.body)
	}
	m := c.read()
	args := m["fields"].(map[string]any)["args"].([]any)
	// A direct room has no name.
	wantJSON(t, args[1], `{"roomParticipant":true,"roomType":"d"}`)
	if rid := args[0].(map[string]any)["rid"].(string); rid != directRoomID([]string{bobID, srv.UserID("carol")}) {
		t.Errorf("rid %s", rid)
	}
}

func TestRealtimeSubOptions(t *testing.T) {
	for _, v := range []string{"3.18.7", "8.8.1"} {
		srv, _ := chatServer(t, v)
		_, tok := srv.LoginToken("bob")
		c := dialDDP(t, srv)
		c.connect()
		c.resume(tok)
		// 3.x checks the options object strictly: both keys.
		got := c.sub("s", "stream-room-messages", "GENERAL", map[string]any{"useCollection": false})
		matchFailed := `{"msg":"nosub","id":"s","error":{"isClientSafe":true,"error":400,"reason":"Match failed","message":"Match failed [400]","errorType":"Meteor.Error"}}`
		if srv.gen.strictSubOptions != (got == matchFailed) {
			t.Errorf("%s: options without args: %s", v, got)
		}
		// What the official client sends passes everywhere.
		if got := c.sub("t", "stream-room-messages", "GENERAL", map[string]any{"useCollection": false, "args": []any{nil}}); got != `{"msg":"ready","subs":["t"]}` {
			t.Errorf("%s: ddp-client's options: %s", v, got)
		}
		// A second sub with a live id is ignored.
		c.send(map[string]any{"msg": "sub", "id": "t", "name": "stream-room-messages", "params": []any{"GENERAL", false}})
		c.sendRaw(`{"msg":"ping","id":"x"}`)
		c.want(`{"msg":"pong","id":"x"}`)
	}
}

func TestRealtimeShowDeletedStatus(t *testing.T) {
	clock := newTestClock()
	srv := newTestServer(t, WithClock(clock.Now), WithoutRateLimit(), WithUser(bobUser), WithShowDeletedStatus())
	bobID, bobTok := srv.LoginToken("bob")
	id := srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "oops"})
	c := dialDDP(t, srv)
	c.connect()
	c.resume(bobTok)
	c.sub("s", "stream-room-messages", "GENERAL", false)
	c.sub("d", "stream-notify-room", "GENERAL/deleteMessage", false)
	clock.Advance(time.Second)
	postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": "GENERAL", "msgId": id}, auth(bobID, bobTok))
	now := clock.Now().UnixMilli()
	c.want(fmt.Sprintf(`{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"GENERAL","args":[{"_id":%q,"rid":"GENERAL","msg":"","ts":{"$date":%d},"u":{"_id":%q,"username":"bob","name":"bob"},"t":"rm","_updatedAt":{"$date":%d},"urls":[],"mentions":[],"channels":[],"editedAt":{"$date":%d},"editedBy":{"_id":%q,"username":"bob"}}]}}`,
		id, now-1000, bobID, now, now, bobID))
	if n := len(srv.Messages("GENERAL")); n != 0 {
		t.Errorf("Messages lists %d deleted messages", n)
	}
}

func TestRealtimeSubscriptionLimit(t *testing.T) {
	clock := newTestClock()
	srv := newTestServer(t, WithClock(clock.Now), WithUser(bobUser), WithRealtimeSubscriptionLimit(2, 40*time.Second))
	_, tok := srv.LoginToken("bob")
	c := dialDDP(t, srv)
	c.connect()
	c.resume(tok)
	c.sub("a", "stream-room-messages", "GENERAL", false)
	// Another stream name has its own count.
	c.sub("n", "stream-notify-room", "GENERAL/deleteMessage", false)
	c.sub("b", "stream-room-messages", "__my_messages__", false)
	clock.Advance(10500 * time.Millisecond)
	want := `{"msg":"nosub","id":"c","error":{"isClientSafe":true,"error":"too-many-requests","reason":"Error, too many requests. Please slow down. You must wait 30 seconds before trying again.","details":{"timeToReset":29500},"message":"Error, too many requests. Please slow down. You must wait 30 seconds before trying again. [too-many-requests]","errorType":"Meteor.Error"}}`
	if got := c.sub("c", "stream-room-messages", "GENERAL", false); got != want {
		t.Errorf("over the limit: %s\nwant %s", got, want)
	}
	clock.Advance(29500 * time.Millisecond)
	if got := c.sub("d", "stream-room-messages", "GENERAL", false); got != `{"msg":"ready","subs":["d"]}` {
		t.Errorf("after the window: %s", got)
	}
}

func TestRealtimeThreadReply(t *testing.T) {
	srv, clock := chatServer(t, "8.8.1")
	bobID, bobTok := srv.LoginToken("bob")
	parent := srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "question"})
	c := dialDDP(t, srv)
	c.connect()
	c.resume(bobTok)
	c.sub("s", "stream-room-messages", "GENERAL", false)
	clock.Advance(time.Second)
	got := postJSON(t, srv, "v1/chat.postMessage", map[string]any{"roomId": "GENERAL", "text": "answer", "tmid": parent}, auth(srv.PersonalAccessToken("carol")))
	reply := decode(t, got.body)["message"].(map[string]any)["_id"]
	// The reply, then its parent with the thread's counters.
	m := c.read()
	if msg := m["fields"].(map[string]any)["args"].([]any)[0].(map[string]any); msg["_id"] != reply || msg["tmid"] != parent {
		t.Errorf("reply frame: %v", m)
	}
	m = c.read()
	msg := m["fields"].(map[string]any)["args"].([]any)[0].(map[string]any)
	ts := float64(clock.Now().UnixMilli())
	if msg["_id"] != parent || msg["tcount"] != float64(1) || msg["tlm"].(map[string]any)["$date"] != ts ||
		msg["editedAt"] != nil || msg["_updatedAt"].(map[string]any)["$date"] != ts {
		t.Errorf("parent frame: %v", m)
	}
	wantJSON(t, msg["replies"], fmt.Sprintf(`[%q]`, srv.UserID("carol")))
	_ = bobID
}
