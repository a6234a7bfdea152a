package rocketchat

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/go-rocketchat/rocketchat/internal/ddp"
	"github.com/go-rocketchat/rocketchat/internal/retry"
)

// EventKind says what happened to a message.
type EventKind int

const (
	// MessagePosted: a message shown for the first time.
	MessagePosted EventKind = iota + 1
	// MessageEdited: its text changed (editedAt moved).
	MessageEdited
	// MessageUpdated: re-sent without an edit: reactions, URL previews,
	// thread counters, pins.
	MessageUpdated
	// MessageDeleted: the message was deleted; Message holds its ID and
	// RoomID only.
	MessageDeleted
)

// String returns the kind's name, "MessagePosted" for example.
func (k EventKind) String() string {
	switch k {
	case MessagePosted:
		return "MessagePosted"
	case MessageEdited:
		return "MessageEdited"
	case MessageUpdated:
		return "MessageUpdated"
	case MessageDeleted:
		return "MessageDeleted"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// MessageEvent is one event of [Client.Listen].
type MessageEvent struct {
	Kind EventKind
	// Message is the message as the stream (or the catch-up) carries it.
	Message Message
	// RoomType is "c", "p", "d" or "l" when the server says, which it
	// does in all-rooms mode; else "".
	RoomType string
	// RoomName is the room's name when the server says (all-rooms mode);
	// else "".
	RoomName string
	// Missed is true for an event delivered by the catch-up after a
	// reconnect (or after a slow consumer's overflow), not live.
	Missed bool
}

// listenTuning holds the listener's timings and bounds; the tests shorten
// them.
var listenTuning = struct {
	// pingAfter: idle time before the listener pings; deadAfter: time
	// without any frame after which the peer is dead. Rocket.Chat pings
	// an idle client every 15 s (30 s on ddp-streamer).
	pingAfter, deadAfter time.Duration
	// backoffMin, backoffMax bound the wait before a reconnect.
	backoffMin, backoffMax time.Duration
	// maxQueued bounds the bytes of the events waiting for the caller.
	maxQueued int
	// readLimit bounds one frame; coder/websocket's default is 32 KiB,
	// too small for Rocket.Chat's messages with their markdown trees.
	readLimit int64
	// overlap is how far before the newest timestamp seen a catch-up
	// starts, for writes of other server instances whose clocks lag.
	overlap time.Duration
	// forgetAfter: what the caller was shown of a message last changed
	// this long before the newest change seen may be forgotten, once
	// more than minSeen messages are remembered.
	forgetAfter time.Duration
	minSeen     int
}{
	pingAfter:   20 * time.Second,
	deadAfter:   45 * time.Second,
	backoffMin:  250 * time.Millisecond,
	backoffMax:  30 * time.Second,
	maxQueued:   8 << 20,
	readLimit:   16 << 20,
	overlap:     time.Second,
	forgetAfter: time.Hour,
	minSeen:     10000,
}

// Listen yields the message events of the given rooms (IDs), or of every
// room the user has joined when rooms is empty (direct messages included;
// public channels the user has not joined are left out), in the order the
// server sent them, until ctx ends or the caller breaks.
//
// Listen opens one WebSocket per call to the server's realtime API
// (<base URL>/websocket), through the client's transport, and logs in with
// the client's current credentials (their token, resumed). It subscribes
// to each room's messages and deletes, or in all-rooms mode to the
// user's messages of every room. Messages are still sent with the REST
// calls, such as [Client.PostMessage].
//
// The first delivery of a message is MessagePosted, with its current
// text, unless the message was posted before Listen was called: then its
// changes come as MessageEdited or MessageUpdated. MessagePosted comes
// once per message whatever follows, so a bot that answers posted
// messages answers each exactly once. When Listen was called is read on
// the server's clock as the client knows it from the Date headers of
// earlier answers, to the second: a message posted in the second before
// the call may still come as MessagePosted. To keep its memory bounded,
// a long Listen forgets messages unchanged for an hour of the server's
// time behind the newest change it has seen; a message posted before
// that comes as MessageEdited or MessageUpdated if it shows up again,
// never as MessagePosted.
//
// A dropped connection, a server restart or a silent peer is repaired
// inside: Listen reconnects with backoff, logs in and subscribes again,
// then catches up on what happened meanwhile over REST
// (chat.syncMessages per room and, in all-rooms mode, rooms.get to learn
// which rooms changed), from the server's timestamps. Caught-up events
// have Missed set, oldest first; an event that both the stream and the
// catch-up deliver is yielded once. A caller slower than the stream
// loses nothing: the connection keeps being read, and when the events
// waiting for the caller pass a bound (8 MiB) the newest are dropped and
// fetched again by a catch-up once the caller is ready. [WithLogger]
// sees reconnects and catch-ups.
//
// What all-rooms mode cannot see: the server's __my_messages__ stream
// carries no deletes, and rooms.get names only rooms whose document
// changed (a new last message). So edits, reactions and deletes of older
// messages in other rooms while the connection was down, and live
// deletes the server does not mark as a "rm" message, are seen only when
// the rooms are named.
//
// The iterator ends, with (MessageEvent{}, err) as its last pair, only
// when repair cannot help: the server refused the resume login (err
// matches [ErrUnauthorized], whatever form the server's generation uses),
// refused a named room (err names the room and matches [ErrForbidden]),
// or ctx ended (err matches ctx.Err()). Rate-limited logins and
// subscriptions are waited out. Breaking out of the loop or ending ctx
// closes the connection and every goroutine of the listener.
func (c *Client) Listen(ctx context.Context, rooms ...string) iter.Seq2[MessageEvent, error] {
	return func(yield func(MessageEvent, error) bool) {
		l := newListener(c, rooms)
		l.run(ctx, yield)
	}
}

// listener is the state of one Listen call. The fields above mu belong to
// the caller's goroutine; those below it are shared with the reader.
type listener struct {
	c     *Client
	rooms []string // named rooms; empty: all-rooms mode
	start time.Time
	wsURL string
	// seen is what was yielded of each message, to yield each change once.
	seen map[string]seenMessage
	// latest is the newest _updatedAt the caller was shown; messages
	// posted before forgotten may have left seen, and are never again
	// MessagePosted. seen is pruned when it reaches pruneAt entries.
	latest, forgotten time.Time
	pruneAt           int
	attempt           int // failed connections or catch-ups in a row

	mu        sync.Mutex
	queue     []MessageEvent // events waiting for the caller, Kind 0 until classified
	queued    int            // their size in bytes
	spare     []MessageEvent
	cursor    map[string]time.Time // per room, the newest _updatedAt accepted
	newest    time.Time            // the newest of all
	gap       *gap                 // a catch-up to run
	available chan struct{}        // a token when the queue became non-empty
}

// seenMessage is what the caller was shown of a message.
type seenMessage struct {
	updatedAt, editedAt time.Time
	content             uint64 // fingerprint of what the caller saw
	deleted             bool
	at                  time.Time // the newest change seen then, for forgetting
}

// gap is a span the stream may have missed: from the cursors it holds.
type gap struct {
	cursor map[string]time.Time
	newest time.Time
	rooms  map[string]roomMeta // rooms known to have lost events (all-rooms mode)
	reason string
}

type roomMeta struct{ typ, name string }

func newListener(c *Client, rooms []string) *listener {
	l := &listener{
		c:         c,
		start:     c.limits.clock.now(time.Now()).Truncate(time.Millisecond),
		wsURL:     c.websocketURL(),
		seen:      make(map[string]seenMessage),
		pruneAt:   listenTuning.minSeen,
		cursor:    make(map[string]time.Time),
		available: make(chan struct{}, 1),
	}
	for _, r := range rooms {
		if r != "" && !contains(l.rooms, r) {
			l.rooms = append(l.rooms, r)
		}
	}
	// What is said between the call and the subscriptions' being ready
	// is caught up like any gap, so that nothing from the start on is
	// lost.
	l.openGapLocked("start", "", roomMeta{})
	return l
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// websocketURL is the realtime API's address: the base URL's path plus
// /websocket, on ws or wss.
func (c *Client) websocketURL() string {
	scheme := "ws"
	if c.origin.Scheme == "https" {
		scheme = "wss"
	}
	return scheme + "://" + c.origin.Host + c.websocketPath()
}

func (c *Client) websocketPath() string {
	return strings.TrimSuffix(c.apiPath, "api/") + "websocket"
}

// run is the caller's side: it connects, yields what the reader queued,
// repairs the connection and runs the catch-ups.
func (l *listener) run(ctx context.Context, yield func(MessageEvent, error) bool) {
	var conn *ddp.Conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			yield(MessageEvent{}, fmt.Errorf("rocketchat: Listen: %w", err))
			return
		}
		if conn == nil {
			var err error
			if conn, err = l.connect(ctx); err != nil {
				yield(MessageEvent{}, err)
				return
			}
		}
		if g := l.takeGap(); g != nil {
			// Events accepted before the gap opened go first, so that
			// live events keep the server's order.
			if !l.yieldQueued(yield) {
				return
			}
			events, err := l.catchUp(ctx, g)
			if err != nil {
				l.restoreGap(g)
				if ctx.Err() != nil {
					continue
				}
				l.log(ctx, slog.LevelWarn, "rocketchat: Listen: catch-up failed; reconnecting", slog.String("error", err.Error()))
				conn.Close()
				conn = nil
				if !l.sleep(ctx, l.backoff()) {
					continue
				}
				continue
			}
			l.attempt = 0
			for _, ev := range events {
				if l.accept(&ev) && !yield(ev, nil) {
					return
				}
			}
			continue
		}
		select {
		case <-l.available:
			if !l.yieldQueued(yield) {
				return
			}
		case <-conn.Done():
			reason := conn.Err().Error()
			l.log(ctx, slog.LevelWarn, "rocketchat: Listen: connection lost; reconnecting", slog.String("error", reason))
			conn.Close()
			conn = nil
			l.openGap(reason, "", roomMeta{})
		case <-ctx.Done():
		}
	}
}

// yieldQueued yields every event queued now; false when the caller
// stopped.
func (l *listener) yieldQueued(yield func(MessageEvent, error) bool) bool {
	l.mu.Lock()
	batch := l.queue
	l.queue, l.spare = l.spare[:0], nil
	l.queued = 0
	l.mu.Unlock()
	defer func() {
		clear(batch)
		l.mu.Lock()
		l.spare = batch[:0]
		l.mu.Unlock()
	}()
	for i := range batch {
		if l.accept(&batch[i]) && !yield(batch[i], nil) {
			return false
		}
	}
	return true
}

// accept decides an event's kind from what the caller was shown of its
// message, and reports whether it is news.
func (l *listener) accept(ev *MessageEvent) bool {
	m := &ev.Message
	s, ok := l.seen[m.ID]
	if m.UpdatedAt.After(l.latest) {
		l.latest = m.UpdatedAt
	}
	if ev.Kind == MessageDeleted || m.Type == "rm" {
		if s.deleted {
			return false
		}
		l.remember(m.ID, seenMessage{updatedAt: m.UpdatedAt, deleted: true})
		ev.Kind = MessageDeleted
		*m = Message{ID: m.ID, RoomID: m.RoomID}
		return true
	}
	content := fingerprint(m)
	// _updatedAt has whole milliseconds: two changes within one (a post
	// and its edit, two reactions) share it, and only their content tells
	// them apart.
	if ok && (s.deleted || m.UpdatedAt.Before(s.updatedAt) || m.UpdatedAt.Equal(s.updatedAt) && content == s.content) {
		return false
	}
	switch {
	case !ok && !m.Timestamp.Before(l.start) && !m.Timestamp.Before(l.forgotten):
		ev.Kind = MessagePosted
	case !m.EditedAt.IsZero() && !m.EditedAt.Equal(s.editedAt) && (ok || !m.EditedAt.Before(l.start)):
		ev.Kind = MessageEdited
	default:
		ev.Kind = MessageUpdated
	}
	l.remember(m.ID, seenMessage{updatedAt: m.UpdatedAt, editedAt: m.EditedAt, content: content})
	return true
}

// remember records what the caller was shown of a message. So that a
// long Listen keeps bounded memory, when seen has grown to pruneAt it
// forgets the messages whose last change is older than the newest by
// listenTuning.forgetAfter: no catch-up reaches that far back, and a
// change of one of them later is an edit or an update, never a post.
func (l *listener) remember(id string, s seenMessage) {
	s.at = l.latest
	l.seen[id] = s
	if len(l.seen) < l.pruneAt {
		return
	}
	cutoff := l.latest.Add(-listenTuning.forgetAfter)
	for id, s := range l.seen {
		if s.at.Before(cutoff) {
			delete(l.seen, id)
		}
	}
	if cutoff.After(l.forgotten) {
		l.forgotten = cutoff
	}
	l.pruneAt = max(2*len(l.seen), listenTuning.minSeen)
}

// fingerprintSeed is the seed of every listener's fingerprints: they are
// compared within one process only.
var fingerprintSeed = maphash.MakeSeed()

// fingerprint hashes what a change to a message can alter without moving
// its _updatedAt to another millisecond: text, edit, type, reactions and
// attachments. The stream's copy and the catch-up's decode to the same
// Message, and so to the same fingerprint.
func fingerprint(m *Message) uint64 {
	var h maphash.Hash
	h.SetSeed(fingerprintSeed)
	h.WriteString(m.Text)
	h.WriteByte(0)
	h.WriteString(m.Type)
	h.WriteByte(0)
	maphash.WriteComparable(&h, m.EditedAt.UnixNano())
	var emojis []string
	if len(m.Reactions) > 0 { // no iterator to allocate for the common case
		emojis = slices.Sorted(maps.Keys(m.Reactions))
	}
	for _, e := range emojis {
		h.WriteString(e)
		h.WriteByte(0)
		for _, u := range m.Reactions[e] {
			h.WriteString(u)
			h.WriteByte(0)
		}
		h.WriteByte(1)
	}
	for _, a := range m.Attachments {
		h.WriteString(a.Title)
		h.WriteByte(0)
		h.WriteString(a.Text)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// connect opens a connection, logs in and subscribes, retrying with
// backoff until it works or cannot work.
func (l *listener) connect(ctx context.Context) (*ddp.Conn, error) {
	for {
		conn, err := l.session(ctx)
		if err == nil {
			return conn, nil
		}
		var fatal *fatalError
		switch {
		case errors.As(err, &fatal):
			return nil, fatal.err
		case ctx.Err() != nil:
			return nil, fmt.Errorf("rocketchat: Listen: %w", ctx.Err())
		}
		wait := l.backoff()
		l.log(ctx, slog.LevelWarn, "rocketchat: Listen: cannot connect; retrying",
			slog.String("error", err.Error()), slog.Duration("wait", wait))
		l.openGap(err.Error(), "", roomMeta{})
		l.sleep(ctx, wait)
	}
}

// fatalError ends the listener: repair cannot help.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

func (l *listener) backoff() time.Duration {
	l.attempt++
	t := &listenTuning
	return retry.Backoff(l.attempt, t.backoffMin, t.backoffMax, rand.Float64())
}

// sleep waits d or until ctx ends; false when ctx ended.
func (l *listener) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// subscribeOptions are the options of every subscription: events as
// "changed" frames of the stream, no collection. Rocket.Chat 3.x needs
// both keys.
var subscribeOptions = map[string]any{"useCollection": false, "args": []any{}}

// session dials, logs in with the current token and subscribes.
func (l *listener) session(ctx context.Context) (*ddp.Conn, error) {
	creds := l.c.Credentials()
	if creds.Token == "" {
		return nil, &fatalError{fmt.Errorf("rocketchat: Listen: no credentials: %w",
			&Error{StatusCode: http.StatusUnauthorized, Method: "DDP", Endpoint: l.c.websocketPath(), Type: "login", Message: "no token to resume"})}
	}
	t := &listenTuning
	conn, err := ddp.Dial(ctx, l.wsURL, ddp.Options{
		HTTPClient: l.c.http.HTTPClient,
		Header:     http.Header{"User-Agent": {l.c.userAgent}},
		ReadLimit:  t.readLimit,
		PingAfter:  t.pingAfter,
		DeadAfter:  t.deadAfter,
		OnChanged:  l.onChanged,
	})
	if err != nil {
		return nil, fmt.Errorf("rocketchat: Listen: dial %s: %w", l.c.websocketPath(), err)
	}
	ok := false
	defer func() {
		if !ok {
			conn.Close()
		}
	}()
	for {
		_, err = conn.Call(ctx, "login", map[string]string{"resume": creds.Token})
		if !l.waitRateLimit(ctx, conn, err) {
			break
		}
	}
	if err != nil {
		var derr *ddp.Error
		if errors.As(err, &derr) {
			// Every generation refuses a token its own way (403 up to
			// 6.x, 401 since 7.0, "User not found" or "logged out"):
			// any refusal of a resume means the token is no good.
			return nil, &fatalError{fmt.Errorf("rocketchat: Listen: resume login refused: %w", l.refusal(http.StatusUnauthorized, derr))}
		}
		return nil, fmt.Errorf("rocketchat: Listen: login: %w", err)
	}
	if len(l.rooms) == 0 {
		if err := l.subscribe(ctx, conn, "", "stream-room-messages", "__my_messages__"); err != nil {
			return nil, err
		}
	}
	for _, rid := range l.rooms {
		if err := l.subscribe(ctx, conn, rid, "stream-room-messages", rid); err != nil {
			return nil, err
		}
		if err := l.subscribe(ctx, conn, rid, "stream-notify-room", rid+"/deleteMessage"); err != nil {
			return nil, err
		}
	}
	ok = true
	if l.attempt > 0 {
		l.log(ctx, slog.LevelInfo, "rocketchat: Listen: reconnected")
	}
	return conn, nil
}

// subscribe subscribes to one stream event, waiting out rate limits.
func (l *listener) subscribe(ctx context.Context, conn *ddp.Conn, room, stream, event string) error {
	for {
		err := conn.Subscribe(ctx, stream, event, subscribeOptions)
		if l.waitRateLimit(ctx, conn, err) {
			continue
		}
		var derr *ddp.Error
		if errors.As(err, &derr) {
			what := "all-rooms stream"
			if room != "" {
				what = fmt.Sprintf("room %q", room)
			}
			return &fatalError{fmt.Errorf("rocketchat: Listen: %s refused: %w", what, l.refusal(http.StatusForbidden, derr))}
		}
		if err != nil {
			return fmt.Errorf("rocketchat: Listen: subscribe %s: %w", event, err)
		}
		return nil
	}
}

// waitRateLimit waits out a too-many-requests refusal (for its
// details.timeToReset) and reports whether to try again.
func (l *listener) waitRateLimit(ctx context.Context, conn *ddp.Conn, err error) bool {
	var derr *ddp.Error
	if !errors.As(err, &derr) || derr.Code != "too-many-requests" {
		return false
	}
	var details struct {
		TimeToReset int64 `json:"timeToReset"`
	}
	_ = unmarshalWire(derr.Details, &details)
	wait := min(max(time.Duration(details.TimeToReset)*time.Millisecond, listenTuning.backoffMin), time.Minute)
	l.log(ctx, slog.LevelInfo, "rocketchat: Listen: rate limited; waiting", slog.Duration("wait", wait))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-conn.Done():
	case <-ctx.Done():
	}
	return false
}

// refusal describes a DDP refusal as an *Error with the status that
// says what it means.
func (l *listener) refusal(status int, derr *ddp.Error) *Error {
	e := &Error{StatusCode: status, Method: "DDP", Endpoint: l.c.websocketPath()}
	if isCode(derr.Code) && !isNumber(derr.Code) {
		e.Type = derr.Code
	}
	e.Message = printable(derr.Reason, maxMessage)
	if e.Message == "" && e.Type == "" {
		e.Message = "refused without a reason"
	}
	if len(derr.Details) > 0 {
		e.Details = []byte(derr.Details)
	}
	return e
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func (l *listener) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if l.c.logger != nil {
		l.c.logger.LogAttrs(ctx, level, msg, attrs...)
	}
}

// onChanged runs on the reader's goroutine: it decodes a stream event and
// queues it, never waiting for the caller.
func (l *listener) onChanged(collection, eventName string, dec *jsontext.Decoder) error {
	from := dec.InputOffset()
	var ev MessageEvent
	switch {
	case collection == "stream-room-messages":
		var args messageArgs
		if err := json.UnmarshalDecode(dec, &args); err != nil {
			return err
		}
		w, meta := &args.msg, &args.meta
		if eventName == "__my_messages__" && !meta.RoomParticipant {
			return nil // a public channel the user has not joined
		}
		if w.ID == "" {
			return errors.New("a message without _id")
		}
		ev = MessageEvent{Message: w.message(), RoomType: meta.RoomType, RoomName: meta.RoomName}
	case collection == "stream-notify-room" && strings.HasSuffix(eventName, "/deleteMessage"):
		var args deleteArgs
		if err := json.UnmarshalDecode(dec, &args); err != nil {
			return err
		}
		id := args.deleted.ID
		if id == "" {
			return errors.New("a delete without _id")
		}
		ev = MessageEvent{Kind: MessageDeleted, Message: Message{ID: id, RoomID: strings.TrimSuffix(eventName, "/deleteMessage")}}
	default:
		return dec.SkipValue()
	}
	l.enqueue(ev, int(dec.InputOffset()-from))
	return nil
}

// eventOverhead is what a queued event takes besides its frame's bytes.
const eventOverhead = 400

// enqueue queues a live event, or drops it and opens a gap when the queue
// is full.
func (l *listener) enqueue(ev MessageEvent, size int) {
	size += eventOverhead
	l.mu.Lock()
	if l.queued+size > listenTuning.maxQueued && len(l.queue) > 0 {
		l.openGapLocked("the caller is slower than the stream", ev.Message.RoomID, roomMeta{ev.RoomType, ev.RoomName})
		l.mu.Unlock()
		return
	}
	l.queue = append(l.queue, ev)
	l.queued += size
	l.advanceLocked(ev.Message.RoomID, ev.Message.UpdatedAt)
	l.mu.Unlock()
	select {
	case l.available <- struct{}{}:
	default:
	}
}

func (l *listener) advanceLocked(room string, t time.Time) {
	if t.After(l.cursor[room]) {
		l.cursor[room] = t
	}
	if t.After(l.newest) {
		l.newest = t
	}
}

// openGap notes that events may have been lost from now on. A gap already
// open keeps its older cursors.
func (l *listener) openGap(reason, room string, meta roomMeta) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.openGapLocked(reason, room, meta)
}

func (l *listener) openGapLocked(reason, room string, meta roomMeta) {
	if l.gap == nil {
		g := &gap{cursor: make(map[string]time.Time, len(l.cursor)), newest: l.newest, rooms: map[string]roomMeta{}, reason: reason}
		for r, t := range l.cursor {
			g.cursor[r] = t
		}
		l.gap = g
	}
	if room != "" {
		l.gap.rooms[room] = meta
	}
}

func (l *listener) takeGap() *gap {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.gap
	l.gap = nil
	return g
}

// restoreGap puts back a gap whose catch-up failed, merged with any gap
// opened since.
func (l *listener) restoreGap(g *gap) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gap != nil {
		for r, m := range l.gap.rooms {
			g.rooms[r] = m
		}
	}
	l.gap = g
}
