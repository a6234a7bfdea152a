package retry

import (
	"net/http"
	"testing"
	"time"
)

// FuzzRateLimitWait feeds RateLimitWait any X-RateLimit-Reset and Date
// values and any local clock. It must never panic and never report a wait
// below 0 or above MaxRateLimitWait; a header it cannot read is reported as such
// (ok false, wait 0). Backoff must stay within [waitMin, waitMax] for any
// attempt number and jitter.
//
// The seeds are the cases of TestRateLimitWait and the edges of the
// formats; crashers the fuzzer finds go to testdata/fuzz/FuzzRateLimitWait/
// and run in every go test.
func FuzzRateLimitWait(f *testing.F) {
	const now = 1_700_000_000_000 // local clock, Unix ms
	for _, seed := range []struct{ reset, date string }{
		{"", ""},
		{"12abc", ""},
		{"-5", ""},
		{"1700000060", ""},
		{"1700000060000", ""},
		{"1700000060000", "Tue, 14 Nov 2023 22:13:20 GMT"},
		{"9223372036854775807", ""},
		{"-9223372036854775808", "Mon, 01 Jan 0001 00:00:00 GMT"},
		{"99999999999999999999999", ""},
		{"1700000001000", "yesterday"},
		{" 1700000001000 ", "Fri, 31 Dec 9999 23:59:59 GMT"},
		{"+1700000001000", "Sunday, 06-Nov-94 08:49:37 GMT"},
		{"0x10", "Sun Nov  6 08:49:37 1994"},
	} {
		f.Add(seed.reset, seed.date, int64(now), 1, 0.5)
	}
	f.Add("9223372036854775807", "Mon, 01 Jan 0001 00:00:00 GMT", int64(-1<<63), 64, 0.999)

	f.Fuzz(func(t *testing.T, reset, date string, nowMs int64, attempt int, jitter float64) {
		h := http.Header{}
		h.Set("X-RateLimit-Reset", reset)
		h.Set("Date", date)
		localNow := time.UnixMilli(nowMs)
		wait, ok := RateLimitWait(h, localNow)
		if wait < 0 || wait > MaxRateLimitWait {
			t.Errorf("RateLimitWait(%q, %q) = %v, want within [0, %v]", reset, date, wait, MaxRateLimitWait)
		}
		if !ok && wait != 0 {
			t.Errorf("RateLimitWait(%q, %q) = %v, false; an unreadable header must give 0", reset, date, wait)
		}

		// Backoff is called with attempt numbers from 1 to max+1 and a
		// jitter in [0, 1); keep the fuzzer's values in those ranges.
		if attempt < 1 || attempt > 1000 {
			attempt = 1 + int(uint(attempt)%1000)
		}
		if !(jitter >= 0 && jitter < 1) {
			jitter = 0
		}
		for _, bounds := range [][2]time.Duration{
			{0, 0},
			{0, time.Second},
			{time.Millisecond, 2 * time.Millisecond},
			{500 * time.Millisecond, 30 * time.Second},
			{time.Hour, time.Hour},
			{1, 1<<63 - 1},
		} {
			got := Backoff(attempt, bounds[0], bounds[1], jitter)
			if got < bounds[0] || got > bounds[1] {
				t.Errorf("Backoff(%d, %v, %v, %v) = %v, want within the bounds", attempt, bounds[0], bounds[1], jitter, got)
			}
		}
	})
}
