package retry

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	const min, max = 100 * time.Millisecond, 10 * time.Second
	tests := []struct {
		name    string
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{"first, no jitter: the floor is waitMin", 1, 0, min},
		{"first, full jitter", 1, 1, min},
		{"second, half jitter", 2, 0.5, 150 * time.Millisecond},
		{"third", 3, 0, 200 * time.Millisecond},
		{"capped", 30, 0.5, max/2 + max/4},
		{"capped, full jitter", 30, 1, max},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Backoff(tt.attempt, min, max, tt.jitter); got != tt.want {
				t.Errorf("Backoff = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExponentialJitterRange(t *testing.T) {
	for attempt := 1; attempt <= 6; attempt++ {
		lo := exponential(attempt, time.Second, time.Hour, 0)
		hi := exponential(attempt, time.Second, time.Hour, 0.999999)
		full := time.Second << (attempt - 1)
		if lo != full/2 || hi > full || hi < full-time.Millisecond {
			t.Errorf("attempt %d: jitter range [%v, %v], want [%v, %v)", attempt, lo, hi, full/2, full)
		}
	}
}

func TestRateLimitWait(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"missing", http.Header{}, 0, false},
		{"empty", http.Header{"X-Ratelimit-Reset": {""}}, 0, false},
		{"malformed", http.Header{"X-Ratelimit-Reset": {"12abc"}}, 0, false},
		{"negative", http.Header{"X-Ratelimit-Reset": {"-5"}}, 0, false},
		{"seconds instead of ms are in the past", http.Header{"X-Ratelimit-Reset": {"1700000060"}}, 0, true},
		{"in 60 s", http.Header{"X-Ratelimit-Reset": {"1700000060000"}}, time.Minute, true},
		{"overflowing", http.Header{"X-Ratelimit-Reset": {"9223372036854775807"}}, MaxRateLimitWait, true},
		{"too many digits", http.Header{"X-Ratelimit-Reset": {"99999999999999999999999"}}, 0, false},
		{"bad Date falls back to local clock", http.Header{"X-Ratelimit-Reset": {"1700000001000"}, "Date": {"yesterday"}}, time.Second, true},
	}
	for _, tt := range tests {
		got, ok := RateLimitWait(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: RateLimitWait = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
