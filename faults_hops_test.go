package rocketchat_test

// Hostile hops around the transport: what a redirect, a malformed base
// URL, a value that cannot be a header or a failing call could leak or
// break.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-rocketchat/rocketchat"
)

// TestFaultsRefererStaysOnOrigin: on a redirect net/http sets Referer to
// the previous URL, query included. A query may hold a secret (here a
// marker): it reaches no other origin. The control: a same-origin hop
// does get the Referer, so the check would see it.
func TestFaultsRefererStaysOnOrigin(t *testing.T) {
	ctx := faultCase(t)
	const marker = "q-secret-7d1e"
	var mu sync.Mutex
	referers := map[string]string{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			referers[name] = r.Header.Get("Referer")
			mu.Unlock()
			io.WriteString(w, faultValidBody)
		}
	}
	other := httptest.NewServer(record("other"))
	t.Cleanup(other.Close)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/api/v1/landing", http.StatusFound)
	})
	mux.HandleFunc("/api/v1/here", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/v1/landing", http.StatusFound)
	})
	mux.HandleFunc("/api/v1/landing", record("same"))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	c := faultClient(t, srv.URL)
	for _, ep := range []string{"v1/away", "v1/here"} {
		if err := c.Get(ctx, ep, map[string][]string{"token": {marker}}, nil); err != nil {
			t.Fatalf("Get %s: %v", ep, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := referers["other"]; got != "" {
		t.Errorf("the other origin received Referer %q", got)
	}
	if got := referers["same"]; !strings.Contains(got, marker) {
		t.Errorf("same origin: Referer %q; net/http should have set it (the control)", got)
	}
}

// TestFaultsBaseURLErrorsRedact: NewClient's errors never quote user
// info, a password or a query, however the URL is broken.
func TestFaultsBaseURLErrorsRedact(t *testing.T) {
	for _, u := range []string{
		"http://admin:s3cret@exa mple.com/?token=t0ken",
		"http://admin:s3cret@chat.example.com:port/?token=t0ken",
		"http://adm in:s3cret@chat.example.com/?token=t0ken",
		"http://admin:s3cret@[::1/?token=t0ken",
		"http://admin:s3cret@chat.example.com/%zz?token=t0ken",
		"http://admin:s3cret@chat.example.com/?token=t0ken",
		"http://chat.example.com/#token=t0ken",
		"admin:s3cret@chat.example.com:3000/?token=t0ken",
		"ftp://admin:s3cret@chat.example.com/?token=t0ken",
		"http://admin:s3cret@/?token=t0ken",
		"https://admin:s3cret@chat.example.com/api/v1?token=t0ken",
	} {
		c, err := rocketchat.NewClient(u)
		if err == nil || c != nil {
			t.Errorf("NewClient(%q) = %v, %v; want an error", u, c, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cret") || strings.Contains(msg, "t0ken") || strings.Contains(msg, "admin") {
			t.Errorf("NewClient(%q): the error shows a secret: %v", u, err)
		}
	}
}

// TestFaultsInvalidHeaderValues: a user ID, token, user agent or 2FA
// code holding CR, LF or NUL is refused where an error can be returned
// (the options); set later (SetCredentials, a handler's code), the call
// fails before sending, at once (one attempt, not retried), with an error
// that names the header and never shows the value.
func TestFaultsInvalidHeaderValues(t *testing.T) {
	const secret = "tok-9f3a"
	bad := []string{secret + "\r\nX-Evil: 1", secret + "\n", secret + "\x00", "\r" + secret}

	t.Run("options", func(t *testing.T) {
		for _, v := range bad {
			for name, opt := range map[string]rocketchat.Option{
				"token":      rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: v}),
				"user ID":    rocketchat.WithCredentials(rocketchat.Credentials{UserID: v, Token: "t1"}),
				"user agent": rocketchat.WithUserAgent(v),
			} {
				_, err := rocketchat.NewClient("https://chat.example.com", opt)
				if err == nil {
					t.Errorf("%s %q: accepted", name, v)
				} else if strings.Contains(err.Error(), secret) {
					t.Errorf("%s: the error shows the value: %v", name, err)
				}
			}
		}
	})

	for _, v := range bad {
		for _, ep := range faultEntries {
			t.Run(fmt.Sprintf("SetCredentials %q/%s", v, ep.name), func(t *testing.T) {
				ctx := faultCase(t)
				srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, faultValidBody) })
				logs := &attemptCounter{}
				c := faultClient(t, srv.URL, rocketchat.WithLogger(slog.New(logs)))
				c.SetCredentials(rocketchat.Credentials{UserID: "u1", Token: v})
				err := callBounded(t, ctx, time.Second, func() error { return ep.call(ctx, c) })
				if ep.name == "Login" {
					// Login sends no stored credentials.
					if err != nil {
						t.Errorf("Login: %v", err)
					}
					return
				}
				wantTransport(t, err)
				if err != nil && (strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "X-Auth-Token")) {
					t.Errorf("err = %v; want it to name X-Auth-Token and not show the token", err)
				}
				wantCount(t, n, 0)
				if got := logs.n.Load(); got != 1 {
					t.Errorf("%d attempts, want 1 (not retried)", got)
				}
			})
		}
	}

	t.Run("2FA code", func(t *testing.T) {
		ctx := faultCase(t)
		srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":{"method":"totp","codeGenerated":false}}`)
		})
		handler := func(context.Context, rocketchat.TwoFactorChallenge) (string, error) { return "123\r\n456", nil }
		logs := &attemptCounter{}
		c := faultClient(t, srv.URL, rocketchat.WithTwoFactor(handler), rocketchat.WithLogger(slog.New(logs)))
		err := callBounded(t, ctx, time.Second, func() error { return c.Get(ctx, "v1/statistics", nil, nil) })
		wantTransport(t, err)
		if err != nil && (strings.Contains(err.Error(), "456") || !strings.Contains(err.Error(), "X-2fa-Code")) {
			t.Errorf("err = %v; want it to name X-2fa-Code and not show the code", err)
		}
		wantCount(t, n, 1) // the challenge; the repeat is never sent
		if got := logs.n.Load(); got != 2 {
			t.Errorf("%d attempts, want 2 (the challenged one and the refused repeat)", got)
		}
	})
}

// attemptCounter is a slog handler that counts the client's attempt
// records.
type attemptCounter struct{ n atomic.Int64 }

func (h *attemptCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *attemptCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "rocketchat: attempt" {
		h.n.Add(1)
	}
	return nil
}
func (h *attemptCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *attemptCounter) WithGroup(string) slog.Handler      { return h }

// TestFaultsCallerPoolLeftAlone: go-retryablehttp closes every idle
// connection of its HTTP client when a call ends in a transport error.
// The caller's transport, shared with another part of the program, keeps
// its idle connection to that part's server through such a call.
func TestFaultsCallerPoolLeftAlone(t *testing.T) {
	ctx := faultCase(t)
	var conns atomic.Int64
	neighbour := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	neighbour.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	neighbour.Start()
	t.Cleanup(neighbour.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	shared := &http.Client{Transport: tr}
	get := func() {
		t.Helper()
		resp, err := shared.Get(neighbour.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get()

	for _, ep := range faultEntries {
		srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			conn, _ := hijack(t, w)
			reset(conn)
		})
		c, err := rocketchat.NewClient(srv.URL, faultRetry, rocketchat.WithHTTPClient(shared))
		if err != nil {
			t.Fatal(err)
		}
		err = callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
		wantTransport(t, err)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v", ep.name, err)
		}
	}
	get()
	if n := conns.Load(); n != 1 {
		t.Errorf("the neighbour saw %d connections, want 1: its idle connection was closed", n)
	}
}

// TestFaultsLoginAnsweredElsewhere: a login that the base URL's server
// redirects (303) to another origin, which answers with credentials of
// its own, fails; the client keeps what it had and sends nothing on.
func TestFaultsLoginAnsweredElsewhere(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"success","data":{"userId":"evil","authToken":"evil-token","me":{"_id":"evil","username":"admin"}}}`)
	}))
	t.Cleanup(other.Close)
	srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/api/v1/login", http.StatusSeeOther)
	})
	held := rocketchat.Credentials{UserID: "u1", Token: "t1"}
	c := faultClient(t, srv.URL, rocketchat.WithCredentials(held))
	u, err := c.Login(context.Background(), "admin", "secret")
	if !errors.Is(err, rocketchat.ErrInvalidResponse) {
		t.Fatalf("Login = %+v, %v; want ErrInvalidResponse", u, err)
	}
	if got := c.Credentials(); got != held {
		t.Errorf("credentials after the login: %v, want %v kept", got, held)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("the base URL's server got %d requests, want 1", got)
	}
}
