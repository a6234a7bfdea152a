package rocketchat_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	jsonv2 "github.com/go-json-experiment/json"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// floodServer plays the handshake of any client, then sends a flood of
// stream events of distinct messages as fast as the client reads them.
// chat.syncMessages answers the flood's messages updated after
// lastUpdate, so that a listener's catch-up finds what it dropped.
type floodServer struct {
	srv *httptest.Server
	n   atomic.Int64 // events per connection
	// written is how many events of the flood went out so far: the
	// catch-up knows only of messages already sent, as a server would.
	written atomic.Int64
	base    int64 // ts of the first message, Unix ms
	once    sync.Once
	sent    chan struct{} // closed once a connection was sent the whole flood
}

func newFloodServer(b *testing.B) *floodServer {
	f := &floodServer{base: time.Now().Add(time.Hour).UnixMilli(), sent: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/websocket", f.serve)
	mux.HandleFunc("GET /api/v1/chat.syncMessages", f.sync)
	f.srv = httptest.NewServer(mux)
	b.Cleanup(f.srv.Close)
	return f
}

// frame appends the i-th event: a message as Rocket.Chat 8.x streams it.
func (f *floodServer) frame(dst []byte, i int64) []byte {
	ts := strconv.AppendInt(nil, f.base+i, 10)
	id := strconv.AppendInt([]byte("msg"), i, 10)
	dst = append(dst, `{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"GENERAL","args":[{"_id":"`...)
	dst = append(dst, id...)
	dst = append(dst, `","rid":"GENERAL","msg":"deploy finished on cluster eu-west-1, 12 of 12 pods ready","ts":{"$date":`...)
	dst = append(dst, ts...)
	dst = append(dst, `},"u":{"_id":"hBcYZxN7K4wz2QkQp","username":"alice","name":"Alice Example"},"_updatedAt":{"$date":`...)
	dst = append(dst, ts...)
	dst = append(dst, `},"urls":[],"mentions":[],"channels":[],"md":[{"type":"PARAGRAPH","value":[{"type":"PLAIN_TEXT","value":"deploy finished on cluster eu-west-1, 12 of 12 pods ready"}]}]}]}}`...)
	return dst
}

func (f *floodServer) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	f.written.Store(0) // a new connection's flood starts anew
	ctx := r.Context()
	subs := 0
	for subs < 2 {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var in struct {
			Msg string `json:"msg"`
			ID  string `json:"id"`
		}
		if jsonv2.Unmarshal(b, &in) != nil {
			return
		}
		var out string
		switch in.Msg {
		case "connect":
			out = `{"msg":"connected","session":"s"}`
		case "method":
			out = `{"msg":"result","id":"` + in.ID + `","result":{"id":"U1","token":"t","tokenExpires":{"$date":1796417505309},"type":"resume"}}`
		case "sub":
			subs++
			out = `{"msg":"ready","subs":["` + in.ID + `"]}`
		case "ping":
			out = `{"msg":"pong"}`
		default:
			continue
		}
		if ws.Write(ctx, websocket.MessageText, []byte(out)) != nil {
			return
		}
	}
	closed := make(chan struct{})
	go func() { // keep reading: pings and the close
		defer close(closed)
		for {
			if _, _, err := ws.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	var buf []byte
	for i := range f.n.Load() {
		buf = f.frame(buf[:0], i)
		if ws.Write(ctx, websocket.MessageText, buf) != nil {
			return
		}
		f.written.Store(i + 1)
	}
	f.once.Do(func() { close(f.sent) })
	// A hijacked connection's request context never ends: wait for the
	// client to close instead, so that the test server's Close returns.
	<-closed
}

func (f *floodServer) sync(w http.ResponseWriter, r *http.Request) {
	since, _ := time.Parse(time.RFC3339Nano, r.URL.Query().Get("lastUpdate"))
	buf := []byte(`{"result":{"updated":[`)
	first := true
	for i := f.written.Load() - 1; i >= 0; i-- { // newest first, as the server lists
		at := time.UnixMilli(f.base + i)
		if !at.After(since) {
			break
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = fmt.Appendf(buf, `{"_id":"msg%d","rid":"GENERAL","msg":"deploy finished on cluster eu-west-1, 12 of 12 pods ready","ts":%q,"u":{"_id":"hBcYZxN7K4wz2QkQp","username":"alice","name":"Alice Example"},"_updatedAt":%q,"urls":[],"mentions":[],"channels":[]}`,
			i, iso(at), iso(at))
	}
	buf = append(buf, `],"deleted":[]},"success":true}`...)
	w.Write(buf)
}

// bareMessage is what a bare client decodes: a tagged struct with a
// $date leaf.
type bareFrame struct {
	Msg    string `json:"msg"`
	Fields struct {
		EventName string        `json:"eventName"`
		Args      []bareMessage `json:"args"`
	} `json:"fields"`
}

type bareMessage struct {
	ID        string             `json:"_id"`
	RoomID    string             `json:"rid"`
	Text      string             `json:"msg"`
	User      rocketchat.UserRef `json:"u"`
	Timestamp struct {
		Date int64 `json:"$date"`
	} `json:"ts"`
	UpdatedAt struct {
		Date int64 `json:"$date"`
	} `json:"_updatedAt"`
}

// bareListen is the loop a user would write with coder/websocket and
// encoding/json/v2: handshake, then read and decode n events.
func bareListen(ctx context.Context, url string, n int64) error {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return err
	}
	defer ws.CloseNow()
	ws.SetReadLimit(16 << 20)
	for _, out := range []string{
		`{"msg":"connect","version":"1","support":["1"]}`,
		`{"msg":"method","method":"login","id":"1","params":[{"resume":"t"}]}`,
		`{"msg":"sub","id":"2","name":"stream-room-messages","params":["GENERAL",false]}`,
		`{"msg":"sub","id":"3","name":"stream-notify-room","params":["GENERAL/deleteMessage",false]}`,
	} {
		if err := ws.Write(ctx, websocket.MessageText, []byte(out)); err != nil {
			return err
		}
	}
	var got int64
	for got < n {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return err
		}
		var f bareFrame
		if err := jsonv2.Unmarshal(b, &f); err != nil {
			return err
		}
		if f.Msg == "changed" {
			got += int64(len(f.Fields.Args))
		}
	}
	return nil
}

// listenEvents is the flood one call of BenchmarkCompare's Listen case
// reads.
const listenEvents = 10000

// compareSides are the sides of BenchmarkCompare's Listen case: Listen
// and the bare loop, each reading listenEvents events of the flood on a
// connection of its own.
//
// The flood's messages are dated before the listener starts, so that its
// first catch-up (what was said between the call and the subscription)
// finds none of them: the case measures events as they stream, not a
// catch-up racing a flood faster than any server sends.
func (f *floodServer) compareSides(b *testing.B) []compareSide {
	f.n.Store(listenEvents)
	f.base = time.Now().Add(-time.Hour).UnixMilli()
	c, err := rocketchat.NewClient(f.srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: "U1", Token: "t"}))
	if err != nil {
		b.Fatal(err)
	}
	url := "ws" + f.srv.URL[len("http"):] + "/websocket"
	listen := func(ctx context.Context) error {
		got := 0
		for _, err := range c.Listen(ctx, "GENERAL") {
			if err != nil {
				return err
			}
			if got++; got == listenEvents {
				break
			}
		}
		return nil
	}
	bare := func(ctx context.Context) error { return bareListen(ctx, url, listenEvents) }
	return []compareSide{{name: "sdk", call: listen}, {name: "v2", call: bare}}
}

// BenchmarkListenLatency: from alice's REST post to the bot's event on
// loopback, with the fake server; reports the median and the 99th
// percentile.
func BenchmarkListenLatency(b *testing.B) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "bot", Roles: []string{"bot"}}),
		rocketchattest.WithUser(rocketchattest.User{Username: "alice", Roles: []string{"user", "bot"}}),
	)
	b.Cleanup(srv.Close)
	client := func(user string) *rocketchat.Client {
		id, tok := srv.PersonalAccessToken(user)
		c, err := rocketchat.NewClient(srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: tok}))
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	bot, alice := client("bot"), client("alice")
	ctx, cancel := context.WithCancel(b.Context())
	// The listener runs from before the first post, as a bot's loop does;
	// it starts on its own goroutine, so a message posted afterwards is
	// either streamed or caught up.
	events := make(chan rocketchat.MessageEvent, 64)
	go func() {
		defer close(events)
		for ev, err := range bot.Listen(ctx, "GENERAL") {
			if err != nil {
				return
			}
			events <- ev
		}
	}()
	defer func() {
		cancel()
		for range events {
		}
	}()
	post := func() time.Duration {
		start := time.Now()
		m, err := alice.PostMessage(ctx, rocketchat.NewMessage{RoomID: "GENERAL", Text: "ping"})
		if err != nil {
			b.Fatal(err)
		}
		for ev := range events {
			if ev.Message.ID == m.ID {
				return time.Since(start)
			}
		}
		b.Fatal("the listener ended")
		return 0
	}
	post() // the subscription is ready (or the catch-up delivered it)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		lat = append(lat, post())
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkListenSlowConsumerFlood: 20,000 events arrive while the
// caller is still busy with the first; then it reads on. Reports the
// peak of live heap objects while the flood lasts, and fails unless every
// message came exactly once.
func BenchmarkListenSlowConsumerFlood(b *testing.B) {
	const n = 20000
	for range b.N {
		f := newFloodServer(b)
		f.n.Store(n)
		c, err := rocketchat.NewClient(f.srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: "U1", Token: "t"}))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var peak atomic.Uint64
		stopSampling := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
				select {
				case <-stopSampling:
					return
				case <-t.C:
				}
			}
		}()
		seen := make(map[string]bool, n)
		missed := 0
		first := true
		for ev, err := range c.Listen(b.Context(), "GENERAL") {
			if err != nil {
				b.Fatal(err)
			}
			if seen[ev.Message.ID] {
				b.Fatalf("%s came twice", ev.Message.ID)
			}
			seen[ev.Message.ID] = true
			if ev.Missed {
				missed++
			}
			if first {
				// The busy caller: it reads on only once the whole flood
				// has been written to the socket.
				first = false
				<-f.sent
			}
			if len(seen) == n {
				break
			}
		}
		close(stopSampling)
		<-sampled
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(missed), "caught-up-events")
	}
}
