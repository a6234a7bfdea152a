// Package ddp is a small client of Meteor's DDP protocol over a WebSocket,
// as Rocket.Chat's realtime API speaks it: connect, method calls,
// subscriptions, the events of streams, and heartbeats both ways.
//
// One goroutine reads the connection and answers the server's pings; a
// second one sends pings when the connection is idle and closes it when
// the peer stays silent. Neither ever waits for the user of the
// connection: stream events are handed to a callback that must not block.
package ddp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Options configure a connection.
type Options struct {
	// HTTPClient dials the WebSocket: its transport (proxies, TLS roots)
	// and its timeout, which bounds the handshake.
	HTTPClient *http.Client
	// Header is sent with the handshake (User-Agent).
	Header http.Header
	// ReadLimit bounds one frame; a larger frame closes the connection.
	ReadLimit int64
	// PingAfter is how long the connection may be idle (no frame
	// received) before a DDP ping is sent.
	PingAfter time.Duration
	// DeadAfter is how long without any frame makes the peer dead: the
	// connection is closed.
	DeadAfter time.Duration
	// OnChanged receives the arguments of each "changed" frame of a
	// stream, positioned at the args array, on the reading goroutine. It
	// must read exactly that value and must not block; an error closes
	// the connection.
	OnChanged func(collection, eventName string, args *jsontext.Decoder) error
}

// Conn is a DDP connection. Its methods are safe for concurrent use.
type Conn struct {
	ws   *websocket.Conn
	opts Options

	ctx    context.Context // ends when the connection closes
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// opened and lastRead measure idleness on the monotonic clock: the
	// wall clock may jump (a suspended machine, a clock set by hand).
	opened   time.Time
	lastRead atomic.Int64 // time since opened at the last frame received
	nextID   atomic.Uint64

	mu      sync.Mutex
	pending map[string]chan reply // method and subscription ids waiting for their answer
	err     error                 // why the connection closed
	done    chan struct{}         // closed when the connection is closed

	connected chan string // the session id, once
}

// reply is the answer to a method call or a subscription.
type reply struct {
	result jsontext.Value
	err    error
}

// Dial opens a DDP connection to url (ws:// or wss://) and completes the
// DDP handshake (connect, connected).
func Dial(ctx context.Context, url string, opts Options) (*Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient: opts.HTTPClient,
		HTTPHeader: opts.Header,
	})
	if err != nil {
		return nil, err
	}
	if opts.ReadLimit > 0 {
		ws.SetReadLimit(opts.ReadLimit)
	}
	c := &Conn{
		ws:        ws,
		opts:      opts,
		pending:   make(map[string]chan reply),
		done:      make(chan struct{}),
		connected: make(chan string, 1),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.opened = time.Now()
	c.wg.Add(2)
	go c.read()
	go c.keepAlive()

	if err := c.send(ctx, connectFrame{Msg: "connect", Version: "1", Support: []string{"1", "pre2", "pre1"}}); err != nil {
		c.Close()
		return nil, err
	}
	select {
	case <-c.connected:
		return c, nil
	case <-c.done:
		c.Close()
		return nil, c.Err()
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	}
}

// Done is closed when the connection has closed, for whatever reason;
// Err then says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the connection closed; nil while it is open.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close closes the connection at once and waits for its goroutines.
func (c *Conn) Close() {
	c.fail(errClosed)
	c.wg.Wait()
}

var errClosed = errors.New("ddp: connection closed")

// fail closes the connection for reason err; the first reason stays.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	pending := c.pending
	c.pending = nil
	close(c.done)
	c.mu.Unlock()
	c.cancel()
	_ = c.ws.CloseNow()
	for _, ch := range pending {
		ch <- reply{err: err}
	}
}

// Call calls a method and returns its result: nil when the server sent
// none (Rocket.Chat's sendMessage swallows its errors that way). A
// refusal is an *Error.
func (c *Conn) Call(ctx context.Context, method string, params ...any) (jsontext.Value, error) {
	id, ch, err := c.await()
	if err != nil {
		return nil, err
	}
	if params == nil {
		params = []any{}
	}
	if err := c.send(ctx, methodFrame{Msg: "method", ID: id, Method: method, Params: params}); err != nil {
		c.forget(id)
		return nil, err
	}
	return c.wait(ctx, id, ch)
}

// Subscribe subscribes to a publication and returns once it is ready. A
// refusal (nosub) is an *Error; a nosub without an error object, as
// Rocket.Chat 3.x sends, is an *Error with an empty code.
func (c *Conn) Subscribe(ctx context.Context, name string, params ...any) error {
	id, ch, err := c.await()
	if err != nil {
		return err
	}
	if params == nil {
		params = []any{}
	}
	if err := c.send(ctx, subFrame{Msg: "sub", ID: id, Name: name, Params: params}); err != nil {
		c.forget(id)
		return err
	}
	_, err = c.wait(ctx, id, ch)
	return err
}

// await registers a new id whose answer the reader will deliver.
func (c *Conn) await() (string, chan reply, error) {
	id := strconv.FormatUint(c.nextID.Add(1), 10)
	ch := make(chan reply, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		return "", nil, c.err
	}
	c.pending[id] = ch
	return id, ch, nil
}

func (c *Conn) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending != nil {
		delete(c.pending, id)
	}
}

func (c *Conn) wait(ctx context.Context, id string, ch chan reply) (jsontext.Value, error) {
	select {
	case r := <-ch:
		return r.result, r.err
	case <-ctx.Done():
		c.forget(id)
		return nil, ctx.Err()
	}
}

// deliver hands an answer to whoever waits for id; an answer nobody
// waits for is dropped.
func (c *Conn) deliver(id string, r reply) {
	c.mu.Lock()
	ch, ok := c.pending[id]
	if ok {
		delete(c.pending, id)
	}
	c.mu.Unlock()
	if ok {
		ch <- r
	}
}

// writeTimeout bounds one write: a peer that does not read for that long
// is as good as dead. coder/websocket closes the connection when a
// write's context expires.
const writeTimeout = 10 * time.Second

func (c *Conn) send(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.write(ctx, b)
}

func (c *Conn) write(ctx context.Context, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		if cerr := c.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("ddp: write: %w", err)
	}
	return nil
}

// keepAlive pings an idle connection and closes it when no frame arrived
// for DeadAfter. WebSocket control frames do not count: Rocket.Chat
// answers DDP pings only.
func (c *Conn) keepAlive() {
	defer c.wg.Done()
	pingAfter, deadAfter := c.opts.PingAfter, c.opts.DeadAfter
	if pingAfter <= 0 || deadAfter <= 0 {
		return
	}
	tick := min(pingAfter, deadAfter) / 2
	t := time.NewTicker(tick)
	defer t.Stop()
	var pinged int64 // lastRead when the last ping went out
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			last := c.lastRead.Load()
			idle := time.Since(c.opened) - time.Duration(last)
			switch {
			case idle >= deadAfter:
				c.fail(fmt.Errorf("ddp: no frame from the server for %v", idle.Round(time.Millisecond)))
				return
			case idle >= pingAfter && pinged != last:
				pinged = last
				_ = c.write(c.ctx, pingFrame) // a failed write closes the connection
			}
		}
	}
}

var pingFrame = []byte(`{"msg":"ping"}`)

// read is the one reader of the connection.
func (c *Conn) read() {
	defer c.wg.Done()
	var buf bytes.Buffer
	for {
		typ, r, err := c.ws.Reader(c.ctx)
		if err != nil {
			c.fail(fmt.Errorf("ddp: read: %w", err))
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			c.fail(fmt.Errorf("ddp: read: %w", err))
			return
		}
		c.lastRead.Store(int64(time.Since(c.opened)))
		if typ != websocket.MessageText {
			c.fail(errors.New("ddp: the server sent a binary frame"))
			return
		}
		if err := c.handle(buf.Bytes()); err != nil {
			c.fail(err)
			return
		}
		if buf.Cap() > keptBuffer {
			buf = bytes.Buffer{} // do not keep one huge frame's memory
		}
	}
}

// keptBuffer is the largest read buffer kept from one frame to the next.
const keptBuffer = 1 << 20
