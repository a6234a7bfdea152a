package rocketchattest

import (
	"net/http"
	"strconv"
	"time"
)

// limiterRule is one rule of Meteor's RateLimiter (package rate-limit),
// which the server creates per route and method. Its semantics are the
// server's, quirks included:
//
//   - the window is fixed and shared by all clients of the route: it
//     starts when the rule is made (server start) and restarts at the
//     first call after it ran out;
//   - the counters are per client address;
//   - a call is counted before it is checked, refused calls included, and
//     refused when its count exceeds the limit.
type limiterRule struct {
	limit     int
	window    time.Duration
	lastReset time.Time
	counters  map[string]int
}

// allow runs the rate limiter for a request. It sets the X-RateLimit
// headers when the route is limited for this caller and, when the call
// is refused, answers 429 and returns false. Callers holding
// api-bypass-rate-limit are neither limited nor sent headers.
func (s *Server) allow(w http.ResponseWriter, method string, rc *requestContext) bool {
	if s.rateLimitOff {
		return true
	}
	s.mu.Lock()
	d := s.limitLocked(method, rc)
	s.mu.Unlock()
	if d == nil {
		return true
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(d.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(d.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(d.resetMs, 10))
	if d.allowed {
		return true
	}
	// The server rounds the wait up to whole seconds.
	writeJSON(w, http.StatusTooManyRequests, tooManyRequestsBody((d.timeToResetMs+999)/1000))
	return false
}

// limitDecision is the limiter's verdict on one call.
type limitDecision struct {
	allowed          bool
	limit, remaining int
	resetMs          int64 // X-RateLimit-Reset: epoch milliseconds
	timeToResetMs    int64
}

// limitLocked counts a call and checks it (RateLimiter.increment, then
// check). It returns nil when the call is not limited at all; the caller
// holds s.mu.
func (s *Server) limitLocked(method string, rc *requestContext) *limitDecision {
	if rc.user != nil && rc.user.hasPermission(permBypassRateLimit) {
		return nil
	}
	cfg, ok := s.rateLimits[rc.key]
	if !ok {
		cfg = s.defaultLimit
	}
	if cfg.limit <= 0 || cfg.window <= 0 {
		return nil
	}
	name := rc.key + " " + method
	rule := s.rules[name]
	if rule == nil || rule.limit != cfg.limit || rule.window != cfg.window {
		rule = &limiterRule{limit: cfg.limit, window: cfg.window, lastReset: s.started, counters: map[string]int{}}
		s.rules[name] = rule
	}

	// Meteor's RateLimiter counts in whole milliseconds (Date.getTime).
	nowMs := s.now().UnixMilli()
	windowMs := rule.window.Milliseconds()
	// increment: a window that ran out (strictly more than its length
	// ago) restarts now. At exactly its length it still counts: such a
	// call is refused with "wait 0 seconds", as on the server.
	if nowMs-rule.lastReset.UnixMilli() > windowMs {
		rule.lastReset = time.UnixMilli(nowMs)
		rule.counters = map[string]int{}
	}
	rule.counters[rc.ip]++
	// check: X-RateLimit-Reset is the window's end, now + timeToReset.
	timeToResetMs := rule.lastReset.UnixMilli() + windowMs - nowMs
	count := rule.counters[rc.ip]
	d := &limitDecision{
		allowed:       count <= rule.limit,
		limit:         rule.limit,
		resetMs:       nowMs + timeToResetMs,
		timeToResetMs: timeToResetMs,
	}
	if d.allowed {
		d.remaining = rule.limit - count
	}
	return d
}

// ResetRateLimits forgets every count and window, as a server restart
// does.
func (s *Server) ResetRateLimits() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = s.now()
	s.rules = map[string]*limiterRule{}
}
