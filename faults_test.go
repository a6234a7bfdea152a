package rocketchat_test

// The fault suite: hostile servers on loopback, one subtest per fault and
// entry point. Every case must end as a typed error (or, where the input
// is valid, a result) within its time bound: never a panic, a hang, an
// unbounded allocation or a goroutine left behind. The request counts it
// asserts are the ones GUARANTEES.md states.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/go-rocketchat/rocketchat"
)

// faultRetryMax is the number of repeats the fault clients allow; the
// waits between them are a millisecond or two.
const faultRetryMax = 3

var faultRetry = rocketchat.WithRetry(faultRetryMax, time.Millisecond, 2*time.Millisecond)

// faultEntry is one way into the client: the generic calls and the typed
// methods, which decode on different paths (doAny and do).
type faultEntry struct {
	name   string
	method string // the HTTP method the entry point sends
	call   func(ctx context.Context, c *rocketchat.Client) error
}

var faultEntries = []faultEntry{
	{"Get", http.MethodGet, func(ctx context.Context, c *rocketchat.Client) error {
		var out map[string]any
		return c.Get(ctx, "v1/statistics", nil, &out)
	}},
	{"Post", http.MethodPost, func(ctx context.Context, c *rocketchat.Client) error {
		var out map[string]any
		return c.Post(ctx, "v1/chat.postMessage", map[string]string{"channel": "#general", "text": "hi"}, &out)
	}},
	{"Me", http.MethodGet, func(ctx context.Context, c *rocketchat.Client) error {
		_, err := c.Me(ctx)
		return err
	}},
	{"Login", http.MethodPost, func(ctx context.Context, c *rocketchat.Client) error {
		_, err := c.Login(ctx, "example", "password")
		return err
	}},
	{"ServerInfo", http.MethodGet, func(ctx context.Context, c *rocketchat.Client) error {
		_, err := c.ServerInfo(ctx)
		return err
	}},
	{"Instances", http.MethodGet, func(ctx context.Context, c *rocketchat.Client) error {
		_, err := c.Instances(ctx)
		return err
	}},
}

// faultValidBody is a success answer every entry point accepts.
const faultValidBody = `{"success":true,"status":"success","version":"8.8.1","instances":[],` +
	`"_id":"u1","username":"example","data":{"userId":"u1","authToken":"t1","me":{"_id":"u1","username":"example"}}}`

// attemptsPerCall is how many requests a call whose every attempt fails
// in a retryable way makes: 1 + max for GET, 1 for POST unless the failure
// proves that the server did not run it.
func attemptsPerCall(method string, retryMax int) int64 {
	if method == http.MethodGet {
		return int64(1 + retryMax)
	}
	return 1
}

// faultCase starts a fault subtest: it checks for leaked goroutines when
// the subtest ends (after every server and client it set up is closed)
// and returns a context bounded at 5 s.
func faultCase(t *testing.T) context.Context {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// countingServer serves h and counts the requests that reach it. It
// reads each request's body first: net/http notices that a client went
// away (and cancels r.Context()) only once the body has been read.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// faultClient builds a client with millisecond retries; its transport's
// idle connections are closed when the subtest ends.
func faultClient(t *testing.T, baseURL string, opts ...rocketchat.Option) *rocketchat.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	all := append([]rocketchat.Option{faultRetry, rocketchat.WithHTTPClient(&http.Client{Transport: tr})}, opts...)
	c, err := rocketchat.NewClient(baseURL, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// callBounded runs one call, turning a panic into a test failure, and
// checks that it ended well before the context's deadline: a fault case
// that hits the test's own deadline has hung.
func callBounded(t *testing.T, ctx context.Context, bound time.Duration, call func() error) (err error) {
	t.Helper()
	start := time.Now()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("panic: %v", p)
			}
		}()
		err = call()
	}()
	if elapsed := time.Since(start); elapsed > bound {
		t.Errorf("the call took %v, want at most %v", elapsed, bound)
	}
	if ctx.Err() != nil {
		t.Errorf("the test's own deadline was hit: %v (err = %v)", ctx.Err(), err)
	}
	return err
}

func wantCount(t *testing.T, n *atomic.Int64, want int64) {
	t.Helper()
	if got := n.Load(); got != want {
		t.Errorf("%d requests reached the server, want %d", got, want)
	}
}

// wantInvalid checks for a 2xx answer that could not be read: it matches
// ErrInvalidResponse and is not an *Error.
func wantInvalid(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, rocketchat.ErrInvalidResponse) {
		t.Errorf("err = %v, want ErrInvalidResponse", err)
	}
	if errors.As(err, new(*rocketchat.Error)) {
		t.Errorf("err = %v is a *Error; an unreadable success answer is not", err)
	}
}

// wantTooLarge checks for ErrResponseTooLarge.
func wantTooLarge(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, rocketchat.ErrResponseTooLarge) {
		t.Errorf("err = %v, want ErrResponseTooLarge", err)
	}
}

// wantStatus checks for an *Error with the given status.
func wantStatus(t *testing.T, err error, status int) *rocketchat.Error {
	t.Helper()
	var e *rocketchat.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want a *Error with status %d", err, status)
	}
	if e.StatusCode != status {
		t.Errorf("status %d, want %d (err = %v)", e.StatusCode, status, err)
	}
	return e
}

// wantTransport checks for a failure that left no answer: not an *Error,
// not a decode error.
func wantTransport(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("err = nil, want a transport error")
	}
	if errors.As(err, new(*rocketchat.Error)) || errors.Is(err, rocketchat.ErrInvalidResponse) {
		t.Errorf("err = %v, want a transport error", err)
	}
}

// wantTimeout checks that err is a per-attempt timeout (which matches
// context.DeadlineExceeded through net/http's timeout error), not the
// test's context.
func wantTimeout(t *testing.T, err error) {
	t.Helper()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a per-attempt timeout", err)
	}
}

// headersSeen wraps a transport and signals once a response's headers
// have arrived, so that a server can break the connection strictly after
// that point.
type headersSeen struct {
	rt http.RoundTripper
	ch chan struct{}
}

func (h headersSeen) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.rt.RoundTrip(r)
	if err == nil {
		select {
		case h.ch <- struct{}{}:
		default:
		}
	}
	return resp, err
}

// hijack takes the connection over from net/http.
func hijack(t *testing.T, w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		panic(http.ErrAbortHandler)
	}
	return conn, buf
}

// reset closes the connection with a TCP RST instead of a FIN.
func reset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// TestFaultsBrokenConnections: resets, short bodies, silence and trickles.
func TestFaultsBrokenConnections(t *testing.T) {
	for _, ep := range faultEntries {
		// The server sends the headers and part of the body, then resets
		// the connection once the client has the headers: the call fails
		// while decoding, which is never repeated.
		t.Run("reset mid-body/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			seen := make(chan struct{}, 1)
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				conn, buf := hijack(t, w)
				part := faultValidBody[:len(faultValidBody)/2]
				fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(faultValidBody), part)
				buf.Flush()
				select {
				case <-seen:
				case <-time.After(5 * time.Second):
				}
				reset(conn)
			})
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			c, err := rocketchat.NewClient(srv.URL, faultRetry, rocketchat.WithHTTPClient(&http.Client{Transport: headersSeen{tr, seen}}))
			if err != nil {
				t.Fatal(err)
			}
			err = callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantInvalid(t, err)
			if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want it to wrap ECONNRESET or io.ErrUnexpectedEOF", err)
			}
			wantCount(t, n, 1)
		})

		// The server resets the connection after reading the request,
		// before any answer: a GET is repeated, a POST (which may have
		// run) is not.
		t.Run("reset before the answer/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				conn, _ := hijack(t, w)
				reset(conn)
			})
			c := faultClient(t, srv.URL)
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantTransport(t, err)
			if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
				t.Errorf("err = %v, want it to wrap ECONNRESET or io.EOF", err)
			}
			wantCount(t, n, attemptsPerCall(ep.method, faultRetryMax))
		})

		// A complete, valid JSON answer whose Content-Length promises 100
		// bytes more: the call fails although the JSON parsed.
		t.Run("body shorter than Content-Length/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(faultValidBody)+100))
				io.WriteString(w, faultValidBody)
			})
			c := faultClient(t, srv.URL)
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantInvalid(t, err)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want it to wrap io.ErrUnexpectedEOF", err)
			}
			wantCount(t, n, 1)
		})

		// An error page cut short: still the status, and the GET repeated.
		t.Run("503 shorter than Content-Length/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"success":false,"error":"down"}`)
			})
			c := faultClient(t, srv.URL)
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantStatus(t, err, http.StatusServiceUnavailable)
			wantCount(t, n, attemptsPerCall(ep.method, faultRetryMax))
		})

		// The server reads the request and never answers: each attempt
		// ends at the per-attempt timeout.
		t.Run("no answer/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // the client gives up and closes
			})
			c := faultClient(t, srv.URL, rocketchat.WithTimeout(100*time.Millisecond), rocketchat.WithRetry(2, time.Millisecond, 2*time.Millisecond))
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantTransport(t, err)
			wantTimeout(t, err)
			wantCount(t, n, attemptsPerCall(ep.method, 2))
		})

		// The body arrives one byte every 2 ms, forever: the per-attempt
		// timeout also bounds reading the body.
		t.Run("trickling body/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := countingServer(t, trickle(http.StatusOK, `{"success":true,"version":"8.8","pad":"`))
			c := faultClient(t, srv.URL, rocketchat.WithTimeout(100*time.Millisecond))
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantInvalid(t, err)
			wantTimeout(t, err)
			wantCount(t, n, 1)
		})
	}

	// The remaining cases time out on every attempt: two entry points (one
	// per method) keep the suite fast.
	for _, ep := range []faultEntry{faultEntries[0], faultEntries[1]} {
		// An error page that trickles: each attempt, draining included,
		// ends at the per-attempt timeout; the last one becomes the
		// *Error.
		t.Run("trickling 503/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := countingServer(t, trickle(http.StatusServiceUnavailable, `<html><title>Service Unavailable</title>`))
			c := faultClient(t, srv.URL, rocketchat.WithTimeout(100*time.Millisecond), rocketchat.WithRetry(2, time.Millisecond, 2*time.Millisecond))
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantStatus(t, err, http.StatusServiceUnavailable)
			wantCount(t, n, attemptsPerCall(ep.method, 2))
		})

		// A port that accepts connections and never reads from them.
		t.Run("silent listener/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			addr, n := silentListener(t)
			c := faultClient(t, "http://"+addr, rocketchat.WithTimeout(100*time.Millisecond), rocketchat.WithRetry(2, time.Millisecond, 2*time.Millisecond))
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantTransport(t, err)
			wantTimeout(t, err)
			wantCount(t, n, attemptsPerCall(ep.method, 2))
		})
	}
}

// trickle answers with status and head, then one byte every 2 ms until
// the client leaves.
func trickle(status int, head string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, head)
		rc := http.NewResponseController(w)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
			if _, err := io.WriteString(w, "a"); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// silentListener accepts connections and never reads or writes; it
// counts them. Everything is closed when the test ends.
func silentListener(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), &n
}

// gzipMember compresses data as one gzip member. Members concatenate:
// net/http's gzip reader reads them all, as one stream.
func gzipMember(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// allocatedDuring reports how many bytes the whole process allocated on
// the heap while f ran. Nothing else runs in parallel with these tests.
func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestFaultsOversizedBodies: endless bodies and gzip bombs fail with
// ErrResponseTooLarge, counted after decompression, after reading about
// the bound and allocating a small multiple of it.
func TestFaultsOversizedBodies(t *testing.T) {
	const limit = 1 << 20
	const allocBound = 16 << 20 // the bombs below hold 64 MiB and more; a call takes about 4.5 MiB

	head := []byte(`{"success":true,"version":"8.8","pad":"`)
	zeros := bytes.Repeat([]byte("0"), 1<<20)
	headGz, zerosGz := gzipMember(t, head), gzipMember(t, zeros)
	nulGz := gzipMember(t, make([]byte, 1<<20))

	// endless writes head and then chunk until the client leaves.
	endless := func(encoding string, head, chunk []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if encoding != "" {
				w.Header().Set("Content-Encoding", encoding)
			}
			w.Write(head)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	}
	// bomb writes head and then chunk 64 times: 64 MiB once inflated.
	bomb := func(head, chunk []byte, acceptEncoding *atomic.Value) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			acceptEncoding.Store(r.Header.Get("Accept-Encoding"))
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(head)
			for i := 0; i < 64; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	}

	for _, ep := range faultEntries {
		for _, tc := range []struct {
			name string
			h    func(ae *atomic.Value) http.HandlerFunc
		}{
			{"endless string", func(*atomic.Value) http.HandlerFunc { return endless("", head, zeros) }},
			{"endless white space after a valid answer", func(*atomic.Value) http.HandlerFunc {
				return endless("", []byte(faultValidBody), bytes.Repeat([]byte(" "), 64<<10))
			}},
			{"endless gzip", func(*atomic.Value) http.HandlerFunc { return endless("gzip", headGz, zerosGz) }},
			{"gzip bomb", func(ae *atomic.Value) http.HandlerFunc { return bomb(headGz, zerosGz, ae) }},
		} {
			t.Run(tc.name+"/"+ep.name, func(t *testing.T) {
				ctx := faultCase(t)
				var ae atomic.Value
				srv, n := countingServer(t, tc.h(&ae))
				c := faultClient(t, srv.URL, rocketchat.WithMaxResponseBytes(limit))
				var err error
				alloc := allocatedDuring(func() {
					err = callBounded(t, ctx, 3*time.Second, func() error { return ep.call(ctx, c) })
				})
				wantTooLarge(t, err)
				t.Logf("allocated %d KiB", alloc>>10)
				if alloc > allocBound {
					t.Errorf("the call allocated %d MiB, want at most %d MiB", alloc>>20, allocBound>>20)
				}
				if got, _ := ae.Load().(string); tc.name == "gzip bomb" && got != "gzip" {
					t.Errorf("Accept-Encoding = %q: want net/http's own \"gzip\", which it decompresses transparently", got)
				}
				wantCount(t, n, 1)
			})
		}
	}

	// A bomb of NUL bytes: every call reads the body within the bound
	// before decoding it, so it hits the bound.
	for _, ep := range faultEntries {
		t.Run("gzip bomb of NUL bytes/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			var ae atomic.Value
			srv, n := countingServer(t, bomb(nil, nulGz, &ae))
			c := faultClient(t, srv.URL, rocketchat.WithMaxResponseBytes(limit))
			var err error
			alloc := allocatedDuring(func() {
				err = callBounded(t, ctx, 3*time.Second, func() error { return ep.call(ctx, c) })
			})
			wantTooLarge(t, err)
			if alloc > allocBound {
				t.Errorf("the call allocated %d MiB, want at most %d MiB", alloc>>20, allocBound>>20)
			}
			wantCount(t, n, 1)
		})
	}

	// An error page that never ends: read up to 64 KiB, drained up to
	// 64 KiB more, and the GET repeated.
	t.Run("endless 503", func(t *testing.T) {
		ctx := faultCase(t)
		srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "<html><title>Overloaded</title>")
			for r.Context().Err() == nil {
				if _, err := w.Write(zeros); err != nil {
					return
				}
			}
		})
		c := faultClient(t, srv.URL)
		err := callBounded(t, ctx, 3*time.Second, func() error { return c.Get(ctx, "v1/x", nil, nil) })
		if e := wantStatus(t, err, http.StatusServiceUnavailable); e.Message != "Overloaded" {
			t.Errorf("Message = %q, want the page's title", e.Message)
		}
		wantCount(t, n, 1+faultRetryMax)
	})

	// The control: a small gzip answer decodes, so the bombs above fail
	// for their size and not because the client cannot read gzip.
	t.Run("small gzip answer decodes", func(t *testing.T) {
		ctx := faultCase(t)
		body := gzipMember(t, []byte(faultValidBody))
		srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(body)
		})
		c := faultClient(t, srv.URL, rocketchat.WithMaxResponseBytes(limit))
		for _, ep := range faultEntries {
			if err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) }); err != nil {
				t.Errorf("%s: %v", ep.name, err)
			}
		}
	})
}

// TestFaultsHostileJSON: deep nesting, invalid UTF-8, huge numbers and
// content types that lie.
func TestFaultsHostileJSON(t *testing.T) {
	const depth = 100_000
	open, closeArr := strings.Repeat("[", depth), strings.Repeat("]", depth)
	var nestedObj strings.Builder
	for i := 0; i < depth; i++ {
		nestedObj.WriteString(`{"a":`)
	}
	nestedObj.WriteString("1")
	nestedObj.WriteString(strings.Repeat("}", depth))

	serve := func(t *testing.T, contentType, body string) (*httptest.Server, *atomic.Int64) {
		return countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			} else {
				w.Header()["Content-Type"] = nil // no sniffing either
			}
			io.WriteString(w, body)
		})
	}

	// Nesting beyond the decoder's depth limit (10,000) is an invalid
	// answer wherever it is, never a stack overflow.
	for _, tc := range []struct{ name, body string }{
		{"unclosed arrays", open},
		{"closed arrays", open + closeArr},
		{"arrays inside an object", `{"success":true,"version":"8.8","x":` + open + closeArr + `}`},
		{"nested objects", nestedObj.String()},
		{"nested objects inside the answer", `{"success":true,"version":"8.8","customFields":` + nestedObj.String() + `}`},
	} {
		for _, ep := range faultEntries {
			t.Run("deep nesting, "+tc.name+"/"+ep.name, func(t *testing.T) {
				ctx := faultCase(t)
				srv, n := serve(t, "application/json", tc.body)
				c := faultClient(t, srv.URL)
				err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
				wantInvalid(t, err)
				wantCount(t, n, 1)
			})
		}
	}

	// Invalid UTF-8 and lone surrogates (which a JavaScript server's
	// JSON.stringify escapes as \ud800) decode to U+FFFD, as encoding/json
	// does: a user's odd name must not break the call.
	badUTF8 := "{\"success\":true,\"version\":\"8.8\\ud800\",\"_id\":\"u1\",\"username\":\"bad\xffname\",\"name\":\"lone \\udc00 surrogate\"," +
		"\"data\":{\"userId\":\"u1\",\"authToken\":\"t1\",\"me\":{\"_id\":\"u1\",\"username\":\"bad\xfe\xffname\"}},\"text\":\"\xc3\x28\"," +
		"\"instances\":[{\"address\":\"a\",\"currentStatus\":{\"connected\":true},\"instanceRecord\":{\"_id\":\"i\xff1\",\"name\":\"rocket\\udbff.chat\"}}]}"
	t.Run("invalid UTF-8", func(t *testing.T) {
		ctx := faultCase(t)
		srv, _ := serve(t, "application/json", badUTF8)
		c := faultClient(t, srv.URL)
		var out map[string]any
		if err := callBounded(t, ctx, 2*time.Second, func() error { return c.Get(ctx, "v1/x", nil, &out) }); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if got := out["username"]; got != "bad\uFFFDname" {
			t.Errorf("Get: username = %q, want the bad byte replaced by U+FFFD", got)
		}
		me, err := c.Me(ctx)
		if err != nil {
			t.Fatalf("Me: %v", err)
		}
		if me.Username != "bad\uFFFDname" || me.Name != "lone \uFFFD surrogate" {
			t.Errorf("Me: username %q, name %q; want U+FFFD in place of the bad bytes", me.Username, me.Name)
		}
		if info, err := c.ServerInfo(ctx); err != nil || info.Version != "8.8\uFFFD" {
			t.Errorf("ServerInfo = %+v, %v", info, err)
		}
		if _, err := c.Login(ctx, "example", "password"); err != nil {
			t.Errorf("Login: %v", err)
		}
		if err := c.Post(ctx, "v1/x", nil, nil); err != nil {
			t.Errorf("Post: %v", err)
		}
		if in, err := c.Instances(ctx); err != nil || len(in) != 1 {
			t.Errorf("Instances = %+v, %v; want one", in, err)
		} else if in[0].Name != "rocket\uFFFD.chat" || (in[0].ID != "i\uFFFD1" && in[0].ID != "i\xff1") {
			// The instance decoder reads string tokens itself: a raw bad
			// byte stays as it is there (an escaped lone surrogate
			// becomes U+FFFD); either way the list decodes.
			t.Errorf("Instances: ID %q, Name %q", in[0].ID, in[0].Name)
		}
	})
	t.Run("invalid UTF-8 in an error", func(t *testing.T) {
		ctx := faultCase(t)
		srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "{\"success\":false,\"error\":\"bro\xffken\\ud800 \\u001b[31mred [error-\xffx]\",\"errorType\":\"error-bad\xff\"}")
		})
		c := faultClient(t, srv.URL)
		for _, ep := range faultEntries {
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			if e := wantStatus(t, err, http.StatusBadRequest); e.Type != "error-bad" {
				t.Errorf("%s: Type = %q, want the errorType without its bad byte", ep.name, e.Type)
			}
			if s := err.Error(); strings.ContainsAny(s, "\x1b\n\r") || !isValidPrintable(s) {
				t.Errorf("%s: Error() = %q, want one printable line", ep.name, s)
			}
		}
	})
	// A 2FA challenge naming the user with a bad byte is still a
	// challenge: the handler is asked and the request repeated.
	t.Run("invalid UTF-8 in a 2FA challenge", func(t *testing.T) {
		ctx := faultCase(t)
		srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-2fa-Code") == "123456" {
				io.WriteString(w, faultValidBody)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "{\"success\":false,\"error\":\"TOTP Required [totp-required]\",\"errorType\":\"totp-required\","+
				"\"details\":{\"method\":\"totp\",\"emailOrUsername\":\"bad\xffname\\ud800\"}}")
		})
		var asked []rocketchat.TwoFactorChallenge
		handler := func(_ context.Context, ch rocketchat.TwoFactorChallenge) (string, error) {
			asked = append(asked, ch)
			return "123456", nil
		}
		c := faultClient(t, srv.URL, rocketchat.WithTwoFactor(handler))
		if err := callBounded(t, ctx, 2*time.Second, func() error { return c.Get(ctx, "v1/x", nil, nil) }); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if len(asked) != 1 || asked[0].Method != "totp" || asked[0].EmailOrUsername != "bad\uFFFDname\uFFFD" {
			t.Errorf("the handler was asked %+v, want one totp challenge", asked)
		}
		wantCount(t, n, 2)
	})

	// Numbers beyond their Go type are an invalid answer, never a silent
	// zero or a wrapped value; beyond float64 they are invalid anywhere a
	// value is kept, and ignored where the answer has no such field.
	for _, tc := range []struct {
		name, body string
		call       func(ctx context.Context, c *rocketchat.Client) error
		ok         bool
	}{
		{"2^70 into an int", `{"success":true,"n":1180591620717411303424}`, func(ctx context.Context, c *rocketchat.Client) error {
			var out struct{ N int }
			return c.Get(ctx, "v1/x", nil, &out)
		}, false},
		{"2^70 into an int64 from Post", `{"success":true,"n":1180591620717411303424}`, func(ctx context.Context, c *rocketchat.Client) error {
			var out struct{ N int64 }
			return c.Post(ctx, "v1/x", nil, &out)
		}, false},
		{"-1 into a uint", `{"success":true,"n":-1}`, func(ctx context.Context, c *rocketchat.Client) error {
			var out struct{ N uint }
			return c.Get(ctx, "v1/x", nil, &out)
		}, false},
		{"1e400 into a float64", `{"success":true,"n":1e400}`, func(ctx context.Context, c *rocketchat.Client) error {
			var out struct{ N float64 }
			return c.Get(ctx, "v1/x", nil, &out)
		}, false},
		{"1e400 into any", `{"success":true,"n":1e400}`, func(ctx context.Context, c *rocketchat.Client) error {
			var out any
			return c.Get(ctx, "v1/x", nil, &out)
		}, false},
		{"1e400 as Me's utcOffset", `{"success":true,"_id":"u1","utcOffset":1e400}`, func(ctx context.Context, c *rocketchat.Client) error {
			_, err := c.Me(ctx)
			return err
		}, false},
		{"1e400 in the login answer", `{"status":"success","data":{"userId":"u1","authToken":"t","me":{"utcOffset":-1e400}}}`, func(ctx context.Context, c *rocketchat.Client) error {
			_, err := c.Login(ctx, "example", "password")
			return err
		}, false},
		{"1e400 where ServerInfo keeps nothing", `{"success":true,"version":"8.8","n":1e400}`, func(ctx context.Context, c *rocketchat.Client) error {
			_, err := c.ServerInfo(ctx)
			return err
		}, true},
		{"2^70 as Me's utcOffset fits a float64", `{"success":true,"_id":"u1","utcOffset":1180591620717411303424}`, func(ctx context.Context, c *rocketchat.Client) error {
			_, err := c.Me(ctx)
			return err
		}, true},
		{"2^70 as an instance's pid", `{"success":true,"instances":[{"address":"a","currentStatus":{"connected":true},` +
			`"instanceRecord":{"_id":"i1","pid":1180591620717411303424}}]}`, func(ctx context.Context, c *rocketchat.Client) error {
			_, err := c.Instances(ctx)
			return err
		}, false},
		{"1e400 as an instance's uptime", `{"success":true,"instances":[{"address":"a","currentStatus":{"connected":true,"lastHeartbeatTime":1e400},` +
			`"instanceRecord":{"_id":"i1"}}]}`, func(ctx context.Context, c *rocketchat.Client) error {
			_, err := c.Instances(ctx)
			return err
		}, false},
		{"a 10,000-digit number", `{"success":true,"version":"8.8","n":1` + strings.Repeat("0", 10_000) + `}`, func(ctx context.Context, c *rocketchat.Client) error {
			var out struct{ N int }
			return c.Get(ctx, "v1/x", nil, &out)
		}, false},
	} {
		t.Run("huge numbers, "+tc.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := serve(t, "application/json", tc.body)
			c := faultClient(t, srv.URL)
			err := callBounded(t, ctx, 2*time.Second, func() error { return tc.call(ctx, c) })
			if tc.ok {
				if err != nil {
					t.Errorf("err = %v, want success", err)
				}
			} else {
				wantInvalid(t, err)
			}
			wantCount(t, n, 1)
		})
	}

	// The Content-Type header never decides how a body is read: a valid
	// answer decodes whatever it says, an HTML page fails whatever it
	// says, and a failure keeps its status.
	for _, ct := range []string{"text/html; charset=utf-8", "text/plain", "application/octet-stream", "application/xml", ""} {
		for _, ep := range faultEntries {
			t.Run("content type "+strconv.Quote(ct)+"/"+ep.name, func(t *testing.T) {
				ctx := faultCase(t)
				srv, _ := serve(t, ct, faultValidBody)
				c := faultClient(t, srv.URL)
				if err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) }); err != nil {
					t.Errorf("a valid body with Content-Type %q: %v", ct, err)
				}
			})
		}
	}
	for _, ep := range faultEntries {
		t.Run("HTML labelled application/json/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, _ := serve(t, "application/json", "<html><title>Maintenance</title></html>")
			c := faultClient(t, srv.URL)
			wantInvalid(t, callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) }))
		})
		t.Run("502 HTML labelled application/json/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadGateway)
				io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")
			})
			c := faultClient(t, srv.URL)
			e := wantStatus(t, callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) }), http.StatusBadGateway)
			if e.Message != "502 Bad Gateway" {
				t.Errorf("Message = %q, want the page's title", e.Message)
			}
		})
	}
}

// TestFaultsErrorPages: proxy pages whose bytes change length when
// lower-cased (invalid UTF-8, "İ") once made the title search slice out
// of range, a panic from a body (found by FuzzNewError).
func TestFaultsErrorPages(t *testing.T) {
	for _, page := range []string{
		"\xea<title>Bad Gateway</title>",
		"\xff\xfe\xfd<TITLE>Bad Gateway</TITLE>",
		"İİİİİİİİ<title>Bad Gateway</title>",
		"<title>\xea\xeaBad Gateway</title>",
		"\xea<title>",
		"<title>İ",
	} {
		for _, ep := range faultEntries {
			t.Run(strconv.Quote(page)+"/"+ep.name, func(t *testing.T) {
				ctx := faultCase(t)
				srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(http.StatusBadGateway)
					io.WriteString(w, page)
				})
				c := faultClient(t, srv.URL, rocketchat.WithRetry(0, 0, 0))
				err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
				e := wantStatus(t, err, http.StatusBadGateway)
				if strings.Contains(page, "</") && e.Message != "Bad Gateway" {
					t.Errorf("Message = %q, want the title", e.Message)
				}
				if !isValidPrintable(err.Error()) {
					t.Errorf("Error() = %q, want one printable line", err.Error())
				}
				wantCount(t, n, 1)
			})
		}
	}
}

// isValidPrintable reports whether s is valid UTF-8 of printable runes.
func isValidPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// TestFaults5xxStorm: 20 goroutines share one client against a server
// that answers every request with 503.
//
// No amplification: a failing GET makes exactly 1 + max requests and a
// failing POST exactly 1, however many goroutines fail at once; the
// client adds no request of its own (no probe, no re-login). With max = 3
// and 20 goroutines each making 3 rounds of Get, Me, ServerInfo and
// Instances (GET) and Post and Login (POST), the server sees
// 20×3×4×4 = 960 GETs and 20×3×2×1 = 120 POSTs, and not one more. The
// worst case of a call is larger only through 2FA repeats and net/http's
// own resends: see TestFaultsWorstCaseRequestCounts.
func TestFaults5xxStorm(t *testing.T) {
	ctx := faultCase(t)
	var gets, posts, other atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			gets.Add(1)
		case http.MethodPost:
			posts.Add(1)
		default:
			other.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"success":false,"error":"Service Unavailable"}`)
	}))
	t.Cleanup(srv.Close)
	c := faultClient(t, srv.URL)

	const goroutines, rounds = 20, 3
	var wg sync.WaitGroup
	var wrong atomic.Int64
	start := time.Now()
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				for _, ep := range faultEntries {
					var e *rocketchat.Error
					if err := ep.call(ctx, c); !errors.As(err, &e) || e.StatusCode != http.StatusServiceUnavailable {
						wrong.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	if elapsed := time.Since(start); elapsed > 5*time.Second || ctx.Err() != nil {
		t.Errorf("the storm took %v (context: %v)", elapsed, ctx.Err())
	}
	if n := wrong.Load(); n != 0 {
		t.Errorf("%d calls did not end with the 503 as *Error", n)
	}
	var getCalls, postCalls int64
	for _, ep := range faultEntries {
		if ep.method == http.MethodGet {
			getCalls++
		} else {
			postCalls++
		}
	}
	if got, want := gets.Load(), goroutines*rounds*getCalls*(1+faultRetryMax); got != want {
		t.Errorf("%d GET requests, want exactly %d", got, want)
	}
	if got, want := posts.Load(), goroutines*rounds*postCalls; got != want {
		t.Errorf("%d POST requests, want exactly %d", got, want)
	}
	if n := other.Load(); n != 0 {
		t.Errorf("%d requests of other methods", n)
	}
}

// TestFaultsRateLimitReset: 429 answers whose X-RateLimit-Reset is far
// ahead, past or malformed. A reset far ahead is never answered early:
// it outlives the context's 5 s (or, ages ahead, any window), so the
// call returns the 429 at once. A past or unreadable one says nothing:
// every entry point (GET and POST alike: a 429 proves that the endpoint
// did not run) repeats the request max times after the usual backoff,
// and returns the last 429 as *Error.
func TestFaultsRateLimitReset(t *testing.T) {
	const body = `{"success":false,"error":"Error, too many requests. Please slow down. You must wait 60 seconds before trying this endpoint again. [error-too-many-requests]"}`
	for _, tc := range []struct {
		name     string
		reset    func(now time.Time) string
		min, max time.Duration // bounds of Error.RetryAfter
		requests int64
	}{
		{"an hour ahead", func(now time.Time) string { return fmt.Sprint(now.Add(time.Hour).UnixMilli()) }, time.Hour - time.Second, time.Hour + time.Second, 1},
		{"ages ahead", func(time.Time) string { return "9223372036854775807" }, 24 * time.Hour, 24 * time.Hour, 1},
		{"past", func(now time.Time) string { return fmt.Sprint(now.Add(-time.Hour).UnixMilli()) }, 0, 0, 1 + faultRetryMax},
		{"zero", func(time.Time) string { return "0" }, 0, 0, 1 + faultRetryMax},
		{"malformed", func(time.Time) string { return "soon" }, 0, 0, 1 + faultRetryMax},
		{"negative", func(time.Time) string { return "-1" }, 0, 0, 1 + faultRetryMax},
		{"too many digits", func(time.Time) string { return strings.Repeat("9", 400) }, 0, 0, 1 + faultRetryMax},
		{"a float", func(now time.Time) string { return fmt.Sprintf("%d.5", now.Add(time.Hour).UnixMilli()) }, 0, 0, 1 + faultRetryMax},
	} {
		for _, ep := range faultEntries {
			t.Run(tc.name+"/"+ep.name, func(t *testing.T) {
				ctx := faultCase(t)
				srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("X-RateLimit-Limit", "10")
					w.Header().Set("X-RateLimit-Remaining", "0")
					w.Header().Set("X-RateLimit-Reset", tc.reset(time.Now()))
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusTooManyRequests)
					io.WriteString(w, body)
				})
				c := faultClient(t, srv.URL)
				err := callBounded(t, ctx, time.Second, func() error { return ep.call(ctx, c) })
				e := wantStatus(t, err, http.StatusTooManyRequests)
				if !errors.Is(err, rocketchat.ErrRateLimited) {
					t.Errorf("err = %v, want ErrRateLimited", err)
				}
				if e.RetryAfter < tc.min || e.RetryAfter > tc.max {
					t.Errorf("RetryAfter = %v, want within [%v, %v]", e.RetryAfter, tc.min, tc.max)
				}
				wantCount(t, n, tc.requests)
			})
		}
	}

	// Whatever the cap (an hour here), a reset an hour ahead would
	// outlive the context's 5 s: no wait is started, the 429 comes back
	// at once.
	for _, ep := range faultEntries {
		t.Run("wait beyond the deadline/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Hour).UnixMilli()))
				w.WriteHeader(http.StatusTooManyRequests)
				io.WriteString(w, body)
			})
			c := faultClient(t, srv.URL, rocketchat.WithRetry(faultRetryMax, time.Millisecond, time.Hour))
			err := callBounded(t, ctx, time.Second, func() error { return ep.call(ctx, c) })
			if e := wantStatus(t, err, http.StatusTooManyRequests); e.RetryAfter < 59*time.Minute {
				t.Errorf("RetryAfter = %v, want about an hour", e.RetryAfter)
			}
			wantCount(t, n, 1)
		})
	}
}

// TestFaultsRedirects: loops end with an error that is not repeated, and
// credentials, 2FA headers and request bodies never reach another origin.
func TestFaultsRedirects(t *testing.T) {
	for _, ep := range faultEntries {
		// A same-origin loop (307 keeps the method and the body): net/http
		// sends the first request and 9 redirects, then the client's
		// redirect check stops at 10 requests; a loop does not heal, so
		// the call is not repeated, even for a GET.
		t.Run("loop/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
			})
			c := faultClient(t, srv.URL)
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			wantTransport(t, err)
			if err != nil && !strings.Contains(err.Error(), "stopped after 10 redirects") {
				t.Errorf("err = %v, want it to say the redirects were stopped", err)
			}
			wantCount(t, n, 10)
		})
	}

	secretHeaders := []string{"X-User-Id", "X-Auth-Token", "X-2fa-Code", "X-2fa-Method"}
	// origin demands a 2FA code, then sends the request (with the code)
	// elsewhere with a 307: the other origin gets neither the credentials
	// nor the code. A request with a body (a login's password, a POST's
	// payload) is not sent on at all: the 307 comes back as *Error.
	origin := func(target string, n *atomic.Int64) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			if r.URL.Path != "/api/v1/login" && r.Header.Get("X-2fa-Code") == "" {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":{"method":"totp","codeGenerated":false}}`)
				return
			}
			http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
		}
	}
	type seenRequest struct {
		header http.Header
		body   string
	}
	recorder := func(mu *sync.Mutex, seen *[]seenRequest) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			*seen = append(*seen, seenRequest{r.Header.Clone(), string(body)})
			mu.Unlock()
			io.WriteString(w, faultValidBody)
		}
	}
	check := func(t *testing.T, ep faultEntry, err error, seen []seenRequest) {
		t.Helper()
		if ep.method == http.MethodPost {
			wantStatus(t, err, http.StatusTemporaryRedirect)
			if len(seen) != 0 {
				t.Errorf("the other origin received %d requests with a body: %+v", len(seen), seen)
			}
			return
		}
		if err != nil {
			t.Fatalf("err = %v", err)
		}
		if len(seen) != 1 {
			t.Fatalf("the other origin received %d requests, want 1", len(seen))
		}
		for _, h := range secretHeaders {
			if v := seen[0].header.Get(h); v != "" {
				t.Errorf("the other origin received %s: %q", h, v)
			}
		}
	}
	handler := func(context.Context, rocketchat.TwoFactorChallenge) (string, error) { return "123456", nil }
	creds := rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: "secret-token"})

	for _, ep := range faultEntries {
		t.Run("to another port/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			var mu sync.Mutex
			var seen []seenRequest
			other := httptest.NewServer(recorder(&mu, &seen))
			t.Cleanup(other.Close)
			var n atomic.Int64
			srv := httptest.NewServer(origin(other.URL, &n))
			t.Cleanup(srv.Close)
			c := faultClient(t, srv.URL, creds, rocketchat.WithTwoFactor(handler))
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			mu.Lock()
			defer mu.Unlock()
			check(t, ep, err, seen)
		})

		// https to http on the same host: another scheme and port.
		t.Run("https to http/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			var mu sync.Mutex
			var seen []seenRequest
			plain := httptest.NewServer(recorder(&mu, &seen))
			t.Cleanup(plain.Close)
			var n atomic.Int64
			tlsSrv := httptest.NewTLSServer(origin(plain.URL, &n))
			t.Cleanup(tlsSrv.Close)
			c, err := rocketchat.NewClient(tlsSrv.URL, faultRetry, creds, rocketchat.WithTwoFactor(handler), rocketchat.WithHTTPClient(tlsSrv.Client()))
			if err != nil {
				t.Fatal(err)
			}
			err = callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			mu.Lock()
			defer mu.Unlock()
			check(t, ep, err, seen)
		})
	}

	// The control: a same-origin redirect keeps credentials, 2FA headers
	// and body, so the checks above would see them if they leaked.
	t.Run("same origin keeps them", func(t *testing.T) {
		ctx := faultCase(t)
		var mu sync.Mutex
		var seen []seenRequest
		mux := http.NewServeMux()
		mux.HandleFunc("/landing/", recorder(&mu, &seen))
		var n atomic.Int64
		mux.HandleFunc("/api/", origin("/landing", &n))
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		c := faultClient(t, srv.URL, creds, rocketchat.WithTwoFactor(handler))
		if err := callBounded(t, ctx, 2*time.Second, func() error { return c.Get(ctx, "v1/x", nil, nil) }); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Login(ctx, "example", "password"); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != 2 {
			t.Fatalf("%d requests landed, want 2", len(seen))
		}
		for _, h := range secretHeaders {
			if seen[0].header.Get(h) == "" {
				t.Errorf("a same-origin redirect dropped %s", h)
			}
		}
		if !strings.Contains(seen[1].body, `"password":"password"`) {
			t.Errorf("a same-origin 307 lost the login body: %q", seen[1].body)
		}
	})
}

// TestFaultsWorstCaseRequestCounts measures the most requests one call
// can make, as GUARANTEES.md states them.
func TestFaultsWorstCaseRequestCounts(t *testing.T) {
	// Each round of a call is sent up to 1 + max times (here: max 429s,
	// which every method repeats), and ends in a 2FA challenge; the
	// handler's code is always rejected. A call makes the first round and
	// at most 3 2FA repeats: 4 × (1 + max) requests, 16 with max = 3, and
	// asks the handler 3 times.
	for _, ep := range faultEntries {
		t.Run("429s and 2FA repeats/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			var k atomic.Int64
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				i := k.Add(1) - 1
				if i%(1+faultRetryMax) < faultRetryMax {
					w.WriteHeader(http.StatusTooManyRequests)
					io.WriteString(w, `{"success":false,"error":"slow down [error-too-many-requests]"}`)
					return
				}
				code := "totp-required" // the first round's challenge
				if i >= 1+faultRetryMax {
					code = "totp-invalid" // the code of the round before was rejected
				}
				if r.URL.Path == "/api/v1/login" {
					w.WriteHeader(http.StatusUnauthorized)
					fmt.Fprintf(w, `{"status":"error","error":%q,"message":"TOTP","details":{"method":"totp"}}`, code)
					return
				}
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"success":false,"error":"TOTP [%s]","errorType":%q,"details":{"method":"totp"}}`, code, code)
			})
			var asked atomic.Int64
			handler := func(context.Context, rocketchat.TwoFactorChallenge) (string, error) {
				return fmt.Sprint(100000 + asked.Add(1)), nil
			}
			c := faultClient(t, srv.URL, rocketchat.WithTwoFactor(handler))
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			if !errors.Is(err, rocketchat.ErrTwoFactorInvalid) {
				t.Errorf("err = %v, want ErrTwoFactorInvalid", err)
			}
			wantCount(t, n, 4*(1+faultRetryMax))
			if got := asked.Load(); got != 3 {
				t.Errorf("the handler was asked %d times, want 3", got)
			}
		})
	}

	// net/http resends a GET (never a POST) on a fresh connection when a
	// kept-alive connection closes after the request went out and before
	// any answer. Against a server that answers the first request on each
	// connection with 429 and drops the connection on the second, each
	// repeat of a GET reaches the server twice: 1 + 2 × max requests (7
	// with max = 3). A POST's repeat is not resent: the broken connection
	// ends the call, after 2 requests.
	for _, ep := range faultEntries {
		t.Run("kept-alive connection dropped/"+ep.name, func(t *testing.T) {
			ctx := faultCase(t)
			var mu sync.Mutex
			served := map[string]int{} // requests per connection
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				served[r.RemoteAddr]++
				again := served[r.RemoteAddr] > 1
				mu.Unlock()
				if again {
					conn, _ := hijack(t, w)
					reset(conn)
					return
				}
				w.WriteHeader(http.StatusTooManyRequests)
				io.WriteString(w, `{"success":false,"error":"slow down [error-too-many-requests]"}`)
			})
			c := faultClient(t, srv.URL)
			err := callBounded(t, ctx, 2*time.Second, func() error { return ep.call(ctx, c) })
			if ep.method == http.MethodGet {
				wantStatus(t, err, http.StatusTooManyRequests)
				wantCount(t, n, 1+2*faultRetryMax)
			} else {
				wantTransport(t, err)
				wantCount(t, n, 2)
			}
		})
	}
}
