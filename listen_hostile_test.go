package rocketchat_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/go-rocketchat/rocketchat"
)

// TestListenHostileFrames: a frame that is not JSON, a binary frame, a
// message that does not decode or a frame over the size bound never ends
// the iterator: the connection is dropped and repaired, and the log says
// why.
func TestListenHostileFrames(t *testing.T) {
	rocketchat.SetListenTuning(t, rocketchat.ListenTuning{BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, ReadLimit: 64 << 10})
	ts := time.Now().Add(time.Second).UnixMilli()
	for name, hostile := range map[string]func(p *ddpPeer){
		"not JSON": func(p *ddpPeer) { p.send(`<html>502 Bad Gateway</html>`) },
		"binary": func(p *ddpPeer) {
			_ = p.ws.Write(context.Background(), websocket.MessageBinary, []byte(`{"msg":"ping"}`))
		},
		"truncated": func(p *ddpPeer) {
			p.send(`{"msg":"changed","collection":"stream-room-messages","fields":{"eventName":"GENERAL","args":[{"_id":"X"`)
		},
		"date of a word": func(p *ddpPeer) {
			p.send(strings.Replace(roomMessage("GENERAL", "X", "x", ts, ts, ""), `"ts":{"$date":`+ms(ts)+`}`, `"ts":{"$date":"soon"}`, 1))
		},
		"args not array": func(p *ddpPeer) {
			p.send(`{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"GENERAL","args":{"_id":"X"}}}`)
		},
		"message no _id": func(p *ddpPeer) {
			p.send(`{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"GENERAL","args":[{"msg":"x"}]}}`)
		},
		"msg not string":  func(p *ddpPeer) { p.send(`{"msg":7}`) },
		"over the bound":  func(p *ddpPeer) { p.send(roomMessage("GENERAL", "X", strings.Repeat("x", 70<<10), ts, ts, "")) },
		"top-level array": func(p *ddpPeer) { p.send(`[1,2,3]`) },
	} {
		t.Run(name, func(t *testing.T) {
			s := newDDPServer(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var logs syncBuffer
			events := listen(ctx, t, s.client(rocketchat.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))), "GENERAL")
			p := s.next()
			p.login()
			p.subscribe(2)
			hostile(p)
			p2 := s.next()
			p2.login()
			p2.subscribe(2)
			p2.send(roomMessage("GENERAL", "M1", "fine", ts, ts, ""))
			if ev := nextEvent(t, events); ev.Message.ID != "M1" {
				t.Errorf("got %v %s, want M1", ev.Kind, ev.Message.ID)
			}
			if !strings.Contains(logs.String(), "connection lost") {
				t.Errorf("the log does not say why the connection was dropped:\n%s", logs.String())
			}
		})
	}
}

// TestListenSlowConsumer: while the caller holds one event, the stream
// brings more than the queue's bound; the overflow is fetched again by a
// catch-up once the caller is ready, and every message comes once.
func TestListenSlowConsumer(t *testing.T) {
	rocketchat.SetListenTuning(t, rocketchat.ListenTuning{BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxQueued: 4 << 10})
	s := newDDPServer(t)
	start := time.Now()
	const n = 40
	ready := make(chan struct{}) // closed when the catch-up may tell all
	s.sync = func(w http.ResponseWriter, r *http.Request) {
		var items []string
		select {
		case <-ready:
			for i := range n {
				at := start.Add(time.Duration(i+1) * time.Millisecond)
				items = append(items, restMessage("GENERAL", fmt.Sprint("M", i), "flood", at, at, ""))
			}
		default:
		}
		w.Write([]byte(`{"result":{"updated":[` + strings.Join(items, ",") + `],"deleted":[]},"success":true}`))
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c := s.client()
	hold := make(chan struct{})
	got := make(chan rocketchat.MessageEvent, 2*n)
	done := make(chan struct{})
	go func() {
		defer close(done)
		first := true
		for ev, err := range c.Listen(ctx, "GENERAL") {
			if err != nil {
				return
			}
			got <- ev
			if first {
				first = false
				<-hold
			}
		}
	}()
	defer func() { cancel(); <-done }()
	p := s.next()
	p.login()
	p.subscribe(2)
	for i := range n {
		at := start.Add(time.Duration(i+1) * time.Millisecond).UnixMilli()
		p.send(roomMessage("GENERAL", fmt.Sprint("M", i), "flood", at, at, ""))
	}
	// The pong of a ping sent after the flood proves the reader read it
	// all while the caller was busy.
	p.keepPings = true
	p.send(`{"msg":"ping","id":"after-flood"}`)
	p.expect("pong")
	close(ready)
	close(hold)
	seen := map[string]int{}
	missed := 0
	for len(seen) < n {
		ev := <-got
		seen[ev.Message.ID]++
		if ev.Missed {
			missed++
		}
		if ev.Kind != rocketchat.MessagePosted || seen[ev.Message.ID] > 1 {
			t.Fatalf("got %v %s (%d times)", ev.Kind, ev.Message.ID, seen[ev.Message.ID])
		}
	}
	if missed == 0 {
		t.Error("no event came from the catch-up: the queue was not bounded")
	}
	// One more live message: nothing else is on its way before it.
	p.send(roomMessage("GENERAL", "LAST", "last", start.Add(time.Second).UnixMilli(), start.Add(time.Second).UnixMilli(), ""))
	if ev := <-got; ev.Message.ID != "LAST" {
		t.Errorf("got %v %s after the flood, want LAST", ev.Kind, ev.Message.ID)
	}
}
