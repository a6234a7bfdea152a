package rocketchattest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// BenchmarkChangedFrame compares the two ways of writing a stream event
// around a message document: copying the encoded document into the
// frame (what the server does) and encoding the frame as nested objects
// (the baseline), which re-reads the document at every level.
func BenchmarkChangedFrame(b *testing.B) {
	srv := NewServer()
	defer srv.Close()
	m := &message{id: "M1", rid: "GENERAL", msg: strings.Repeat("hello world ", 300), u: userRef{"U1", "alice", "Alice"},
		ts: time.UnixMilli(1700000000000), updatedAt: time.UnixMilli(1700000000010)}
	for _, order := range [][]string{{"copied", "nested"}, {"nested", "copied"}} {
		for _, name := range order {
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					doc := srv.messageDoc(m, true)
					if name == "copied" {
						enc, _ := marshal(doc)
						_ = changedFrame(streamRoomMessages, "GENERAL", enc)
					} else {
						_ = frame(object{{"msg", "changed"}, {"collection", streamRoomMessages}, {"id", "id"},
							{"fields", object{{"eventName", "GENERAL"}, {"args", []any{doc}}}}})
					}
				}
			})
		}
	}
}

// BenchmarkRealtimePublish measures a message from AddMessage to the
// frame read by a subscribed WebSocket client, against AddMessage with
// nobody subscribed (the store's own cost) in the same run.
func BenchmarkRealtimePublish(b *testing.B) {
	for _, order := range [][]string{{"store-only", "to-socket"}, {"to-socket", "store-only"}} {
		for _, name := range order {
			b.Run(name, func(b *testing.B) {
				srv := NewServer(WithUser(bobUser))
				defer srv.Close()
				var c *ddpClient
				if name == "to-socket" {
					c = dialDDP(b, srv)
					c.connect()
					_, tok := srv.LoginToken("bob")
					c.resume(tok)
					c.sub("s", "stream-room-messages", "GENERAL", false)
				}
				b.ReportAllocs()
				for b.Loop() {
					srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "hello"})
					if c != nil {
						var m struct{ Msg string }
						if err := json.Unmarshal([]byte(c.readRaw()), &m); err != nil || m.Msg != "changed" {
							b.Fatalf("frame %q: %v", m.Msg, err)
						}
					}
				}
			})
		}
	}
}
