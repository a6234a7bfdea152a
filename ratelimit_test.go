package rocketchat_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// Pacing is shown on PostMessage against the fake server's limiter at
// Rocket.Chat's default proportions scaled down: the server allows 10
// calls a minute, and the client's longest backoff is 30 s, half a
// window; here paceLimit calls per paceWindow, with a cap of half of it.
// Nothing sleeps: the calls take as long as the limiter makes them.
const (
	paceRoute  = "v1/chat.postMessage"
	paceLimit  = 3
	paceWindow = 200 * time.Millisecond
)

var paceRetry = rocketchat.WithRetry(3, time.Millisecond, paceWindow/2)

// serverClock is a fake server's clock that runs with this machine's,
// from a whole second that the test chooses: the Date header (whole
// seconds) is then exact at the moment the clock is set.
type serverClock struct {
	origin atomic.Pointer[[2]time.Time] // this machine's time, the server's at that time
}

func newServerClock() *serverClock {
	c := &serverClock{}
	c.origin.Store(&[2]time.Time{time.Now(), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	return c
}

func (c *serverClock) Now() time.Time {
	o := c.origin.Load()
	return o[1].Add(time.Since(o[0]))
}

// toWholeSecond moves the clock ahead to the next whole second but one,
// now: every window the server had has ended.
func (c *serverClock) toWholeSecond() {
	next := c.Now().Truncate(time.Second).Add(2 * time.Second)
	c.origin.Store(&[2]time.Time{time.Now(), next})
}

// newPacedServer starts a fake server that limits paceRoute, with the
// given clock (nil: the system's), and returns a client of a user
// without api-bypass-rate-limit.
func newPacedServer(t *testing.T, clock *serverClock, opts ...rocketchat.Option) (*rocketchattest.Server, *rocketchat.Client) {
	t.Helper()
	srvOpts := []rocketchattest.Option{
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
		rocketchattest.WithRateLimit(paceRoute, paceLimit, paceWindow),
	}
	if clock != nil {
		srvOpts = append(srvOpts, rocketchattest.WithClock(clock.Now))
	}
	srv := rocketchattest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	return srv, pacedClient(t, srv, opts...)
}

// pacedClient is another client of the same user, as another program
// would be: it shares the server's windows, not the first client's state.
func pacedClient(t *testing.T, srv *rocketchattest.Server, opts ...rocketchat.Option) *rocketchat.Client {
	t.Helper()
	id, token := srv.PersonalAccessToken("alice")
	c, err := rocketchat.NewClient(srv.URL, append([]rocketchat.Option{
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// statuses counts the answers the server gave to paceRoute, by status.
func statuses(srv *rocketchattest.Server) map[int]int {
	n := map[int]int{}
	for _, call := range srv.Calls(paceRoute) {
		n[call.Status]++
	}
	return n
}

func postToGeneral(ctx context.Context, c *rocketchat.Client, text string) error {
	_, err := c.PostMessage(ctx, rocketchat.NewMessage{RoomID: "GENERAL", Text: text})
	return err
}

// burst posts goroutines × calls messages and returns how many failed,
// with the first error.
func burst(c *rocketchat.Client, goroutines, calls int) (failed int, first error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				if err := postToGeneral(context.Background(), c, "burst "+strconv.Itoa(g)+"."+strconv.Itoa(i)); err != nil {
					mu.Lock()
					failed++
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return failed, first
}

// TestPacingBurst: with pacing, a sequential burst and a concurrent one
// meet no 429 and all succeed, in the time the windows take; the same
// bursts without pacing meet 429s.
//
// The server's clock is set to a whole second just before the first
// answer, so that its Date (whole seconds) is exact and the client's
// estimate of the server's clock is right within that answer's delay. On
// a real server Date's lost fraction may make each window up to a second
// longer here until the estimate converges (TestRateLimitSkewedDate...
// and TestServerClockNeverAhead show the estimate); this test bounds what
// pacing itself costs.
func TestPacingBurst(t *testing.T) {
	cases := []struct {
		name              string
		goroutines, calls int
	}{
		{"sequential", 1, 8},
		{"8 goroutines", 8, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			t.Run("pacing", func(t *testing.T) {
				clock := newServerClock()
				srv, c := newPacedServer(t, clock, paceRetry)
				// The client learns the limit from a first answer;
				// concurrent first calls cannot know it.
				clock.toWholeSecond()
				if err := postToGeneral(context.Background(), c, "first"); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				if failed, err := burst(c, tc.goroutines, tc.calls); failed > 0 {
					t.Fatalf("%d calls failed, first: %v", failed, err)
				}
				elapsed := time.Since(start)
				calls := tc.goroutines*tc.calls + 1
				if diff := cmp.Diff(map[int]int{http.StatusOK: calls}, statuses(srv)); diff != "" {
					t.Errorf("answers by status (-want +got):\n%s", diff)
				}
				// The burst ends in the last window the calls need,
				// which opens a millisecond after the reset of the one
				// before; each window may start late by what a call
				// takes on a loaded machine (a quarter of a window).
				windows := (calls + paceLimit - 1) / paceLimit
				arithmetic := time.Duration(windows-1) * (paceWindow + time.Millisecond)
				bound := arithmetic + time.Duration(windows)*paceWindow/4
				if elapsed > bound {
					t.Errorf("%d calls took %v, want at most %v (%d windows: %v)", calls, elapsed, bound, windows, arithmetic)
				}
				t.Logf("%d calls in %v: %d windows of %v take %v", calls, elapsed, windows, paceWindow, arithmetic)
			})
			t.Run("no pacing", func(t *testing.T) {
				// Retries off: each 429 is seen by the caller, not waited out.
				srv, c := newPacedServer(t, nil, rocketchat.WithPacing(false), rocketchat.WithRetry(0, 0, 0))
				failed, err := burst(c, tc.goroutines, tc.calls+1)
				got := statuses(srv)
				if got[http.StatusTooManyRequests] == 0 || failed != got[http.StatusTooManyRequests] {
					t.Errorf("without pacing: %d failed, answers %v; want 429s, each a failed call", failed, got)
				}
				if failed > 0 && !errors.Is(err, rocketchat.ErrRateLimited) {
					t.Errorf("err = %v, want ErrRateLimited", err)
				}
			})
		})
	}
}

// TestPacingDeadline: a window that reopens after the context's deadline
// is not waited for: the call returns at once, unsent, with a 429 *Error
// whose RetryAfter is when the window truly reopens (not a capped wait).
// The server's clock stands still on a whole second, so its Date is
// exact and the window (3 calls per 5 s) never ends on its own.
func TestPacingDeadline(t *testing.T) {
	serverNow := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := rocketchattest.NewServer(
		rocketchattest.WithClock(func() time.Time { return serverNow }),
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
		rocketchattest.WithRateLimit("v1/me", 3, 5*time.Second),
	)
	defer srv.Close()
	id, token := srv.PersonalAccessToken("alice")
	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}),
		rocketchat.WithRetry(2, time.Millisecond, 5*time.Millisecond))
	// The window reopens 5 s (and a millisecond) after the first answer,
	// on this machine's clock.
	firstSent := time.Now()
	for range 3 {
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Me(ctx)
	end := time.Now()
	if ctx.Err() != nil {
		t.Errorf("returned after the deadline (%v)", end.Sub(start))
	}
	var e *rocketchat.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTooManyRequests || !errors.Is(err, rocketchat.ErrRateLimited) {
		t.Fatalf("err = %v, want a 429 *Error matching ErrRateLimited", err)
	}
	// RetryAfter runs from a moment of the call to the reset; the reset
	// is 5 s after the first answer, which came between firstSent and
	// start.
	if lo, hi := firstSent.Add(5*time.Second).Sub(end), start.Add(5*time.Second+time.Millisecond).Sub(start); e.RetryAfter < lo || e.RetryAfter > hi {
		t.Errorf("RetryAfter = %v, want within [%v, %v]", e.RetryAfter, lo, hi)
	}
	if rl, ok := c.RateLimit("v1/me"); !ok || rl.Reset.Sub(start) < e.RetryAfter || rl.Reset.Sub(end) > e.RetryAfter {
		t.Errorf("RetryAfter = %v; RateLimit says the window reopens in %v", e.RetryAfter, time.Until(rl.Reset))
	}
	if !strings.Contains(err.Error(), "not sent") {
		t.Errorf("Error() = %q, want it to say the call was not sent", err)
	}
	if n := srv.Requests("v1/me"); n != 3 {
		t.Errorf("the server got %d calls, want 3: nothing sent", n)
	}
	t.Logf("returned in %v: %v", end.Sub(start), err)
}

// TestPacingWaitOutlastsCap: a window that reopens later than the retry
// cap (waitMax, here a tenth of the window) is waited for until it
// reopens; the call is then sent and succeeds.
func TestPacingWaitOutlastsCap(t *testing.T) {
	clock := newServerClock()
	srv, c := newPacedServer(t, clock, rocketchat.WithRetry(0, 0, paceWindow/10))
	clock.toWholeSecond()
	for range paceLimit {
		if err := postToGeneral(context.Background(), c, "fill"); err != nil {
			t.Fatal(err)
		}
	}
	rl, ok := c.RateLimit(paceRoute)
	if !ok || rl.Remaining != 0 {
		t.Fatalf("RateLimit = %+v, %v; want the window spent", rl, ok)
	}
	if err := postToGeneral(context.Background(), c, "paced"); err != nil {
		t.Fatalf("err = %v, want the call sent once the window reopened", err)
	}
	if late := time.Since(rl.Reset); late < 0 {
		t.Errorf("the call returned %v before the window reopened", -late)
	}
	if diff := cmp.Diff(map[int]int{http.StatusOK: paceLimit + 1}, statuses(srv)); diff != "" {
		t.Errorf("answers by status (-want +got):\n%s", diff)
	}
}

// TestRateLimited429OutlastsCap: another program of the same user has
// spent the window; this client, which knows nothing of it, meets a 429
// whose reset is further off than its retry cap. It waits the reset out
// in one wait and sends the call once more: one 429, one success.
func TestRateLimited429OutlastsCap(t *testing.T) {
	clock := newServerClock()
	srv, other := newPacedServer(t, clock, paceRetry)
	clock.toWholeSecond()
	for range paceLimit {
		if err := postToGeneral(context.Background(), other, "other program"); err != nil {
			t.Fatal(err)
		}
	}
	rl, _ := other.RateLimit(paceRoute)
	c := pacedClient(t, srv, rocketchat.WithRetry(3, time.Millisecond, 2*time.Millisecond))
	if err := postToGeneral(context.Background(), c, "after the 429"); err != nil {
		t.Fatal(err)
	}
	if late := time.Since(rl.Reset); late < 0 {
		t.Errorf("the call returned %v before the window reopened", -late)
	}
	var got []int
	for _, call := range srv.Calls(paceRoute) {
		got = append(got, call.Status)
	}
	want := []int{200, 200, 200, 429, 200}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers in order (-want +got):\n%s", diff)
	}
}

// TestRateLimitWaitsAreLogged: a paced call that waits more than a second
// says so at Info, with the endpoint and the wait, before it waits; so
// does a 429's wait (TestRateLimitWaitOutlastsCap). The test ends the
// wait by cancelling the call.
func TestRateLimitWaitsAreLogged(t *testing.T) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
		rocketchattest.WithRateLimit("v1/me", 1, time.Minute),
	)
	defer srv.Close()
	infos := make(chan string, 1)
	id, token := srv.PersonalAccessToken("alice")
	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}),
		rocketchat.WithLogger(slog.New(&logRecords{onInfo: infos})))
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.Me(ctx)
		done <- err
	}()
	line := <-infos
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	const prefix = "INFO rocketchat: waiting for the rate-limit window to reopen method=GET endpoint=/api/v1/me wait="
	wait, ok := strings.CutPrefix(line, prefix)
	d, err := time.ParseDuration(wait)
	if !ok || err != nil || d < 58*time.Second || d > 61*time.Second {
		t.Errorf("log: %q, want %q and about a minute", line, prefix)
	}
	if n := srv.Requests("v1/me"); n != 1 {
		t.Errorf("the server got %d calls, want 1", n)
	}
}

// TestPacingLeavesUnlimitedEndpointsAlone: a user holding
// api-bypass-rate-limit gets no headers; nothing is recorded or delayed.
func TestPacingLeavesUnlimitedEndpointsAlone(t *testing.T) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "bot", Roles: []string{"bot"}}),
		rocketchattest.WithRateLimit("v1/me", 1, time.Minute),
	)
	defer srv.Close()
	id, token := srv.PersonalAccessToken("bot")
	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}),
		rocketchat.WithRetry(0, 0, 30*time.Second))
	start := time.Now()
	for range 20 {
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if rl, ok := c.RateLimit("v1/me"); ok {
		t.Errorf("RateLimit = %+v, true; want none", rl)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("20 calls took %v", elapsed)
	}
}

// TestRateLimitState: the values of the latest limited answer, with the
// reset moved onto the local clock although the server's clock is an
// hour and a half ahead; none after an answer without the headers.
func TestRateLimitState(t *testing.T) {
	// The server's clock stands still on a whole second, an hour and a
	// half ahead of this machine's: Date is exact, and the limiter's
	// window (10 a minute) started at the server's start.
	serverNow := time.Now().Add(90 * time.Minute).Truncate(time.Second)
	srv := rocketchattest.NewServer(
		rocketchattest.WithClock(func() time.Time { return serverNow }),
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
	)
	defer srv.Close()
	id, token := srv.PersonalAccessToken("alice")
	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}))

	if _, ok := c.RateLimit("v1/me"); ok {
		t.Error("RateLimit before any call: ok")
	}
	for i := 1; i <= 3; i++ {
		before := time.Now()
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		rl, ok := c.RateLimit("/api/v1/me")
		if !ok || rl.Limit != 10 || rl.Remaining != 10-i {
			t.Fatalf("call %d: RateLimit = %+v, %v; want limit 10, remaining %d", i, rl, ok, 10-i)
		}
		// A minute after the first answer, on this machine's clock; the
		// window reopens in the millisecond after the reset.
		if rl.Reset.Before(before.Add(time.Minute-time.Second)) || rl.Reset.After(after.Add(time.Minute+time.Millisecond)) {
			t.Errorf("call %d: Reset in %v, want a minute", i, time.Until(rl.Reset))
		}
	}
	if _, ok := c.RateLimit("v1/info"); ok {
		t.Error("RateLimit of an endpoint never called: ok")
	}
	if _, ok := c.RateLimit("v1/../me"); ok {
		t.Error("RateLimit of an invalid endpoint: ok")
	}
}

// TestRateLimitSkewedDateThenUnlimited: a server whose clock is three
// hours behind, with Date at a second's fraction, as any server sends
// it; then the route stops being limited.
func TestRateLimitSkewedDateThenUnlimited(t *testing.T) {
	body, err := os.ReadFile("testdata/users_info.json")
	if err != nil {
		t.Fatal(err)
	}
	const skew = -3 * time.Hour
	var mu sync.Mutex
	limited := true
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().Add(skew)
		h := w.Header()
		h.Set("Date", now.UTC().Format(http.TimeFormat))
		mu.Lock()
		if limited {
			h.Set("X-RateLimit-Limit", "10")
			h.Set("X-RateLimit-Remaining", "7")
			h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(5*time.Second).UnixMilli(), 10))
		}
		mu.Unlock()
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer ts.Close()
	c := newClient(t, ts.URL)

	before := time.Now()
	if err := c.Get(context.Background(), "v1/users.info", nil, nil); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	rl, ok := c.RateLimit("v1/users.info")
	if !ok || rl.Limit != 10 || rl.Remaining != 7 {
		t.Fatalf("RateLimit = %+v, %v", rl, ok)
	}
	// Five seconds from the answer, on this clock; Date's whole seconds
	// may put it up to one second later, never earlier.
	if rl.Reset.Before(before.Add(5*time.Second)) || rl.Reset.After(after.Add(6*time.Second)) {
		t.Errorf("Reset in %v, want 5 s to 6 s", time.Until(rl.Reset))
	}

	mu.Lock()
	limited = false
	mu.Unlock()
	if err := c.Get(context.Background(), "v1/users.info", nil, nil); err != nil {
		t.Fatal(err)
	}
	if rl, ok := c.RateLimit("v1/users.info"); ok {
		t.Errorf("after an answer without the headers: RateLimit = %+v, true", rl)
	}
}

// logRecords keeps the client's log records as text ("LEVEL message
// key=value ..."), for tests to compare; safe for concurrent use. With
// onInfo set, each Info record is also sent there.
type logRecords struct {
	mu      sync.Mutex
	records []slog.Record
	onInfo  chan<- string
}

func (h *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecords) WithGroup(string) slog.Handler            { return h }

func (h *logRecords) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.records = append(h.records, r)
	h.mu.Unlock()
	if r.Level == slog.LevelInfo && h.onInfo != nil {
		h.onInfo <- recordText(r)
	}
	return nil
}

// at returns the records of one level, as text.
func (h *logRecords) at(level slog.Level) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level == level {
			out = append(out, recordText(r))
		}
	}
	return out
}

func recordText(r slog.Record) string {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	return b.String()
}
