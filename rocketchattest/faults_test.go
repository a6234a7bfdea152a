package rocketchattest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFaultStatusThenNormal(t *testing.T) {
	srv := newTestServer(t, WithUser(adminUser))
	admin := auth(srv.PersonalAccessToken("admin"))
	srv.Fail("/api/v1/instances.get", 2, FaultStatus(http.StatusServiceUnavailable, `{"success":false,"error":"Service Unavailable"}`))
	srv.Fail("v1/instances.get", 1, FaultHTML(http.StatusBadGateway))

	for i, want := range []int{503, 503, 502, 200, 200} {
		got := call(t, srv, http.MethodGet, "v1/instances.get", "", admin...)
		if got.status != want {
			t.Errorf("call %d: %d, want %d", i, got.status, want)
		}
		switch want {
		case 503:
			if got.body != `{"success":false,"error":"Service Unavailable"}` || got.header.Get("Content-Type") != "application/json" {
				t.Errorf("call %d: %s %q", i, got.body, got.header.Get("Content-Type"))
			}
		case 502:
			if !strings.Contains(got.body, "<h1>502 Bad Gateway</h1>") || got.header.Get("Content-Type") != "text/html" {
				t.Errorf("call %d: %s %q", i, got.body, got.header.Get("Content-Type"))
			}
		}
		if got.header.Get("Date") == "" {
			t.Errorf("call %d: no Date header", i)
		}
	}
	if n := srv.Requests("v1/instances.get"); n != 5 {
		t.Errorf("Requests = %d, want 5", n)
	}
	if n := srv.Requests("/api/v1/me"); n != 0 {
		t.Errorf("Requests(me) = %d, want 0", n)
	}
}

func TestFaultSkipsChecks(t *testing.T) {
	// A fault plays before authentication, as a proxy in front would.
	srv := newTestServer(t)
	srv.Fail("v1/me", 0, FaultStatus(http.StatusGatewayTimeout, ""))
	for i := 0; i < 3; i++ {
		if got := call(t, srv, http.MethodGet, "v1/me", ""); got.status != http.StatusGatewayTimeout || got.body != "" {
			t.Errorf("call %d: %d %q", i, got.status, got.body)
		}
	}
	srv.ClearFaults()
	if got := call(t, srv, http.MethodGet, "v1/me", ""); got.status != http.StatusUnauthorized {
		t.Errorf("after ClearFaults: %d, want 401", got.status)
	}
}

func TestFaultDrop(t *testing.T) {
	srv := newTestServer(t)
	srv.Fail("info", 0, FaultDrop())
	resp, err := srv.Client().Get(srv.URL + "/api/info")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}
}

func TestFaultTruncated(t *testing.T) {
	const full = `{"version":"8.8","success":true}`
	srv := newTestServer(t)
	srv.Fail("info", 1, FaultTruncated(http.StatusOK, full))
	resp, err := srv.Client().Get(srv.URL + "/api/info")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a truncated body: %q, %v; want io.ErrUnexpectedEOF", b, err)
	}
	if resp.ContentLength != int64(len(full)) || string(b) != full[:len(full)/2] {
		t.Errorf("Content-Length %d, body %q", resp.ContentLength, b)
	}
}

func TestFaultDelayHonoursClient(t *testing.T) {
	srv := newTestServer(t)
	srv.Fail("info", 1, FaultDelay(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/info", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitRequests(t, srv, "info", 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v, want context.Canceled", err)
	}
	// The fault is spent: the next call answers at once.
	if got := call(t, srv, http.MethodGet, "info", ""); got.status != http.StatusOK {
		t.Errorf("next call: %d", got.status)
	}
}

func TestFaultDelayThenAnswer(t *testing.T) {
	srv := newTestServer(t)
	srv.Fail("info", 1, FaultDelay(time.Millisecond))
	if got := call(t, srv, http.MethodGet, "info", ""); got.status != http.StatusOK || got.body == "" {
		t.Errorf("delayed call: %d %s", got.status, got.body)
	}
}

func TestCloseEndsDelay(t *testing.T) {
	srv := NewServer()
	srv.Fail("info", 1, FaultDelay(time.Hour))
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Get(srv.URL + "/api/info")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitRequests(t, srv, "info", 1)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a delayed request")
	}
	if err := <-done; err == nil {
		t.Error("the delayed request got an answer from a closed server")
	}
	srv.Close() // a second Close is harmless
}

// waitRequests waits until the endpoint has received n requests, yielding
// rather than sleeping.
func waitRequests(t *testing.T, srv *Server, endpoint string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for srv.Requests(endpoint) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s never received %d requests", endpoint, n)
		}
		runtime.Gosched()
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := newTestServer(t, WithUser(adminUser), WithUser(bobUser), WithUser(totpUser))
	srv.RequireTwoFactor("v1/logout")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				id, tok := srv.LoginToken("admin")
				h := auth(id, tok)
				for _, ep := range []string{"v1/me", "v1/instances.get", "info"} {
					req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/"+ep, nil)
					for j := 0; j+1 < len(h); j += 2 {
						req.Header.Set(h[j], h[j+1])
					}
					resp, err := srv.Client().Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Errorf("%s: %d", ep, resp.StatusCode)
					}
				}
				srv.Requests("v1/me")
				srv.Tokens("admin")
				srv.SetInstances(srv.Instances()...)
				srv.Fail("v1/nothing", 1, FaultDrop())
				srv.AddUser(User{Username: "u" + id + tok})
				srv.RevokeToken(tok)
			}
		}()
	}
	wg.Wait()
	if n := srv.Requests("v1/me"); n != 80 {
		t.Errorf("Requests(me) = %d, want 80", n)
	}
}

func TestNewServerPanicsOnMistakes(t *testing.T) {
	for name, opts := range map[string][]Option{
		"bad version":    {WithVersion("eight")},
		"too old":        {WithVersion("2.4.0")},
		"duplicate user": {WithUser(bobUser), WithUser(User{Username: "Bob"})},
		"bad secret":     {WithUser(User{Username: "x", TOTPSecret: "not base32!"})},
		"no username":    {WithUser(User{Password: "x"})},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: NewServer did not panic", name)
				}
			}()
			NewServer(opts...).Close()
		}()
	}
}

func TestTLSAndListener(t *testing.T) {
	srv := newTestServer(t, WithTLS())
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("URL = %s", srv.URL)
	}
	if got := call(t, srv, http.MethodGet, "info", ""); got.status != http.StatusOK {
		t.Errorf("info over TLS: %d", got.status)
	}
	if srv.Version() != DefaultVersion || srv.Addr() == nil {
		t.Errorf("Version %q, Addr %v", srv.Version(), srv.Addr())
	}
}
