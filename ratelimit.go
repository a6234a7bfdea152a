package rocketchat

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-rocketchat/rocketchat/internal/retry"
)

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
// The wait lasts until the reset, however far off: [WithRetry]'s waitMax
// bounds backoff, not rate-limit waits. When the reset is past the
// context's deadline the call fails at once, unsent, with an [*Error] of
// status 429 (matching [ErrRateLimited]) whose RetryAfter says when the
// window reopens. Endpoints whose answers carry no rate-limit headers are
// never delayed.
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
// at received, and returns when the answer says the window reopens, on
// this machine's clock (zero when it does not say). It runs for every
// attempt; an answer without the headers costs one map lookup, two if it
// is a success.
func (l *limits) record(endpoint string, status int, h http.Header, received time.Time) (reset time.Time) {
	resetValues := h[headerReset]
	if len(resetValues) == 0 {
		if status >= 200 && status <= 299 {
			// A limited route is counted before it runs: a success
			// without the headers means the route is no longer limited.
			if v, ok := l.windows.Load(endpoint); ok {
				v.(*window).unlimit()
			}
		}
		return time.Time{}
	}
	resetMs, err := strconv.ParseInt(strings.TrimSpace(resetValues[0]), 10, 64)
	if err != nil || resetMs < 0 {
		return time.Time{}
	}
	// The server counts a call made in the reset's own millisecond into
	// the old window: the new one starts a millisecond later.
	reset = l.clock.toLocal(resetMs, h.Get("Date"), received).Add(time.Millisecond)
	remaining, err := strconv.Atoi(h.Get(headerRemaining))
	if err != nil {
		return reset
	}
	remaining = max(remaining, 0)
	limit, err := strconv.Atoi(h.Get(headerLimit))
	if err != nil || limit <= remaining {
		// The server sends an empty limit when the rule has none; the
		// window then allows at least this many.
		limit = remaining + 1
	}
	v, _ := l.windows.LoadOrStore(endpoint, &window{changed: make(chan struct{})})
	v.(*window).update(limit, remaining, resetMs, reset)
	return reset
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

// pace waits, when the call's endpoint's window is known to be spent,
// until it reopens, however far off, and counts the call into it
// (st.window: the call must land once it has its answer or failed).
// A reset past the context's deadline is not waited for: the call fails
// at once with the window's error (windowSpent).
func (c *Client) pace(ctx context.Context, st *callState) error {
	v, ok := c.limits.windows.Load(st.endpoint)
	if !ok {
		return nil
	}
	w := v.(*window)
	logged := false
	for {
		w.mu.Lock()
		now := time.Now()
		reset, spent := w.spentLocked(now)
		if !spent {
			w.left--
			w.flying++
			w.mu.Unlock()
			st.window = w
			return nil
		}
		changed := w.changed
		w.mu.Unlock()

		// Without a known reset, the call waits for the answers still in
		// flight: each ends with a change.
		var timer *time.Timer
		var timeout <-chan time.Time
		if !reset.IsZero() {
			wait := reset.Sub(now)
			if !c.mayWait(ctx, wait) {
				return windowSpent(ctx, st, wait)
			}
			if !logged {
				logged = true
				c.logRateLimitWait(ctx, st, wait)
			}
			timer = time.NewTimer(wait)
			timeout = timer.C
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-timeout:
		}
		if timer != nil {
			timer.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// mayWait reports whether a rate-limit wait may start: it ends before
// the context's deadline, and it is not longer than any window (a reset
// further off is a broken header).
func (c *Client) mayWait(ctx context.Context, wait time.Duration) bool {
	if wait > retry.MaxRateLimitWait {
		return false
	}
	deadline, ok := ctx.Deadline()
	return !ok || !deadline.Before(time.Now().Add(wait))
}

// windowSpent is the error of a call not sent because its endpoint's
// window reopens after the context's deadline: the 429 it would have met,
// with the wait the window has left.
func windowSpent(ctx context.Context, st *callState, wait time.Duration) *Error {
	why := "too far off to wait for"
	if _, ok := ctx.Deadline(); ok && wait <= retry.MaxRateLimitWait {
		why = "after the context's deadline"
	}
	return &Error{
		StatusCode: http.StatusTooManyRequests,
		Method:     st.method,
		Endpoint:   st.path(),
		Type:       "error-too-many-requests",
		Message:    fmt.Sprintf("not sent: the rate-limit window reopens in %v, %s", wait.Round(time.Millisecond), why),
		RetryAfter: min(wait, retry.MaxRateLimitWait),
	}
}

// logRateLimitWait says, at Info, that a call waits for its endpoint's
// window, when the wait is long enough to look like a stall.
func (c *Client) logRateLimitWait(ctx context.Context, st *callState, wait time.Duration) {
	if wait <= time.Second || c.logger == nil {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "rocketchat: waiting for the rate-limit window to reopen",
		slog.String("method", st.method),
		slog.String("endpoint", st.path()),
		slog.Duration("wait", wait.Round(time.Millisecond)))
}

// spentLocked says whether a call must wait before it may be sent, and
// until when: reset is zero when the window is spent and only an answer
// still in flight can tell when the next one opens.
func (w *window) spentLocked(now time.Time) (reset time.Time, spent bool) {
	if w.limit == 0 {
		return time.Time{}, false
	}
	if !w.open && !now.Before(w.reset) {
		// The window ended: the next call opens a new one. Calls still
		// in flight may land in it too.
		w.open, w.left = true, w.limit-w.flying
	}
	switch {
	case w.left > 0:
		return time.Time{}, false
	case !w.open:
		return w.reset, true
	case w.flying == 0:
		// Every call sent into the new window ended without a limited
		// answer (connection failures): nothing will tell, so go.
		return time.Time{}, false
	default:
		return time.Time{}, true
	}
}

// land ends a call counted by pace, once: when its answer has been
// recorded, or it failed without one.
func (st *callState) land() {
	if st.window != nil {
		st.window.land()
		st.window = nil
	}
}

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
