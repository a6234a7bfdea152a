package rocketchat

import (
	"net/http"
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
