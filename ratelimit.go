package rocketchat

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimit is what Rocket.Chat's rate limiter said about an endpoint in
// its latest answer. The server limits each route per user and client
// address, in fixed windows (10 calls a minute by default).
type RateLimit struct {
	// Limit and Remaining are X-RateLimit-Limit and X-RateLimit-Remaining:
	// the calls the window allows, and those left in it.
	Limit, Remaining int
	// Reset is X-RateLimit-Reset, when the window reopens, moved onto this
	// machine's clock through the answer's Date header. Date has whole
	// seconds, so Reset may be up to a second late, never early; later
	// answers narrow the gap.
	Reset time.Time
}

// RateLimit returns the rate-limit state of the latest limited answer of
// an endpoint, named as [Client.Get] and [Client.Post] take it
// ("v1/chat.postMessage"). ok is false before any answer of the endpoint
// carried the X-RateLimit headers, and after a successful answer without
// them: the server does not limit it (rate limiter off, or a user holding
// api-bypass-rate-limit, as bots and admins do by default).
func (c *Client) RateLimit(endpoint string) (rl RateLimit, ok bool) {
	ep, err := cleanEndpoint(endpoint)
	if err != nil {
		return RateLimit{}, false
	}
	v, found := c.limits.windows.Load(ep)
	if !found {
		return RateLimit{}, false
	}
	w := v.(*window)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.limit == 0 {
		return RateLimit{}, false
	}
	return RateLimit{Limit: w.limit, Remaining: w.remaining, Reset: w.reset}, true
}

// WithPacing turns pacing on or off; it is on by default. With pacing,
// a call to an endpoint whose rate-limit window is known to be spent
// waits until the window reopens before it is sent, instead of being
// refused with a 429; the calls of all goroutines to one endpoint are
// counted against its window, so that they do not all go out at once.
// The wait is capped like a retry wait ([WithRetry]'s waitMax); a wait
// that would outlive the context's deadline is not started, and the call
// fails at once, unsent, with an error matching [ErrRateLimited].
// Endpoints whose answers carry no rate-limit headers are never delayed.
func WithPacing(on bool) Option {
	return func(cfg *config) error {
		cfg.pacing = on
		return nil
	}
}

// The limiter's headers, in canonical form, so that reading them is one
// map lookup.
const (
	headerLimit     = "X-Ratelimit-Limit"
	headerRemaining = "X-Ratelimit-Remaining"
	headerReset     = "X-Ratelimit-Reset"
)

// sameWindow is how far apart two X-RateLimit-Reset values of one window
// may be: the server adds the time to reset to a clock read a moment
// later. Windows are seconds to minutes long.
const sameWindow = 100 * time.Millisecond

// limits holds the rate-limit state of every endpoint that answered with
// the limiter's headers, and the server's clock as seen from here.
type limits struct {
	windows sync.Map // endpoint -> *window
	clock   serverClock
}

// window is one endpoint's rate-limit window: what the server said, and
// the calls this client sent into it.
type window struct {
	mu sync.Mutex
	// From the answers of the latest window; limit 0: not limited.
	limit, remaining int
	resetMs          int64     // X-RateLimit-Reset: tells windows apart
	reset            time.Time // the same moment on this machine's clock
	// open: reset has passed and a new window is counting, whose end no
	// answer has told yet.
	open bool
	// left is how many more calls this client may send into the window
	// being counted: the server's word less the calls sent since; flying
	// counts the calls sent and not ended.
	left, flying int
	// changed is closed, and replaced, whenever the state above changes,
	// to wake the calls waiting for it.
	changed chan struct{}
}

func (w *window) broadcastLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// record notes the rate-limit headers of an answer of endpoint, received
// at received. It runs for every attempt; an answer without the headers
// costs one map lookup, two if it is a success.
func (l *limits) record(endpoint string, status int, h http.Header, received time.Time) {
	resetValues := h[headerReset]
	if len(resetValues) == 0 {
		if status >= 200 && status <= 299 {
			// A limited route is counted before it runs: a success
			// without the headers means the route is no longer limited.
			if v, ok := l.windows.Load(endpoint); ok {
				v.(*window).unlimit()
			}
		}
		return
	}
	resetMs, err := strconv.ParseInt(resetValues[0], 10, 64)
	if err != nil || resetMs < 0 {
		return
	}
	remaining, err := strconv.Atoi(h.Get(headerRemaining))
	if err != nil {
		return
	}
	remaining = max(remaining, 0)
	limit, err := strconv.Atoi(h.Get(headerLimit))
	if err != nil || limit <= remaining {
		// The server sends an empty limit when the rule has none; the
		// window then allows at least this many.
		limit = remaining + 1
	}
	// The server counts a call made in the reset's own millisecond into
	// the old window: the new one starts a millisecond later.
	reset := l.clock.toLocal(resetMs+1, h.Get("Date"), received)
	v, _ := l.windows.LoadOrStore(endpoint, &window{changed: make(chan struct{})})
	v.(*window).update(limit, remaining, resetMs, reset)
}

func (w *window) unlimit() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.limit != 0 {
		w.limit = 0
		w.broadcastLocked()
	}
}

// update takes in a limited answer. Answers may arrive out of order:
// within a window, Remaining only goes down; an answer of an earlier
// window is ignored.
func (w *window) update(limit, remaining int, resetMs int64, reset time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.limit == 0 || resetMs > w.resetMs+sameWindow.Milliseconds():
		// The first word, or a later window. The calls sent since the
		// old one ended here stay counted; if it ended on the server
		// first, the calls still in flight may land in the new one.
		if w.open {
			w.left = min(w.left, remaining)
		} else {
			w.left = remaining - w.flying
		}
		w.open = false
		w.limit, w.remaining, w.resetMs, w.reset = limit, remaining, resetMs, reset
	case resetMs >= w.resetMs-sameWindow.Milliseconds():
		w.limit = limit
		w.remaining = min(w.remaining, remaining)
		if w.open {
			// A late answer of the window that ended here.
			break
		}
		// The calls in flight are already taken off left.
		w.left = min(w.left, remaining)
		// Both are on or after the true reset; the earlier is nearer.
		if reset.Before(w.reset) {
			w.reset = reset
		}
	default:
		return
	}
	w.broadcastLocked()
}

// pace waits, when endpoint's window is known to be spent, until it
// reopens, and counts the call into it. done must be called once the
// call has its answer (recorded) or has failed; it is nil when the
// endpoint is not limited.
func (l *limits) pace(ctx context.Context, endpoint string, waitMax time.Duration) (done func(), err error) {
	v, ok := l.windows.Load(endpoint)
	if !ok {
		return nil, nil
	}
	w := v.(*window)
	var giveUp time.Time // when a wait capped at waitMax ends: the call goes anyway
	for {
		w.mu.Lock()
		now := time.Now()
		wait, known := w.waitLocked(now)
		if wait <= 0 || (!giveUp.IsZero() && !now.Before(giveUp)) {
			w.left--
			w.flying++
			w.mu.Unlock()
			return w.land, nil
		}
		changed := w.changed
		w.mu.Unlock()

		if giveUp.IsZero() {
			giveUp = now.Add(waitMax)
		}
		wait = min(wait, giveUp.Sub(now))
		if deadline, ok := ctx.Deadline(); ok && known && deadline.Before(now.Add(wait)) {
			return nil, windowSpentError{wait}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-changed:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// windowSpentError is a paced call's wait that would outlive the
// context's deadline; it matches ErrRateLimited, as the 429 it avoids
// would.
type windowSpentError struct{ wait time.Duration }

func (e windowSpentError) Error() string {
	return fmt.Sprintf("rate limited: the window reopens in %v, after the context's deadline", e.wait.Round(time.Millisecond))
}

func (e windowSpentError) Is(target error) bool { return target == ErrRateLimited }

// waitLocked says how long a call must wait before it may be sent: 0 when
// the window has room. known is false when the window is spent and only
// an answer still in flight can tell when the next one opens.
func (w *window) waitLocked(now time.Time) (wait time.Duration, known bool) {
	if w.limit == 0 {
		return 0, true
	}
	if !w.open && !now.Before(w.reset) {
		// The window ended: the next call opens a new one. Calls still
		// in flight may land in it too.
		w.open, w.left = true, w.limit-w.flying
	}
	switch {
	case w.left > 0:
		return 0, true
	case !w.open:
		return w.reset.Sub(now), true
	case w.flying == 0:
		// Every call sent into the new window ended without a limited
		// answer (connection failures): nothing will tell, so go.
		return 0, true
	default:
		return maxWait, false
	}
}

// maxWait stands for a wait of unknown length; the caller caps it.
const maxWait = time.Duration(1<<63 - 1)

// land ends a call counted by pace.
func (w *window) land() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flying--
	w.broadcastLocked()
}

// serverClock estimates how far the server's clock is ahead of this
// machine's, to move X-RateLimit-Reset onto this machine's clock.
//
// Date has whole seconds and is stamped before the answer arrives, so
// each answer's Date minus its arrival time is at most the true offset,
// and usually up to a second less. The largest such value seen is the
// best estimate that is never too large: a reset moved with it is never
// early. An answer that lands just after the server's second ticks gives
// it within the network delay, so the estimate converges within seconds
// of steady traffic.
type serverClock struct {
	mu     sync.Mutex
	known  bool
	offset time.Duration
}

// clockStep is how far below the estimate an answer's value must be to
// say that one of the clocks was set back (or an answer took that long),
// so that the estimate starts again from it.
const clockStep = 2 * time.Second

// toLocal moves resetMs, Unix milliseconds on the server's clock, onto
// this machine's clock. The result is anchored at received, so that the
// wait is measured on the monotonic clock.
func (s *serverClock) toLocal(resetMs int64, date string, received time.Time) time.Time {
	offset := s.observe(date, received)
	return received.Add(time.UnixMilli(resetMs).Sub(received.Add(offset)))
}

func (s *serverClock) observe(date string, received time.Time) time.Duration {
	d, err := http.ParseTime(date)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// No Date: the local clock is all there is.
		if !s.known {
			return 0
		}
		return s.offset
	}
	seen := d.Sub(received.Round(0))
	if !s.known || seen > s.offset || seen < s.offset-clockStep {
		s.known, s.offset = true, seen
	}
	return s.offset
}

// now is local moved onto the server's clock, as far as the answers so
// far tell; local itself before any answer.
func (s *serverClock) now(local time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.known {
		return local
	}
	return local.Add(s.offset)
}
