package retry

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	rateLimited := func(reset time.Time, date string) http.Header {
		h := http.Header{}
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.UnixMilli(), 10))
		if date != "" {
			h.Set("Date", date)
		}
		return h
	}
	const min, max = 100 * time.Millisecond, 10 * time.Second
	tests := []struct {
		name    string
		attempt int
		status  int
		header  http.Header
		jitter  float64
		want    time.Duration
	}{
		{"first exponential, no jitter", 1, 503, nil, 0, 50 * time.Millisecond},
		{"first exponential, floor is waitMin", 1, 503, nil, 0, min},
		{"second exponential, half jitter", 2, 503, nil, 0.5, 150 * time.Millisecond},
		{"third exponential", 3, 0, nil, 0, 200 * time.Millisecond},
		{"exponential is capped", 30, 503, nil, 0.5, max/2 + max/4},
		{"429 waits until the reset", 1, 429, rateLimited(now.Add(3*time.Second), ""), 0.5, 3 * time.Second},
		{"429 measured on the server's clock", 1, 429, rateLimited(now.Add(3*time.Second), now.Add(-2*time.Second).Format(http.TimeFormat)), 0.5, 5 * time.Second},
		{"429 far in the future is cut to the cap", 1, 429, rateLimited(now.Add(100*time.Hour), ""), 0, max},
		{"429 in the past waits waitMin", 1, 429, rateLimited(now.Add(-time.Minute), ""), 0, min},
		{"429 without reset backs off", 3, 429, http.Header{}, 0, 200 * time.Millisecond},
		{"429 with a malformed reset backs off", 3, 429, http.Header{"X-Ratelimit-Reset": {"soon"}}, 0, 200 * time.Millisecond},
		{"reset ignored on 503", 1, 503, rateLimited(now.Add(3*time.Second), ""), 0, min},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wait(tt.attempt, min, max, tt.status, tt.header, now, tt.jitter)
			want := tt.want
			if want < min {
				want = min
			}
			if got != want {
				t.Errorf("Wait = %v, want %v", got, want)
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
		{"overflowing", http.Header{"X-Ratelimit-Reset": {"9223372036854775807"}}, maxWait, true},
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
