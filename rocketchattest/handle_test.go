package rocketchattest

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

var allVersions = []string{"3.18.7", "5.4.2", "6.13.1", "7.10.0", "8.8.1", "9.0.0"}

func TestHandleBehindTheServersChecks(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			clock := newTestClock()
			srv := newTestServer(t, WithVersion(v), WithClock(clock.Now), WithUser(bobUser), WithRateLimit("v1/custom.echo", 2, time.Minute))
			var seen []User
			var mu sync.Mutex
			srv.HandleFunc("/api/v1/custom.echo", func(w http.ResponseWriter, r *http.Request) {
				u, ok := CallerOf(r)
				if !ok {
					t.Error("CallerOf: no caller in an authenticated handler")
				}
				mu.Lock()
				seen = append(seen, u)
				mu.Unlock()
				WriteSuccess(w, map[string]any{"echo": r.URL.Query().Get("q")})
			})
			bob := auth(srv.PersonalAccessToken("bob"))

			// Unauthenticated: the generation's exact 401.
			got := call(t, srv, http.MethodGet, "v1/custom.echo", "")
			b, _ := marshal(srv.gen.unauthorizedBody())
			wantAnswer(t, got, http.StatusUnauthorized, string(b))

			got = call(t, srv, http.MethodGet, "v1/custom.echo?q=hi", "", bob...)
			wantAnswer(t, got, http.StatusOK, `{"echo":"hi","success":true}`)
			if got.header.Get("X-RateLimit-Limit") != "2" || got.header.Get("X-RateLimit-Remaining") != "1" {
				t.Errorf("rate-limit headers %v", got.header)
			}
			call(t, srv, http.MethodPost, "v1/custom.echo", `{}`, bob...) // another method, another window
			call(t, srv, http.MethodGet, "v1/custom.echo", "", bob...)
			if got := call(t, srv, http.MethodGet, "v1/custom.echo", "", bob...); got.status != http.StatusTooManyRequests {
				t.Errorf("third GET: %d, want 429", got.status)
			}
			if len(seen) != 3 || seen[0].Username != "bob" || seen[0].ID != srv.UserID("bob") || seen[0].Roles[0] != "user" {
				t.Errorf("callers seen: %+v", seen)
			}

			// 2FA and faults apply too.
			srv.ResetRateLimits()
			srv.RequireTwoFactor("v1/custom.echo")
			if got := call(t, srv, http.MethodGet, "v1/custom.echo", "", bob...); got.status != http.StatusBadRequest || decode(t, got.body)["errorType"] != "totp-required" {
				t.Errorf("2FA: %d %s", got.status, got.body)
			}
			srv.Fail("v1/custom.echo", 1, FaultStatus(http.StatusServiceUnavailable, `{"success":false,"error":"Service Unavailable"}`))
			if got := call(t, srv, http.MethodGet, "v1/custom.echo", ""); got.status != http.StatusServiceUnavailable {
				t.Errorf("fault: %d", got.status)
			}

			calls := srv.Calls("v1/custom.echo")
			if len(calls) != srv.Requests("v1/custom.echo") || len(calls) != 7 {
				t.Fatalf("%d calls recorded, %d requests", len(calls), srv.Requests("v1/custom.echo"))
			}
			wantStatus := []int{401, 200, 200, 200, 429, 400, 503}
			for i, c := range calls {
				if c.Status != wantStatus[i] {
					t.Errorf("call %d: status %d, want %d", i, c.Status, wantStatus[i])
				}
			}
			if c := calls[0]; c.UserID != "" || c.Method != http.MethodGet {
				t.Errorf("anonymous call recorded as %+v", c)
			}
			if c := calls[1]; c.UserID != srv.UserID("bob") || c.Query.Get("q") != "hi" || c.Header.Get("X-Auth-Token") == "" {
				t.Errorf("call 1 recorded as %+v", c)
			}
			if c := calls[2]; c.Method != http.MethodPost || string(c.Body) != "{}" {
				t.Errorf("call 2 recorded as %+v", c)
			}
			if c := calls[6]; c.UserID != "" {
				t.Errorf("a fault answers before authentication, yet the call names %q", c.UserID)
			}
		})
	}
}

func TestHandleReplacesBuiltInRoutes(t *testing.T) {
	srv := newTestServer(t, WithUser(bobUser))
	bob := auth(srv.PersonalAccessToken("bob"))
	srv.HandleFunc("v1/me", func(w http.ResponseWriter, r *http.Request) {
		WriteFailure(w, http.StatusBadRequest, "error-custom", "Custom refusal")
	})
	got := call(t, srv, http.MethodGet, "v1/me", "", bob...)
	wantAnswer(t, got, http.StatusBadRequest, `{"success":false,"error":"Custom refusal [error-custom]","errorType":"error-custom"}`)
	srv.HandleFunc("v1/me", func(w http.ResponseWriter, r *http.Request) {
		WriteFailure(w, http.StatusForbidden, "", "nope")
	})
	wantAnswer(t, call(t, srv, http.MethodGet, "v1/me", "", bob...), http.StatusForbidden, `{"success":false,"error":"nope"}`)
	srv.HandleFunc("v1/empty", func(w http.ResponseWriter, r *http.Request) { WriteSuccess(w, nil) })
	wantAnswer(t, call(t, srv, http.MethodGet, "v1/empty", "", bob...), http.StatusOK, `{"success":true}`)
	srv.HandleFunc("v1/struct", func(w http.ResponseWriter, r *http.Request) {
		WriteSuccess(w, struct {
			A int    `json:"a"`
			B string `json:"b"`
		}{1, "<x>"})
	})
	wantAnswer(t, call(t, srv, http.MethodGet, "v1/struct", "", bob...), http.StatusOK, `{"a":1,"b":"<x>","success":true}`)
}

// TestHandleWhileServing adds routes while other goroutines call the
// server; run with -race.
func TestHandleWhileServing(t *testing.T) {
	srv := newTestServer(t, WithUser(bobUser), WithoutRateLimit())
	bob := auth(srv.PersonalAccessToken("bob"))
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				call(t, srv, http.MethodGet, "v1/added", "", bob...)
				srv.Calls("v1/added")
			}
		}()
	}
	for j := 0; j < 10; j++ {
		srv.HandleFunc("v1/added", func(w http.ResponseWriter, r *http.Request) { WriteSuccess(w, nil) })
	}
	wg.Wait()
	if n := len(srv.Calls("v1/added")); n != 40 {
		t.Errorf("%d calls recorded, want 40", n)
	}
	if got := call(t, srv, http.MethodGet, "v1/added", "", bob...); got.status != http.StatusOK {
		t.Errorf("after Handle: %d", got.status)
	}
}

// TestHandleServesTheNameAsWritten: a name is the path it serves, also
// when it reads as a ServeMux pattern (a wildcard, a trailing slash), and
// it replaces a built-in endpoint for every method.
func TestHandleServesTheNameAsWritten(t *testing.T) {
	srv := newTestServer(t, WithVersion("5.4.2"), WithUser(bobUser), WithoutRateLimit())
	bob := auth(srv.PersonalAccessToken("bob"))
	for _, name := range []string{"v1/items/{id}", "v1/tree/", "v1/me"} {
		srv.HandleFunc(name, func(w http.ResponseWriter, r *http.Request) { WriteSuccess(w, map[string]string{"name": name}) })
	}
	wantAnswer(t, call(t, srv, http.MethodGet, "v1/items/{id}", "", bob...), http.StatusOK, `{"name":"v1/items/{id}","success":true}`)
	wantAnswer(t, call(t, srv, http.MethodDelete, "v1/tree/", "", bob...), http.StatusOK, `{"name":"v1/tree/","success":true}`)
	wantAnswer(t, call(t, srv, http.MethodPost, "v1/me", "", bob...), http.StatusOK, `{"name":"v1/me","success":true}`)
	for _, path := range []string{"v1/items/42", "v1/tree/leaf"} {
		if got := call(t, srv, http.MethodGet, path, "", bob...); got.status != http.StatusNotFound {
			t.Errorf("GET %s = %d %s; want 404: an added name matches itself only", path, got.status, got.body)
		}
	}
	// A built-in endpoint called with a method it lacks: Restivus's 405,
	// with the methods the path has.
	got := call(t, srv, http.MethodPut, "v1/logout", "", bob...)
	if got.status != http.StatusMethodNotAllowed || got.header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT v1/logout = %d, Allow %q; want 405, Allow \"GET, POST\"", got.status, got.header.Get("Allow"))
	}
}
