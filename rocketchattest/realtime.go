package rocketchattest

import (
	"context"
	"crypto/rand"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// defaultRealtimeQueue bounds the frames waiting to be written to one
// WebSocket. A client that lets more pile up is a slow consumer and is
// dropped, as a real server drops one whose send buffer overflows.
const defaultRealtimeQueue = 4096

// maxRealtimeFrame bounds what the server reads of one client frame.
const maxRealtimeFrame = 1 << 20

// WithRealtimeHeartbeat sets the realtime API's heartbeat: after d
// without a frame from the client the server sends {"msg":"ping"}, and
// closes the WebSocket (status 1000) if nothing arrives within another
// d, as Meteor's DDP server does with its 15-second default. Tests set
// a few milliseconds to see a client answer pings, or be dropped for
// not answering. d <= 0 turns the server's pings off.
func WithRealtimeHeartbeat(d time.Duration) Option {
	return func(c *config) { c.realtimeHeartbeat = max(d, 0) }
}

// WithRealtimeSendQueue bounds how many frames may wait to be written to
// one WebSocket (4096 by default). A client that reads too slowly for
// the frames it is sent sees its WebSocket closed when the bound is
// passed, as a real server drops a slow consumer.
func WithRealtimeSendQueue(n int) Option {
	return func(c *config) { c.realtimeQueue = max(n, 1) }
}

// WithRealtimeSubscriptionLimit limits subscriptions to n per window
// per WebSocket and stream name, as Rocket.Chat's DDP rate limiter does
// for stream-* names (40 per 40 seconds with the default settings). A
// subscription over the limit is refused with nosub and a
// too-many-requests error whose details.timeToReset says in how many
// milliseconds the window ends. The window follows [WithClock]. Without
// this option subscriptions are not limited.
func WithRealtimeSubscriptionLimit(n int, window time.Duration) Option {
	return func(c *config) { c.realtimeSubLimit = rateLimit{limit: max(n, 0), window: window} }
}

// WithShowDeletedStatus turns Message_ShowDeletedStatus on: a deleted
// message stays, emptied and marked t:"rm" (with editedAt and editedBy
// of who deleted it), and subscribers of its room receive it as an
// update on stream-room-messages instead of a stream-notify-room
// <rid>/deleteMessage event. Servers differ in this setting; the default
// is off, as on a fresh workspace.
func WithShowDeletedStatus() Option {
	return func(c *config) { c.showDeletedStatus = true }
}

// realtime holds the open WebSockets of the realtime API.
//
// Lock order: Server.mu, then realtime.mu.
type realtime struct {
	heartbeat time.Duration
	queue     int
	subLimit  rateLimit

	// afterFrame, when set (by tests, before any WebSocket opens), runs
	// after each client frame is handled.
	afterFrame func(*rtConn)

	mu     sync.Mutex
	conns  map[*rtConn]struct{}
	closed bool
	wg     sync.WaitGroup // one per connection being served
	// subscribed is closed, and replaced, when a subscription to a room's
	// messages becomes ready.
	subscribed chan struct{}
}

// WaitSubscribed returns once a realtime session logged in as username
// has a ready subscription to room messages (a room's or every joined
// room's, as [rocketchat.Client.Listen] makes): from then on it hears
// every message posted. A test of a listening bot posts after it, so that
// what it posts is not said before the bot listens. It returns ctx's
// error if ctx ends first. Sessions closed by DropRealtime do not count.
func (s *Server) WaitSubscribed(ctx context.Context, username string) error {
	for {
		s.mu.Lock()
		ready := false
		for _, c := range s.rt.snapshot() {
			if !c.dropped.Load() && c.user != nil && c.user.Username == username && c.hasRoomMessagesLocked() {
				ready = true
			}
		}
		s.rt.mu.Lock()
		changed := s.rt.subscribed
		s.rt.mu.Unlock()
		s.mu.Unlock()
		if ready {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// signalSubscribed wakes WaitSubscribed.
func (rt *realtime) signalSubscribed() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	close(rt.subscribed)
	rt.subscribed = make(chan struct{})
}

// DropRealtime closes every open WebSocket of the realtime API at once,
// without a closing handshake, as a server restart does: clients see
// their connection end and must connect, log in and subscribe again.
// The server keeps accepting new WebSockets.
func (s *Server) DropRealtime() {
	for _, c := range s.rt.snapshot() {
		c.dropped.Store(true)
		c.ws.CloseNow()
	}
}

// SilenceRealtime(true) makes every WebSocket open now go silent, as a
// dead peer or a broken network path does: the server sends nothing
// more on them (no events, no answers, no pongs, no pings) while the
// sockets stay open and what clients send is still read. WebSockets
// opened afterwards are not silenced, so a client that notices the
// silence and reconnects is served again. SilenceRealtime(false) lets
// the open ones speak again; what they were not sent meanwhile is lost.
func (s *Server) SilenceRealtime(on bool) {
	for _, c := range s.rt.snapshot() {
		c.silenced.Store(on)
	}
}

func (rt *realtime) snapshot() []*rtConn {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make([]*rtConn, 0, len(rt.conns))
	for c := range rt.conns {
		out = append(out, c)
	}
	return out
}

// shutdown closes every WebSocket and waits until their goroutines are
// gone; no new one is accepted afterwards.
func (rt *realtime) shutdown() {
	rt.mu.Lock()
	rt.closed = true
	rt.mu.Unlock()
	for _, c := range rt.snapshot() {
		c.ws.CloseNow()
	}
	rt.wg.Wait()
}

// rtConn is one WebSocket of the realtime API: a DDP session.
type rtConn struct {
	s   *Server
	ws  *websocket.Conn
	ctx context.Context
	// cancel ends the session: the writer stops and the WebSocket closes.
	cancel context.CancelFunc
	// send queues frames for the writer; a nil frame closes the WebSocket
	// normally once the frames before it are written.
	send chan []byte
	// activity is signalled on every frame read, for the heartbeat.
	activity  chan struct{}
	seen      atomic.Bool
	connected atomic.Bool
	silenced  atomic.Bool
	dropped   atomic.Bool // closed by DropRealtime, still being torn down

	// Guarded by Server.mu, since publishing reads them under it.
	user     *account
	token    string
	subs     []*rtSub // in the order they were made, which events follow
	subCalls map[string]*subWindow
}

// serveWebSocket is GET /websocket: Meteor's raw DDP endpoint.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		// Meteor accepts any origin.
		InsecureSkipVerify: true,
	})
	if err != nil {
		// Accept has answered the request already.
		return
	}
	ws.SetReadLimit(maxRealtimeFrame)
	ctx, cancel := context.WithCancel(context.Background())
	c := &rtConn{
		s: s, ws: ws, ctx: ctx, cancel: cancel,
		send:     make(chan []byte, s.rt.queue),
		activity: make(chan struct{}, 1),
	}
	s.rt.mu.Lock()
	if s.rt.closed {
		s.rt.mu.Unlock()
		cancel()
		ws.CloseNow()
		return
	}
	s.rt.conns[c] = struct{}{}
	s.rt.wg.Add(1)
	s.rt.mu.Unlock()
	defer s.rt.wg.Done()

	unsubscribe := s.subscribeChanges(c)
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop(s.rt.heartbeat)
	}()
	if s.gen.ddpWelcome {
		c.enqueue(frameServerID)
	}
	c.readLoop()

	cancel()
	unsubscribe()
	<-writerDone
	ws.CloseNow()
	s.rt.mu.Lock()
	delete(s.rt.conns, c)
	s.rt.mu.Unlock()
}

// subscribeChanges makes the store's changes reach the connection's
// subscriptions.
func (s *Server) subscribeChanges(c *rtConn) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.changes.subscribe(c.deliverLocked)
}

// enqueue queues a frame for the writer without ever blocking: a
// connection whose queue is full is a slow consumer and is dropped.
func (c *rtConn) enqueue(frame []byte) {
	if c.silenced.Load() {
		return
	}
	select {
	case c.send <- frame:
	default:
		c.cancel()
	}
}

// closeNormally closes the WebSocket with status 1000 once the frames
// queued before are written, as Meteor closes a session.
func (c *rtConn) closeNormally() {
	select {
	case c.send <- nil:
	default:
		c.cancel()
	}
}

// readLoop reads the client's frames until the WebSocket ends.
func (c *rtConn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		// Any frame counts as a sign of life for the heartbeat.
		c.seen.Store(true)
		select {
		case c.activity <- struct{}{}:
		default:
		}
		if typ != websocket.MessageText {
			continue
		}
		c.handle(data)
		if f := c.s.rt.afterFrame; f != nil {
			f(c)
		}
	}
}

// writeLoop writes queued frames and runs the server's heartbeat
// (Meteor's ddp-common/heartbeat.js): every interval, a connection that
// sent nothing since the last check gets a ping, and is closed if
// nothing arrives within another interval.
func (c *rtConn) writeLoop(interval time.Duration) {
	defer c.cancel()
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	var timeout *time.Timer
	var timedOut <-chan time.Time
	stopTimeout := func() {
		if timeout != nil {
			timeout.Stop()
			timeout, timedOut = nil, nil
		}
	}
	defer stopTimeout()
	for {
		select {
		case <-c.ctx.Done():
			return
		case f := <-c.send:
			if f == nil {
				c.ws.Close(websocket.StatusNormalClosure, "")
				return
			}
			if c.silenced.Load() {
				continue
			}
			if err := c.ws.Write(c.ctx, websocket.MessageText, f); err != nil {
				return
			}
		case <-tick:
			if !c.connected.Load() || c.seen.Swap(false) || timedOut != nil {
				continue
			}
			if !c.silenced.Load() {
				if err := c.ws.Write(c.ctx, websocket.MessageText, framePing); err != nil {
					return
				}
			}
			timeout = time.NewTimer(interval)
			timedOut = timeout.C
		case <-c.activity:
			stopTimeout()
		case <-timedOut:
			c.ws.Close(websocket.StatusNormalClosure, "")
			return
		}
	}
}

// randomID is a fresh Meteor Random.id(): 17 characters of Meteor's
// alphabet.
func randomID() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"
	b := make([]byte, 17)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
