package rocketchattest

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func rateHeaders(a answer) (limit, remaining, reset string) {
	return a.header.Get("X-RateLimit-Limit"), a.header.Get("X-RateLimit-Remaining"), a.header.Get("X-RateLimit-Reset")
}

func TestRateLimitWindow(t *testing.T) {
	clock := newTestClock()
	start := clock.Now()
	srv := newTestServer(t, WithClock(clock.Now), WithUser(bobUser))
	bob := auth(srv.PersonalAccessToken("bob"))
	resetAt := strconv.FormatInt(start.Add(time.Minute).UnixMilli(), 10)

	for i := 1; i <= 10; i++ {
		got := call(t, srv, http.MethodGet, "v1/me", "", bob...)
		l, r, reset := rateHeaders(got)
		if got.status != http.StatusOK || l != "10" || r != strconv.Itoa(10-i) || reset != resetAt {
			t.Fatalf("call %d: %d limit=%s remaining=%s reset=%s, want 200 10 %d %s", i, got.status, l, r, reset, 10-i, resetAt)
		}
	}
	clock.Advance(20*time.Second + 300*time.Millisecond)
	got := call(t, srv, http.MethodGet, "v1/me", "", bob...)
	wantAnswer(t, got, http.StatusTooManyRequests,
		`{"success":false,"error":"Error, too many requests. Please slow down. You must wait 40 seconds before trying this endpoint again. [error-too-many-requests]"}`)
	if l, r, reset := rateHeaders(got); l != "10" || r != "0" || reset != resetAt {
		t.Errorf("429 headers: limit=%s remaining=%s reset=%s, want 10 0 %s", l, r, reset, resetAt)
	}
	if got.header.Get("Retry-After") != "" {
		t.Error("429 carries Retry-After; the server sends none")
	}
	if d := got.header.Get("Date"); d != clock.Now().Format(http.TimeFormat) {
		t.Errorf("Date = %q, want the server clock %q", d, clock.Now().Format(http.TimeFormat))
	}

	// Another route, and another client address, count apart.
	if got := call(t, srv, http.MethodGet, "v1/instances.get", "", bob...); got.status != http.StatusForbidden {
		t.Errorf("instances.get: %d, want 403 (not 429)", got.status)
	}
	if got := call(t, srv, http.MethodGet, "v1/me", "", append(bob, "X-Real-IP", "192.0.2.7")...); got.status != http.StatusOK {
		t.Errorf("me from another address: %d, want 200", got.status)
	}

	// The window runs out at reset; the next call starts a new one.
	clock.Advance(40 * time.Second)
	got = call(t, srv, http.MethodGet, "v1/me", "", bob...)
	if _, r, reset := rateHeaders(got); got.status != http.StatusOK || r != "9" ||
		reset != strconv.FormatInt(clock.Now().Add(time.Minute).UnixMilli(), 10) {
		t.Errorf("after the window: %d remaining=%s reset=%s", got.status, r, reset)
	}
}

func TestRateLimitBypassAndLogin(t *testing.T) {
	clock := newTestClock()
	srv := newTestServer(t, WithClock(clock.Now), WithUser(adminUser), WithUser(User{Username: "robot", Password: "x", Roles: []string{"bot"}}))
	for _, user := range []string{"admin", "robot"} {
		h := auth(srv.PersonalAccessToken(user))
		for i := 0; i < 15; i++ {
			got := call(t, srv, http.MethodGet, "v1/me", "", h...)
			if got.status != http.StatusOK {
				t.Fatalf("%s call %d: %d", user, i, got.status)
			}
			if l, r, reset := rateHeaders(got); l+r+reset != "" {
				t.Fatalf("%s got rate-limit headers %q %q %q; bypassing callers get none", user, l, r, reset)
			}
		}
	}
	// Login is limited for everyone, admins included, credentials or not.
	h := auth(srv.PersonalAccessToken("admin"))
	for i := 1; i <= 11; i++ {
		got := call(t, srv, http.MethodPost, "v1/login", `{"user":"admin","password":"secret"}`, h...)
		if want := http.StatusOK; i == 11 {
			if got.status != http.StatusTooManyRequests {
				t.Errorf("login %d: %d, want 429", i, got.status)
			}
		} else if got.status != want {
			t.Fatalf("login %d: %d %s", i, got.status, got.body)
		}
	}
	// A failed login counts too.
	if got := call(t, srv, http.MethodPost, "v1/login", `{"user":"admin","password":"wrong"}`); got.status != http.StatusTooManyRequests {
		t.Errorf("12th login: %d, want 429", got.status)
	}
	// /api/info is never limited.
	for i := 0; i < 12; i++ {
		if got := call(t, srv, http.MethodGet, "info", ""); got.status != http.StatusOK || got.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("info call %d: %d %v", i, got.status, got.header)
		}
	}
}

func TestRateLimitConfiguration(t *testing.T) {
	clock := newTestClock()
	srv := newTestServer(t, WithClock(clock.Now), WithUser(bobUser),
		WithRateLimit("/api/v1/me", 2, 10*time.Second), WithDefaultRateLimit(0, 0))
	bob := auth(srv.PersonalAccessToken("bob"))
	for i, want := range []int{200, 200, 429} {
		got := call(t, srv, http.MethodGet, "v1/me", "", bob...)
		if got.status != want || got.header.Get("X-RateLimit-Limit") != "2" {
			t.Errorf("me call %d: %d limit=%q, want %d 2", i, got.status, got.header.Get("X-RateLimit-Limit"), want)
		}
	}
	// Routes without their own limit are free once the default is off.
	for i := 0; i < 12; i++ {
		if got := call(t, srv, http.MethodPost, "v1/login", `{"user":"bob","password":"bobpass"}`); got.status != http.StatusOK {
			t.Fatalf("login %d: %d", i, got.status)
		}
	}
	srv.ResetRateLimits()
	if got := call(t, srv, http.MethodGet, "v1/me", "", bob...); got.status != http.StatusOK {
		t.Errorf("me after ResetRateLimits: %d", got.status)
	}

	off := newTestServer(t, WithoutRateLimit(), WithUser(bobUser))
	bob = auth(off.PersonalAccessToken("bob"))
	for i := 0; i < 12; i++ {
		got := call(t, off, http.MethodGet, "v1/me", "", bob...)
		if got.status != http.StatusOK || got.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("call %d with the limiter off: %d %v", i, got.status, got.header)
		}
	}
}

func TestPermissionAndLimiterOrder(t *testing.T) {
	// Before 8.0 the limiter ran before the permission check, so a 403
	// carries rate-limit headers and counts; from 8.0 it does not.
	for _, tc := range []struct {
		version     string
		wantHeaders bool
	}{{"7.10.0", true}, {"8.8.1", false}} {
		srv := newTestServer(t, WithVersion(tc.version), WithUser(bobUser))
		got := call(t, srv, http.MethodGet, "v1/instances.get", "", auth(srv.PersonalAccessToken("bob"))...)
		if has := got.header.Get("X-RateLimit-Limit") != ""; got.status != http.StatusForbidden || has != tc.wantHeaders {
			t.Errorf("%s: %d, headers %v, want 403 with headers %v", tc.version, got.status, has, tc.wantHeaders)
		}
	}
}

// TestRateLimitWindowEdge follows Meteor's RateLimiter to the
// millisecond: the window is shared by every client of the route, runs
// from the server's start, and a call at exactly its end still counts in
// it (refused with a zero wait); one millisecond later a new window
// starts at that call.
func TestRateLimitWindowEdge(t *testing.T) {
	clock := newTestClock()
	start := clock.Now()
	srv := newTestServer(t, WithClock(clock.Now), WithUser(bobUser), WithRateLimit("v1/me", 2, time.Second))
	bob := auth(srv.PersonalAccessToken("bob"))
	end := strconv.FormatInt(start.Add(time.Second).UnixMilli(), 10)

	clock.Advance(400 * time.Millisecond)
	// Another address's call counts apart but shares the window.
	if got := call(t, srv, http.MethodGet, "v1/me", "", append(bob, "X-Real-IP", "192.0.2.9")...); got.header.Get("X-RateLimit-Reset") != end {
		t.Fatalf("first call: reset %s, want the window from the server's start %s", got.header.Get("X-RateLimit-Reset"), end)
	}
	for i := 0; i < 2; i++ {
		call(t, srv, http.MethodGet, "v1/me", "", bob...)
	}
	clock.Advance(600 * time.Millisecond) // exactly the window's end
	got := call(t, srv, http.MethodGet, "v1/me", "", bob...)
	wantAnswer(t, got, http.StatusTooManyRequests,
		`{"success":false,"error":"Error, too many requests. Please slow down. You must wait 0 seconds before trying this endpoint again. [error-too-many-requests]"}`)
	if _, r, reset := rateHeaders(got); r != "0" || reset != end {
		t.Errorf("at the edge: remaining=%s reset=%s, want 0 %s", r, reset, end)
	}
	clock.Advance(time.Millisecond)
	got = call(t, srv, http.MethodGet, "v1/me", "", bob...)
	if _, r, reset := rateHeaders(got); got.status != http.StatusOK || r != "1" || reset != strconv.FormatInt(clock.Now().Add(time.Second).UnixMilli(), 10) {
		t.Errorf("after the edge: %d remaining=%s reset=%s", got.status, r, reset)
	}
}
