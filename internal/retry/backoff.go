package retry

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff returns how long to wait before repeating a request whose
// attempt number attempt (1 for the first) failed in a way that says
// nothing of when to come back: it grows exponentially from waitMin.
// jitter is a number in [0, 1] that spreads the waits of many clients; 1
// gives the longest wait. The result is never below waitMin nor above
// waitMax.
//
// A 429 that says when the rate limiter's window reopens is not waited
// for here: that wait is the window's, however long (the client's
// rate-limit state).
func Backoff(attempt int, waitMin, waitMax time.Duration, jitter float64) time.Duration {
	return clamp(exponential(attempt, waitMin, waitMax, jitter), waitMin, waitMax)
}

// exponential doubles waitMin for each attempt after the first and keeps
// a random part of the upper half, so that clients that failed together
// do not come back together.
func exponential(attempt int, waitMin, waitMax time.Duration, jitter float64) time.Duration {
	d := waitMin
	for i := 1; i < attempt && d < waitMax; i++ {
		d *= 2
	}
	if d > waitMax || d <= 0 {
		d = waitMax
	}
	half := d / 2
	return half + time.Duration(jitter*float64(d-half))
}

func clamp(d, lo, hi time.Duration) time.Duration {
	if d < lo {
		d = lo
	}
	if d > hi {
		d = hi
	}
	return d
}

// RateLimitWait reads Rocket.Chat's X-RateLimit-Reset header, the absolute
// time in Unix milliseconds at which the rate limiter's window reopens, and
// returns how long that is from now. The server's clock is what counts:
// when the response carries a Date header, the wait is measured from it,
// so a skewed local clock does not matter. Rocket.Chat sends no
// Retry-After. ok is false when the header is missing or malformed; a
// reset already past gives 0.
func RateLimitWait(header http.Header, now time.Time) (wait time.Duration, ok bool) {
	v := strings.TrimSpace(header.Get("X-RateLimit-Reset"))
	if v == "" {
		return 0, false
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms < 0 {
		return 0, false
	}
	reset := time.UnixMilli(ms)
	if date, err := http.ParseTime(header.Get("Date")); err == nil {
		now = date
	}
	// A reset centuries away is a broken header, not a window; saturate
	// instead of overflowing time.Duration.
	if reset.Sub(now) >= MaxRateLimitWait {
		return MaxRateLimitWait, true
	}
	if d := reset.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

// MaxRateLimitWait bounds what RateLimitWait reports, and the client's
// rate-limit waits: a reset further off is a broken header, not a window.
const MaxRateLimitWait = 24 * time.Hour
