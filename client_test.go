package rocketchat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/h2non/gock.v1"

	"github.com/go-rocketchat/rocketchat"
)

// fastRetry keeps retry waits in tests at a millisecond.
var fastRetry = rocketchat.WithRetry(3, time.Millisecond, 2*time.Millisecond)

func newClient(t testing.TB, baseURL string, opts ...rocketchat.Option) *rocketchat.Client {
	t.Helper()
	c, err := rocketchat.NewClient(baseURL, append([]rocketchat.Option{fastRetry}, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// gockClient returns a client whose transport gock intercepts. gock is
// global: tests that use it do not run in parallel.
func gockClient(t *testing.T, baseURL string, opts ...rocketchat.Option) *rocketchat.Client {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}}
	gock.InterceptClient(hc)
	t.Cleanup(gock.Off)
	return newClient(t, baseURL, append([]rocketchat.Option{rocketchat.WithHTTPClient(hc)}, opts...)...)
}

func assertGockDone(t *testing.T) {
	t.Helper()
	if !gock.IsDone() {
		t.Errorf("not every expected request was made: %d pending", len(gock.Pending()))
	}
}

func TestNewClientRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{
		"", "/api", "chat.example.com", "chat.example.com:3000", "ftp://chat.example.com",
		"http://", "https://:443", "http://user:pass@chat.example.com", "http://chat.example.com/?q=1",
		"http://chat.example.com/#top", "::not a url",
	} {
		if c, err := rocketchat.NewClient(u); err == nil || c != nil {
			t.Errorf("NewClient(%q) = %v, %v; want an error", u, c, err)
		} else if strings.Contains(err.Error(), "pass") {
			t.Errorf("NewClient(%q) error shows the password: %v", u, err)
		}
	}
	for _, u := range []string{"http://localhost:3000", "https://chat.example.com", "https://example.com/chat", "HTTPS://Example.com/chat/"} {
		if _, err := rocketchat.NewClient(u); err != nil {
			t.Errorf("NewClient(%q): %v", u, err)
		}
	}
}

// TestNewClientBaseURLErrorsSayWhatToPass: a URL without a scheme, or
// one that already ends in what the client adds, is refused with an
// error that says what to pass instead.
func TestNewClientBaseURLErrorsSayWhatToPass(t *testing.T) {
	for u, want := range map[string]string{
		"localhost:3000":                        `"localhost:3000" has no scheme: add http:// or https://`,
		"chat.example.com":                      `"chat.example.com" has no scheme: add http:// or https://`,
		"https://chat.example.com/api":          `ends in /api: pass the server's root URL, "https://chat.example.com"`,
		"https://chat.example.com/api/":         `ends in /api: pass the server's root URL, "https://chat.example.com"`,
		"https://chat.example.com/api/v1":       `ends in /api/v1: pass the server's root URL, "https://chat.example.com"`,
		"https://chat.example.com/api/v1/":      `ends in /api/v1: pass the server's root URL, "https://chat.example.com"`,
		"https://example.com/chat/api/v1/":      `ends in /api/v1: pass the server's root URL, "https://example.com/chat"`,
		"http://user:pw@chat.example.com/?q=1":  `"http://chat.example.com/": no user info, query or fragment allowed`,
		"http://user:pw@chat.example.com:x/?q=": `invalid base URL "http://…@chat.example.com:x/": invalid port`,
	} {
		_, err := rocketchat.NewClient(u)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewClient(%q) = %v, want an error saying %s", u, err, want)
		}
	}
	// A sub-path that merely contains "api" is a sub-path.
	for _, u := range []string{"https://example.com/apis", "https://example.com/api/v1x", "https://api.example.com", "https://example.com/api/chat"} {
		if _, err := rocketchat.NewClient(u); err != nil {
			t.Errorf("NewClient(%q): %v", u, err)
		}
	}
}

func TestNewClientRejectsBadOptions(t *testing.T) {
	for name, opt := range map[string]rocketchat.Option{
		"zero timeout":         rocketchat.WithTimeout(0),
		"negative retries":     rocketchat.WithRetry(-1, time.Second, time.Second),
		"waitMax below min":    rocketchat.WithRetry(1, time.Second, time.Millisecond),
		"negative waitMin":     rocketchat.WithRetry(1, -time.Second, time.Second),
		"zero body bound":      rocketchat.WithMaxResponseBytes(0),
		"nil http client":      rocketchat.WithHTTPClient(nil),
		"empty user agent":     rocketchat.WithUserAgent(""),
		"multi-line useragent": rocketchat.WithUserAgent("a\r\nX-Evil: 1"),
	} {
		if _, err := rocketchat.NewClient("https://chat.example.com", opt); err == nil {
			t.Errorf("%s: NewClient accepted it", name)
		}
	}
}

// TestRequestHeadersAndSubPath checks the URL under a sub-path, the
// credentials, the default User-Agent and the query.
func TestRequestHeadersAndSubPath(t *testing.T) {
	c := gockClient(t, "http://chat.test/chat", rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: "t1"}))
	gock.New("http://chat.test").
		Get("/chat/api/v1/rooms.info").
		MatchParam("roomId", "GENERAL").
		MatchHeader("X-User-Id", "^u1$").
		MatchHeader("X-Auth-Token", "^t1$").
		MatchHeader("User-Agent", "^go-rocketchat/").
		MatchHeader("Accept", "application/json").
		Reply(200).
		JSON(map[string]any{"room": map[string]any{"_id": "GENERAL", "name": "general"}, "success": true})

	var out struct {
		Room struct {
			ID   string `json:"_id"`
			Name string `json:"name"`
		} `json:"room"`
	}
	if err := c.Get(context.Background(), "v1/rooms.info", url.Values{"roomId": {"GENERAL"}}, &out); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if out.Room.ID != "GENERAL" || out.Room.Name != "general" {
		t.Errorf("decoded %+v", out)
	}
	assertGockDone(t)
}

func TestWithUserAgent(t *testing.T) {
	c := gockClient(t, "http://chat.test", rocketchat.WithUserAgent("dashboard/2.1"))
	gock.New("http://chat.test").Get("/api/v1/me").MatchHeader("User-Agent", "^dashboard/2.1$").Reply(200).JSON(map[string]any{"success": true})
	if err := c.Get(context.Background(), "v1/me", nil, nil); err != nil {
		t.Fatal(err)
	}
	assertGockDone(t)
}

func TestGetRejectsBadEndpoints(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1")
	for _, ep := range []string{"", "/", "http://evil.example/x", "v1/../../admin", "v1/me?x=1", "v1/me#f", "v1/a b"} {
		if err := c.Get(context.Background(), ep, nil, nil); err == nil {
			t.Errorf("Get(%q) accepted it", ep)
		}
	}
}

// TestWithHTTPClientIsCopied: the caller's client is not changed.
func TestWithHTTPClientIsCopied(t *testing.T) {
	hc := &http.Client{Timeout: 5 * time.Second}
	before := *hc
	if _, err := rocketchat.NewClient("https://chat.example.com", rocketchat.WithHTTPClient(hc), rocketchat.WithTimeout(time.Second)); err != nil {
		t.Fatal(err)
	}
	if hc.Timeout != before.Timeout || hc.CheckRedirect != nil || hc.Transport != nil {
		t.Errorf("the caller's *http.Client was changed: %+v", hc)
	}
}

func TestRetryPolicyOnTheWire(t *testing.T) {
	ctx := context.Background()
	t.Run("GET repeated after 503 and 502", func(t *testing.T) {
		c := gockClient(t, "http://chat.test")
		gock.New("http://chat.test").Get("/api/v1/me").Reply(503)
		gock.New("http://chat.test").Get("/api/v1/me").Reply(502).BodyString("<html>bad gateway</html>")
		gock.New("http://chat.test").Get("/api/v1/me").Reply(200).JSON(map[string]any{"success": true})
		if err := c.Get(ctx, "v1/me", nil, nil); err != nil {
			t.Fatal(err)
		}
		assertGockDone(t)
	})
	t.Run("GET gives up after max repeats with the last answer", func(t *testing.T) {
		c := gockClient(t, "http://chat.test")
		gock.New("http://chat.test").Get("/api/v1/me").Times(3).Reply(503)
		gock.New("http://chat.test").Get("/api/v1/me").Reply(504).JSON(map[string]any{"success": false, "error": "last one"})
		err := c.Get(ctx, "v1/me", nil, nil)
		var e *rocketchat.Error
		if !errors.As(err, &e) || e.StatusCode != 504 || e.Message != "last one" {
			t.Fatalf("err = %v, want the 504 answer as *Error", err)
		}
		assertGockDone(t)
	})
	t.Run("POST not repeated after 503", func(t *testing.T) {
		c := gockClient(t, "http://chat.test")
		gock.New("http://chat.test").Post("/api/v1/chat.postMessage").Reply(503)
		gock.New("http://chat.test").Post("/api/v1/chat.postMessage").Reply(200).JSON(map[string]any{"success": true})
		err := c.Post(ctx, "v1/chat.postMessage", map[string]string{"channel": "#general", "text": "hi"}, nil)
		var e *rocketchat.Error
		if !errors.As(err, &e) || e.StatusCode != 503 {
			t.Fatalf("err = %v, want the 503", err)
		}
		if n := len(gock.Pending()); n != 1 {
			t.Errorf("%d mocks pending, want 1: the POST was repeated", n)
		}
	})
	t.Run("POST repeated after 429 with the same body", func(t *testing.T) {
		c := gockClient(t, "http://chat.test")
		body := `{"channel":"#general","text":"hi"}`
		gock.New("http://chat.test").Post("/api/v1/chat.postMessage").BodyString(body).Reply(429).JSON(map[string]any{"success": false, "error": "slow down [error-too-many-requests]"})
		gock.New("http://chat.test").Post("/api/v1/chat.postMessage").BodyString(body).Reply(200).JSON(map[string]any{"success": true})
		if err := c.Post(ctx, "v1/chat.postMessage", []byte(body), nil); err != nil {
			t.Fatal(err)
		}
		assertGockDone(t)
	})
	t.Run("POST repeated when the connection was never made", func(t *testing.T) {
		c := gockClient(t, "http://chat.test")
		refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		gock.New("http://chat.test").Post("/api/v1/login").ReplyError(refused)
		gock.New("http://chat.test").Post("/api/v1/login").Reply(200).JSON(map[string]any{"status": "success"})
		if err := c.Post(ctx, "v1/login", map[string]string{"resume": "x"}, nil); err != nil {
			t.Fatal(err)
		}
		assertGockDone(t)
	})
	t.Run("POST not repeated when the connection broke after sending", func(t *testing.T) {
		c := gockClient(t, "http://chat.test")
		reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
		gock.New("http://chat.test").Post("/api/v1/login").ReplyError(reset)
		gock.New("http://chat.test").Post("/api/v1/login").Reply(200).JSON(map[string]any{"status": "success"})
		err := c.Post(ctx, "v1/login", map[string]string{"resume": "x"}, nil)
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("err = %v, want ECONNRESET", err)
		}
		var e *rocketchat.Error
		if errors.As(err, &e) {
			t.Errorf("a transport failure is a *Error: %v", err)
		}
		if n := len(gock.Pending()); n != 1 {
			t.Errorf("%d mocks pending, want 1: the POST was repeated", n)
		}
	})
	t.Run("max 0 turns retries off", func(t *testing.T) {
		c := gockClient(t, "http://chat.test", rocketchat.WithRetry(0, 0, 0))
		gock.New("http://chat.test").Get("/api/v1/me").Reply(503)
		gock.New("http://chat.test").Get("/api/v1/me").Reply(200)
		if err := c.Get(ctx, "v1/me", nil, nil); !errors.As(err, new(*rocketchat.Error)) {
			t.Fatalf("err = %v, want *Error", err)
		}
		if n := len(gock.Pending()); n != 1 {
			t.Errorf("%d mocks pending, want 1", n)
		}
	})
}

// TestRateLimitWaitOutlastsCap: a 429 whose window reopens an hour
// later, far beyond the retry cap (2 ms), is waited out in one wait of
// exactly that hour, logged at Info, then repeated once. The bubble's
// clock makes the hour instant and exact.
func TestRateLimitWaitOutlastsCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logRecords{}
		c := gockClient(t, "http://chat.test", rocketchat.WithLogger(slog.New(logs)))
		start := time.Now()
		reset := fmt.Sprint(start.Add(time.Hour).UnixMilli())
		gock.New("http://chat.test").Get("/api/v1/me").Reply(429).SetHeader("X-RateLimit-Reset", reset).File("testdata/error_429.json")
		gock.New("http://chat.test").Get("/api/v1/me").Reply(200).File("testdata/answers/me_200.json")
		if err := c.Get(context.Background(), "v1/me", nil, nil); err != nil {
			t.Fatal(err)
		}
		// The window opens in the millisecond after the reset.
		if got, want := time.Since(start), time.Hour+time.Millisecond; got != want {
			t.Errorf("the call took %v, want %v: one wait until the reset", got, want)
		}
		assertGockDone(t)
		want := []string{"INFO rocketchat: waiting for the rate-limit window to reopen method=GET endpoint=/api/v1/me wait=1h0m0.001s"}
		if diff := cmp.Diff(want, logs.at(slog.LevelInfo)); diff != "" {
			t.Errorf("Info logs (-want +got):\n%s", diff)
		}
	})
}

// TestNoWaitBeyondDeadline: a wait that would outlive the context's
// deadline is not started; the call returns the answer it has at once.
func TestNoWaitBeyondDeadline(t *testing.T) {
	c := gockClient(t, "http://chat.test", rocketchat.WithRetry(3, time.Hour, time.Hour))
	reset := fmt.Sprint(time.Now().Add(30 * time.Minute).UnixMilli())
	gock.New("http://chat.test").Get("/api/v1/me").Reply(429).SetHeader("X-RateLimit-Reset", reset).JSON(map[string]any{"success": false, "error": "wait [error-too-many-requests]"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := c.Get(ctx, "v1/me", nil, nil)
	var e *rocketchat.Error
	if !errors.As(err, &e) || !errors.Is(err, rocketchat.ErrRateLimited) {
		t.Fatalf("err = %v, want the 429 as *Error", err)
	}
	if e.RetryAfter < 29*time.Minute || e.RetryAfter > 30*time.Minute {
		t.Errorf("RetryAfter = %v, want about 30m", e.RetryAfter)
	}
}

// TestCancelDuringWait ends the call with the context's error.
// TestCancelDuringWait: a context that ends while an attempt fails in a
// way that would be repeated ends the call with the context's error, and
// nothing more is sent. The server's 503 may reach the client before or
// after it sees the cancellation; either way the call is over because the
// caller said so, and reporting the 503 would only invite a retry.
func TestCancelDuringWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		cancel() // the client is about to wait an hour
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, rocketchat.WithRetry(3, time.Hour, time.Hour))
	err := c.Get(ctx, "v1/me", nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if errors.As(err, new(*rocketchat.Error)) {
		t.Errorf("a cancelled call is a *Error: %v", err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("the server got %d requests, want 1", got)
	}
}

func TestTransportErrorsWrapTheirCause(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	c := newClient(t, "http://"+addr, rocketchat.WithRetry(1, time.Millisecond, time.Millisecond))
	err = c.Get(context.Background(), "v1/me", url.Values{"secret": {"s3cr3t-query"}}, nil)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v, want ECONNREFUSED", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cr3t-query") {
		t.Errorf("the error shows the query: %v", err)
	}

	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if err := c.Get(ctx, "v1/me", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired context: err = %v, want context.DeadlineExceeded", err)
	}
}

// TestPerAttemptTimeout: an attempt that gets no answer in time is
// abandoned and the GET repeated.
func TestPerAttemptTimeout(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			<-r.Context().Done() // never answers; the client gives up
			return
		}
		io.WriteString(w, `{"success":true}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, rocketchat.WithTimeout(250*time.Millisecond))
	if err := c.Get(context.Background(), "v1/me", nil, nil); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

// TestPerAttemptTimeoutSpansRedirects: the per-attempt timeout bounds an
// attempt as a whole, its redirects included, as http.Client.Timeout
// does: every hop of the attempt carries the deadline its first request
// got, one timeout after the call started.
func TestPerAttemptTimeoutSpansRedirects(t *testing.T) {
	body := testdataFile(t, "chat_getMessage.json")
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/chat.getMessage", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/v1/moved/chat.getMessage?"+r.URL.RawQuery, http.StatusFound)
	})
	mux.HandleFunc("/api/v1/moved/chat.getMessage", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	var deadlines []time.Time // the hops' in order; the calls are sequential
	record := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		d, ok := r.Context().Deadline()
		if !ok {
			t.Errorf("%s: no deadline", r.URL.Path)
		}
		deadlines = append(deadlines, d)
		return tr.RoundTrip(r)
	})
	const timeout = time.Minute
	c := newClient(t, srv.URL, rocketchat.WithTimeout(timeout), rocketchat.WithHTTPClient(&http.Client{Transport: record}))
	start := time.Now()
	if _, err := c.Message(context.Background(), "CeXwh5eBbdrtvnqG6"); err != nil {
		t.Fatal(err)
	}
	end := time.Now()
	if len(deadlines) != 2 {
		t.Fatalf("%d hops, want 2", len(deadlines))
	}
	if first := deadlines[0]; first.Before(start.Add(timeout)) || first.After(end.Add(timeout)) {
		t.Errorf("first hop's deadline %v after the call's start, want %v", first.Sub(start), timeout)
	}
	if !deadlines[1].Equal(deadlines[0]) {
		t.Errorf("the redirect's deadline is %v after the first hop's, want the same", deadlines[1].Sub(deadlines[0]))
	}
}

// TestRedirectsKeepCredentialsOnOrigin: same-origin redirects keep the
// credentials; another port, host or scheme gets none.
func TestRedirectsKeepCredentialsOnOrigin(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]http.Header{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[name] = r.Header.Clone()
			mu.Unlock()
			io.WriteString(w, `{"success":true}`)
		}
	}
	other := httptest.NewServer(record("other"))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/same", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/v1/target", http.StatusFound)
	})
	mux.HandleFunc("/api/v1/target", record("same"))
	mux.HandleFunc("/api/v1/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/api/v1/target", http.StatusTemporaryRedirect)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: "secret-token"}))
	ctx := context.Background()
	if err := c.Get(ctx, "v1/same", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, "v1/away", nil, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := seen["same"].Get("X-Auth-Token"); got != "secret-token" {
		t.Errorf("same origin: X-Auth-Token = %q, want it kept", got)
	}
	for _, h := range []string{"X-User-Id", "X-Auth-Token"} {
		if got := seen["other"].Get(h); got != "" {
			t.Errorf("other origin received %s = %q", h, got)
		}
	}
}

// TestConnectionReuse: 100 sequential calls, a tenth of them repeated after
// a 10 KB HTML error page, use a single connection.
func TestConnectionReuse(t *testing.T) {
	page, err := os.ReadFile("testdata/error_502_nginx.html")
	if err != nil {
		t.Fatal(err)
	}
	var conns, calls atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1)%11 == 1 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write(page)
			return
		}
		io.WriteString(w, `{"success":true}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c := newClient(t, srv.URL)
	for i := 0; i < 100; i++ {
		if err := c.Get(context.Background(), "v1/me", nil, nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if got := calls.Load(); got < 109 {
		t.Fatalf("%d requests, want 100 plus the repeats", got)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

func TestMaxResponseBytes(t *testing.T) {
	body := `{"success":true,"pad":"` + strings.Repeat("x", 1000) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	defer srv.Close()
	exact := newClient(t, srv.URL, rocketchat.WithMaxResponseBytes(int64(len(body))))
	if err := exact.Get(context.Background(), "v1/x", nil, nil); err != nil {
		t.Errorf("a body of exactly the bound: %v", err)
	}
	small := newClient(t, srv.URL, rocketchat.WithMaxResponseBytes(int64(len(body)-1)))
	err := small.Get(context.Background(), "v1/x", nil, nil)
	if !errors.Is(err, rocketchat.ErrResponseTooLarge) {
		t.Errorf("err = %v, want ErrResponseTooLarge", err)
	}
}

func TestTruncatedBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, `{"success":true}`) // valid JSON, but 84 bytes short
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, rocketchat.WithRetry(0, 0, 0))
	err := c.Get(context.Background(), "v1/x", nil, nil)
	if !errors.Is(err, rocketchat.ErrInvalidResponse) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want ErrInvalidResponse wrapping io.ErrUnexpectedEOF", err)
	}
}

func TestSuccessFalseWith200IsAnError(t *testing.T) {
	c := gockClient(t, "http://chat.test")
	gock.New("http://chat.test").Get("/api/v1/x").Reply(200).JSON(map[string]any{"success": false, "error": "Bad [error-x]"})
	err := c.Get(context.Background(), "v1/x", nil, new(map[string]any))
	want := &rocketchat.Error{StatusCode: 200, Method: "GET", Endpoint: "/api/v1/x", Type: "error-x", Message: "Bad"}
	var e *rocketchat.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if diff := cmp.Diff(want.Error(), e.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestInvalidJSONIsAnError(t *testing.T) {
	for _, body := range []string{"<html>maintenance</html>", "", `{"success":true`, `{"success":"yes"}`, `{"success":true} trailing`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
		c := newClient(t, srv.URL)
		err := c.Get(context.Background(), "v1/x", nil, nil)
		if !errors.Is(err, rocketchat.ErrInvalidResponse) {
			t.Errorf("body %q: err = %v, want ErrInvalidResponse", body, err)
		}
		srv.Close()
	}
}

// TestLoggerNeverShowsSecrets logs every attempt at debug level without
// headers, bodies or queries.
func TestLoggerNeverShowsSecrets(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(503)
			return
		}
		io.WriteString(w, `{"success":true}`)
	}))
	defer srv.Close()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv.URL, rocketchat.WithLogger(logger), rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: "tok-SECRET"}))
	if err := c.Get(context.Background(), "v1/me", url.Values{"q": {"query-SECRET"}}, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"method=GET", "endpoint=/api/v1/me", "attempt=1", "status=503", "attempt=2", "status=200", "duration="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "SECRET") {
		t.Errorf("log shows a secret:\n%s", out)
	}
}

func TestCredentialsNeverPrint(t *testing.T) {
	creds := rocketchat.Credentials{UserID: "u1", Token: "tok-SECRET"}
	wrapped := struct{ C rocketchat.Credentials }{creds}
	held := []any{creds, &creds, wrapped, &wrapped, []rocketchat.Credentials{creds}, []*rocketchat.Credentials{&creds},
		[1]rocketchat.Credentials{creds}, map[string]rocketchat.Credentials{"k": creds}, map[rocketchat.Credentials]int{creds: 1},
		struct{ P *rocketchat.Credentials }{&creds}, []any{creds}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%o", "%t", "%e", "%c", "%U", "%10.3v", "%-+#v"} {
		for _, v := range held {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "SECRET") || strings.Contains(s, "746f6b") {
				t.Errorf("Sprintf(%s) = %s", verb, s)
			}
		}
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		slog.New(h).Info("creds", "c", creds, "p", &creds)
	}
	if strings.Contains(buf.String(), "SECRET") || !strings.Contains(buf.String(), "u1") {
		t.Errorf("slog: %s", buf.String())
	}
	// %p of a pointer is its address.
	if s := fmt.Sprintf("%p", &creds); strings.Contains(s, "SECRET") {
		t.Errorf("Sprintf(%%p, &creds) = %s", s)
	}
	c := newClient(t, "http://chat.test", rocketchat.WithCredentials(creds))
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		if s := fmt.Sprintf(verb, c); strings.Contains(s, "SECRET") {
			t.Errorf("Sprintf(%s, client) shows the token: %s", verb, s)
		}
	}
}

// TestCredentialsPrintLimits pins the cases that Credentials' doc
// comment names as printing the token, where fmt never calls Format: if
// fmt changes, the promise can widen. The format strings are variables:
// go vet flags these misuses when they are constants.
func TestCredentialsPrintLimits(t *testing.T) {
	creds := rocketchat.Credentials{UserID: "u1", Token: "tok-SECRET"}
	pVerb, wVerb, vVerb := "%p", "%w", "%v"
	for name, s := range map[string]string{
		"%p of the value":            fmt.Sprintf(pVerb, creds),
		"%w of the value":            fmt.Sprintf(wVerb, creds),
		"%w of a pointer":            fmt.Sprintf(wVerb, &creds),
		"Errorf %w of the value":     fmt.Errorf(wVerb, creds).Error(),
		"an unexported struct field": fmt.Sprintf(vVerb, struct{ c rocketchat.Credentials }{creds}),
	} {
		if !strings.Contains(s, "SECRET") {
			t.Errorf("%s: %s; fmt now hides the token here, and Credentials' doc can say so", name, s)
		}
	}
}

// TestCredentialsNeverTorn swaps credentials while other goroutines call;
// every request must carry a matching pair.
func TestCredentialsNeverTorn(t *testing.T) {
	var torn atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, tok := r.Header.Get("X-User-Id"), r.Header.Get("X-Auth-Token")
		if strings.TrimPrefix(id, "user-") != strings.TrimPrefix(tok, "token-") {
			torn.Add(1)
		}
		io.WriteString(w, `{"success":true}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: "user-0", Token: "token-0"}))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := c.Get(context.Background(), "v1/me", nil, nil); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 1; i <= 200; i++ {
		c.SetCredentials(rocketchat.Credentials{UserID: fmt.Sprint("user-", i), Token: fmt.Sprint("token-", i)})
		_ = c.Credentials()
	}
	wg.Wait()
	if n := torn.Load(); n != 0 {
		t.Errorf("%d requests carried a torn pair", n)
	}
	if got := c.Credentials(); got.UserID != "user-200" || got.Token != "token-200" {
		t.Errorf("Credentials() = %#v after the last SetCredentials", got)
	}
}
