package rocketchat

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServerClockNeverAhead: whatever the arrival times, the estimate of
// the server's offset never exceeds the true one (so a reset moved with
// it is never early), and answers that land just after the server's
// second ticks bring it within the network delay.
func TestServerClockNeverAhead(t *testing.T) {
	const offset = 90*time.Minute + 370*time.Millisecond // server ahead
	const delay = 2 * time.Millisecond                   // stamp to arrival
	local := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var c serverClock
	for i := range 200 {
		received := local.Add(time.Duration(i) * 37 * time.Millisecond)
		stamped := received.Add(-delay).Add(offset)
		got := c.observe(stamped.Format(http.TimeFormat), received)
		if got > offset {
			t.Fatalf("answer %d: estimate %v, above the true %v", i, got, offset)
		}
	}
	if got := c.observe("", local); got < offset-delay-37*time.Millisecond {
		t.Errorf("after 200 answers over 7 s: estimate %v, want within one step of %v", got, offset)
	}

	// The server's clock is set back 10 s: the estimate follows.
	received := local.Add(time.Hour)
	stamped := received.Add(offset - 10*time.Second)
	if got := c.observe(stamped.Format(http.TimeFormat), received); got > offset-10*time.Second {
		t.Errorf("after the server's clock went back: estimate %v, above %v", got, offset-10*time.Second)
	}
}

// TestToLocalAnchorsOnArrival: a reset 5 s after the server's Date is
// 5 s after arrival, plus at most Date's lost fraction of a second.
func TestToLocalAnchorsOnArrival(t *testing.T) {
	var c serverClock
	received := time.Now()
	server := received.Add(-3 * time.Hour)
	reset := c.toLocal(server.Add(5*time.Second).UnixMilli(), server.UTC().Format(http.TimeFormat), received)
	if d := reset.Sub(received); d < 5*time.Second || d > 6*time.Second {
		t.Errorf("reset %v after arrival, want 5 s to 6 s", d)
	}
}

// FuzzRecord feeds the rate-limit state any X-RateLimit headers, Date,
// status and arrival time. It must never panic; the reset it returns is
// zero exactly when X-RateLimit-Reset cannot be read, and then no window
// is kept; a window kept has 0 <= Remaining < Limit. A second answer
// (the same headers a second later) must not panic either.
func FuzzRecord(f *testing.F) {
	const received = 1_767_323_045_000 // Unix ms
	for _, seed := range []struct{ reset, remaining, limit, date string }{
		{"1767323068000", "0", "10", "Fri, 02 Jan 2026 03:04:05 GMT"},
		{"1767323068000", "7", "", ""},
		{"", "3", "10", ""},
		{"soon", "0", "10", ""},
		{"-1", "0", "10", ""},
		{" 1767323068000 ", "-4", "2", "yesterday"},
		{"9223372036854775807", "0", "10", "Mon, 01 Jan 0001 00:00:00 GMT"},
		{"0", "99999999999999999999", "1", "Fri, 31 Dec 9999 23:59:59 GMT"},
	} {
		f.Add(seed.reset, seed.remaining, seed.limit, seed.date, 429, int64(received))
		f.Add(seed.reset, seed.remaining, seed.limit, seed.date, 200, int64(received))
	}
	f.Fuzz(func(t *testing.T, reset, remaining, limit, date string, status int, receivedMs int64) {
		h := http.Header{}
		h.Set(headerReset, reset)
		h.Set(headerRemaining, remaining)
		h.Set(headerLimit, limit)
		h.Set("Date", date)
		var l limits
		at := time.UnixMilli(receivedMs)
		got := l.record("v1/x", status, h, at)
		ms, err := strconv.ParseInt(strings.TrimSpace(reset), 10, 64)
		readable := err == nil && ms >= 0
		if got.IsZero() == readable {
			t.Errorf("reset %q: record returned %v", reset, got)
		}
		if v, ok := l.windows.Load("v1/x"); ok {
			if !readable {
				t.Errorf("reset %q unreadable, yet a window is kept", reset)
			}
			w := v.(*window)
			if w.remaining < 0 || w.remaining >= w.limit {
				t.Errorf("window limit %d, remaining %d", w.limit, w.remaining)
			}
		}
		l.record("v1/x", status, h, at.Add(time.Second))
	})
}
