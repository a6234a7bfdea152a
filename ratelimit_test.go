package rocketchat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// Pacing is shown on PostMessage against the fake server's limiter, with
// a short real window: paceLimit posts per paceWindow. Nothing sleeps:
// the calls take as long as the limiter makes them.
const (
	paceRoute  = "v1/chat.postMessage"
	paceLimit  = 4
	paceWindow = 250 * time.Millisecond
)

// newPacedServer starts a fake server that limits paceRoute and returns a
// client of a user without api-bypass-rate-limit, with the default retry
// waits (so that pacing's waits are not capped below a window).
func newPacedServer(t *testing.T, opts ...rocketchat.Option) (*rocketchattest.Server, *rocketchat.Client) {
	t.Helper()
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
		rocketchattest.WithRateLimit(paceRoute, paceLimit, paceWindow),
	)
	t.Cleanup(srv.Close)
	id, token := srv.PersonalAccessToken("alice")
	c, err := rocketchat.NewClient(srv.URL, append([]rocketchat.Option{
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// statuses counts the answers the server gave to paceRoute, by status.
func statuses(srv *rocketchattest.Server) map[int]int {
	n := map[int]int{}
	for _, call := range srv.Calls(paceRoute) {
		n[call.Status]++
	}
	return n
}

// burst posts calls messages from goroutines goroutines and returns how
// many failed, with the first error.
func burst(c *rocketchat.Client, goroutines, calls int) (failed int, first error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls / goroutines {
				_, err := c.PostMessage(context.Background(), rocketchat.NewMessage{
					RoomID: "GENERAL", Text: "burst " + strconv.Itoa(g) + "." + strconv.Itoa(i),
				})
				if err != nil {
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
// meet no 429 and all succeed, in about the time the windows take; the
// same bursts without pacing meet 429s.
func TestPacingBurst(t *testing.T) {
	cases := []struct {
		name              string
		goroutines, calls int
	}{
		{"sequential", 1, 30},
		{"8 goroutines", 8, 80},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			t.Run("pacing", func(t *testing.T) {
				srv, c := newPacedServer(t)
				// The client learns the limit from a first answer;
				// concurrent first calls cannot know it.
				if _, err := c.PostMessage(context.Background(), rocketchat.NewMessage{RoomID: "GENERAL", Text: "first"}); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				if failed, err := burst(c, tc.goroutines, tc.calls); failed > 0 {
					t.Fatalf("%d calls failed, first: %v", failed, err)
				}
				elapsed := time.Since(start)
				got := statuses(srv)
				if diff := cmp.Diff(map[int]int{http.StatusOK: tc.calls + 1}, got); diff != "" {
					t.Errorf("answers by status (-want +got):\n%s", diff)
				}
				// The windows the calls need, each up to a second
				// longer here: Date has whole seconds.
				windows := (tc.calls + 1 + paceLimit - 1) / paceLimit
				bound := time.Duration(windows) * (paceWindow + time.Second)
				if elapsed > bound {
					t.Errorf("%d calls took %v, want at most %v", tc.calls, elapsed, bound)
				}
				t.Logf("%d calls in %v: %d windows of %v take %v", tc.calls, elapsed, windows, paceWindow, time.Duration(windows-1)*paceWindow)
			})
			t.Run("no pacing", func(t *testing.T) {
				// Retries off: each 429 is seen by the caller, not waited out.
				srv, c := newPacedServer(t, rocketchat.WithPacing(false), rocketchat.WithRetry(0, 0, 0))
				failed, err := burst(c, tc.goroutines, tc.calls)
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

// TestPacingDeadline: a wait that would outlive the deadline is not
// started; the call fails at once, unsent, matching ErrRateLimited.
func TestPacingDeadline(t *testing.T) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
		rocketchattest.WithRateLimit("v1/me", 1, time.Minute),
	)
	defer srv.Close()
	id, token := srv.PersonalAccessToken("alice")
	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}),
		rocketchat.WithRetry(3, 500*time.Millisecond, 30*time.Second))
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Me(ctx)
	elapsed := time.Since(start)
	if !errors.Is(err, rocketchat.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if errors.As(err, new(*rocketchat.Error)) {
		t.Errorf("err = %v is a server answer; nothing should have been sent", err)
	}
	if elapsed > time.Second {
		t.Errorf("returned after %v, want at once", elapsed)
	}
	if n := srv.Requests("v1/me"); n != 1 {
		t.Errorf("the server got %d calls, want 1", n)
	}
	if ctx.Err() != nil {
		t.Errorf("returned after the deadline")
	}
}

// TestPacingWaitIsCapped: a window that reopens later than waitMax is
// waited for only waitMax; the call is then sent, and its 429 returned.
func TestPacingWaitIsCapped(t *testing.T) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
		rocketchattest.WithRateLimit("v1/me", 1, time.Minute),
	)
	defer srv.Close()
	id, token := srv.PersonalAccessToken("alice")
	const waitMax = 50 * time.Millisecond
	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}),
		rocketchat.WithRetry(0, 0, waitMax))
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := c.Me(context.Background())
	elapsed := time.Since(start)
	var e *rocketchat.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("err = %v, want the server's 429", err)
	}
	if elapsed < waitMax || elapsed > 10*time.Second {
		t.Errorf("waited %v, want about %v", elapsed, waitMax)
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
