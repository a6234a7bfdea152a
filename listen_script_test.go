package rocketchat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/go-rocketchat/rocketchat"
)

// A scripted realtime server: each test plays the server's side of the
// DDP conversation frame by frame, with the frames Rocket.Chat sends
// (shared/realtime.md), and serves the catch-up endpoints it needs.

// ddpServer accepts WebSockets at /websocket and hands each to the test.
type ddpServer struct {
	t     *testing.T
	srv   *httptest.Server
	mux   *http.ServeMux
	peers chan *ddpPeer

	mu   sync.Mutex
	open []*ddpPeer
	// sync answers chat.syncMessages: by default, nothing changed.
	sync http.HandlerFunc
}

func newDDPServer(t *testing.T) *ddpServer {
	s := &ddpServer{t: t, mux: http.NewServeMux(), peers: make(chan *ddpPeer, 16)}
	s.mux.HandleFunc("/websocket", s.accept)
	// The catch-up endpoints, as a server answers when nothing changed.
	s.mux.HandleFunc("GET /api/v1/chat.syncMessages", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.sync
		s.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Write([]byte(`{"result":{"updated":[],"deleted":[]},"success":true}`))
	})
	s.mux.HandleFunc("GET /api/v1/rooms.get", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"update":[],"remove":[],"success":true}`))
	})
	s.srv = httptest.NewServer(s.mux)
	t.Cleanup(func() {
		s.mu.Lock()
		for _, p := range s.open {
			p.close()
		}
		s.mu.Unlock()
		s.srv.Close()
	})
	return s
}

func (s *ddpServer) accept(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(1 << 20)
	p := &ddpPeer{t: s.t, ws: ws, done: make(chan struct{}), header: r.Header.Clone()}
	s.mu.Lock()
	s.open = append(s.open, p)
	s.mu.Unlock()
	s.peers <- p
	<-p.done
}

// client returns a client of the server with a resume token.
func (s *ddpServer) client(opts ...rocketchat.Option) *rocketchat.Client {
	s.t.Helper()
	opts = append([]rocketchat.Option{
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: "U1", Token: "tok-1"}),
		rocketchat.WithRetry(0, 0, 0),
	}, opts...)
	c, err := rocketchat.NewClient(s.srv.URL, opts...)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// next waits for the client's next connection.
func (s *ddpServer) next() *ddpPeer {
	s.t.Helper()
	select {
	case p := <-s.peers:
		return p
	case <-time.After(10 * time.Second): // a hang guard, not a wait
		s.t.Fatal("the client did not connect")
		return nil
	}
}

// ddpPeer is the server's end of one connection.
type ddpPeer struct {
	t      *testing.T
	ws     *websocket.Conn
	header http.Header
	once   sync.Once
	done   chan struct{}
	// keepPings hands the client's pings to the test instead of answering
	// them.
	keepPings bool
}

func (p *ddpPeer) close() {
	p.once.Do(func() {
		_ = p.ws.CloseNow()
		close(p.done)
	})
}

// frame is a received frame, decoded.
type frame map[string]any

func (f frame) str(key string) string { s, _ := f[key].(string); return s }

// read returns the client's next frame; the client's pings are answered
// unless keepPings is set.
func (p *ddpPeer) read() frame {
	p.t.Helper()
	for {
		f, err := p.tryRead()
		if err != nil {
			p.t.Fatalf("reading the client's frame: %v", err)
		}
		if f.str("msg") == "ping" && !p.keepPings {
			p.pong(f)
			continue
		}
		return f
	}
}

func (p *ddpPeer) tryRead() (frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	typ, b, err := p.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageText {
		return nil, fmt.Errorf("a %v frame", typ)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%v: %s", err, b)
	}
	return f, nil
}

func (p *ddpPeer) pong(ping frame) {
	if id, ok := ping["id"]; ok {
		p.sendf(`{"msg":"pong","id":%q}`, id)
	} else {
		p.send(`{"msg":"pong"}`)
	}
}

// send writes a text frame; a closed connection is not the test's
// business here (the client may have left).
func (p *ddpPeer) send(s string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = p.ws.Write(ctx, websocket.MessageText, []byte(s))
}

func (p *ddpPeer) sendf(format string, args ...any) { p.send(fmt.Sprintf(format, args...)) }

// expect reads a frame and checks its msg.
func (p *ddpPeer) expect(msg string) frame {
	p.t.Helper()
	f := p.read()
	if f.str("msg") != msg {
		p.t.Fatalf("got frame %v, want msg %q", f, msg)
	}
	return f
}

// login plays connect and a successful resume login, as Rocket.Chat 7.x
// answers them.
func (p *ddpPeer) login() {
	p.t.Helper()
	c := p.expect("connect")
	if c.str("version") != "1" {
		p.t.Errorf("connect version %v, want 1", c["version"])
	}
	p.send(`{"msg":"connected","session":"Fh8xkwNDvdSCcNyYm"}`)
	l := p.expect("method")
	params, _ := l["params"].([]any)
	if l.str("method") != "login" || len(params) != 1 {
		p.t.Fatalf("got %v, want a login", l)
	}
	if arg, _ := params[0].(map[string]any); arg["resume"] != "tok-1" {
		p.t.Fatalf("login %v, want resume tok-1", params[0])
	}
	p.sendf(`{"msg":"result","id":%q,"result":{"id":"U1","token":"tok-1","tokenExpires":{"$date":1796417505309},"type":"resume"}}`, l.str("id"))
	p.sendf(`{"msg":"updated","methods":[%q]}`, l.str("id"))
}

// subscribe reads n subscriptions and answers ready to each; it returns
// their (name, first param) pairs.
func (p *ddpPeer) subscribe(n int) [][2]string {
	p.t.Helper()
	var got [][2]string
	for range n {
		s := p.expect("sub")
		params, _ := s["params"].([]any)
		if len(params) != 2 {
			p.t.Fatalf("sub params %v, want [event, options]", s["params"])
		}
		event, _ := params[0].(string)
		if opts, _ := params[1].(map[string]any); opts["useCollection"] != false {
			p.t.Errorf("sub options %v, want useCollection false", params[1])
		}
		got = append(got, [2]string{s.str("name"), event})
		p.sendf(`{"msg":"ready","subs":[%q]}`, s.str("id"))
	}
	return got
}

// roomMessage is a stream-room-messages event as the server sends it.
func roomMessage(rid, id, text string, ts, updated int64, extra string) string {
	return fmt.Sprintf(`{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":%q,"args":[%s]}}`,
		rid, ejsonMessage(rid, id, text, ts, updated, extra))
}

func ejsonMessage(rid, id, text string, ts, updated int64, extra string) string {
	return fmt.Sprintf(`{"_id":%q,"rid":%q,"msg":%q,"ts":{"$date":%d},"u":{"_id":"U2","username":"alice","name":"Alice"},"_updatedAt":{"$date":%d},"urls":[],"mentions":[],"channels":[],"md":[{"type":"PARAGRAPH","value":[{"type":"PLAIN_TEXT","value":%q}]}]%s}`,
		id, rid, text, ts, updated, text, extra)
}

// restMessage is a message as chat.syncMessages returns it (ISO dates).
func restMessage(rid, id, text string, ts, updated time.Time, extra string) string {
	return fmt.Sprintf(`{"_id":%q,"rid":%q,"msg":%q,"ts":%q,"u":{"_id":"U2","username":"alice","name":"Alice"},"_updatedAt":%q,"urls":[],"mentions":[],"channels":[],"md":[{"type":"PARAGRAPH","value":[{"type":"PLAIN_TEXT","value":%q}]}]%s}`,
		id, rid, text, iso(ts), iso(updated), text, extra)
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// pair is one pair of Listen's iterator.
type pair struct {
	ev  rocketchat.MessageEvent
	err error
}

// listen ranges over Listen in a goroutine and hands each pair to the
// test; the channel closes when the iterator ends. pause, when not nil,
// is received from before each pair is handed on, to play a slow caller.
func listen(ctx context.Context, t *testing.T, c *rocketchat.Client, rooms ...string) <-chan pair {
	out := make(chan pair)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for ev, err := range c.Listen(ctx, rooms...) {
			select {
			case out <- pair{ev, err}:
			case <-ctx.Done():
				// Keep draining so that the iterator sees ctx end.
				if err != nil {
					return
				}
			}
		}
	}()
	t.Cleanup(func() { <-done })
	return out
}

// nextPair waits for the listener's next pair.
func nextPair(t *testing.T, ch <-chan pair) pair {
	t.Helper()
	select {
	case p, ok := <-ch:
		if !ok {
			t.Fatal("the iterator ended")
		}
		return p
	case <-time.After(10 * time.Second): // a hang guard, not a wait
		t.Fatal("no event")
		return pair{}
	}
}

// nextEvent waits for the next event and fails on an error.
func nextEvent(t *testing.T, ch <-chan pair) rocketchat.MessageEvent {
	t.Helper()
	p := nextPair(t, ch)
	if p.err != nil {
		t.Fatalf("Listen: %v", p.err)
	}
	return p.ev
}

// fastListen shortens the listener's reconnect waits for the test.
func fastListen(t *testing.T) {
	rocketchat.SetListenTuning(t, rocketchat.ListenTuning{BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond})
}
