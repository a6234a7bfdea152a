package rocketchat

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-rocketchat/rocketchat/internal/retry"
)

// transport is the RoundTripper under every client. It sends each request
// through the caller's transport or, when the caller gave none, through
// the default transport as it is at the time of the call, and on the way
// it refuses header values that net/http would refuse, takes from every
// layer below it the means to send a request a second time, and bounds
// the attempt with the per-attempt timeout.
//
// The timeout is kept here rather than in http.Client.Timeout: net/http
// cancels a request through a transport it does not know (this one) with
// a goroutine, two channels and a timer per request, where a deadline on
// the request's context costs a timer.
//
// It has no CloseIdleConnections method on purpose: go-retryablehttp
// closes the idle connections of its client when it gives up after a
// transport error, and the pool below belongs to the caller (or is shared
// by every client of the program).
type transport struct {
	base    http.RoundTripper // nil: the default transport, at call time
	timeout time.Duration     // per attempt, from sending the request to closing the answer's body
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkHeaderValues(req.Header); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	rt := t.base
	if rt == nil {
		rt = defaultTransport()
	}
	if req.Header.Get("Upgrade") != "" {
		// A WebSocket handshake (Listen): the timeout bounds the
		// handshake only. The answer's body is the connection itself,
		// which outlives the attempt and must stay the transport's own
		// io.ReadWriteCloser; ending the attempt's context once the
		// answer is in leaves it open.
		ctx, cancel := context.WithDeadline(req.Context(), t.deadline(req))
		defer cancel()
		return rt.RoundTrip(req.WithContext(ctx))
	}
	// The attempt's context ends at its deadline, or when the answer's
	// body is closed, whichever comes first; the body is read under it.
	ctx, cancel := context.WithDeadline(req.Context(), t.deadline(req))
	var g *sendGuard
	if req.URL.Scheme == "https" {
		// HTTP/2 (which net/http speaks over TLS only) also resends a
		// request without a body, any number of times in one round
		// trip. The guard lets each round trip write a request once on
		// an HTTP/2 connection; a repeat is then the retry policy's to
		// decide and counts as one of its attempts.
		g = &sendGuard{cancel: cancel}
		g.trace.GotConn = g.gotConn
		ctx = httptrace.WithClientTrace(ctx, &g.trace)
	}
	req = req.WithContext(ctx) // a copy: the caller's request is left as it is
	if !retry.Idempotent(req.Method) {
		// net/http resends a request after some failures (an HTTP/2
		// stream reset with PROTOCOL_ERROR or REFUSED_STREAM, a
		// connection that died while the request was being written)
		// if it can rewind the body. A write or a login must reach the
		// server at most once: without GetBody it cannot be rewound.
		// The caller's request keeps its GetBody, which http.Client
		// uses, not the transport, to follow a 307 or 308.
		req.GetBody = nil
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		cancel()
		if g != nil && g.stopped {
			err = errResendStopped
		}
		return resp, err
	}
	if resp.Body == nil {
		cancel()
		return resp, nil
	}
	resp.Body = &attemptBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// deadline is when the attempt that req belongs to ends. A redirect's
// request (req.Response set) is part of the attempt that the first
// request of the chain started, as with http.Client.Timeout: it keeps
// that request's deadline, which this transport put on its context.
func (t *transport) deadline(req *http.Request) time.Time {
	if prev := req.Response; prev != nil && prev.Request != nil {
		if d, ok := prev.Request.Context().Deadline(); ok {
			return d
		}
	}
	return time.Now().Add(t.timeout)
}

// attemptBody is an answer's body that ends its attempt's context, and
// with it the attempt's timer, when it is closed.
type attemptBody struct {
	io.ReadCloser
	cancel context.CancelFunc
	eof    bool // read to its end: nothing is left to drain
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// errResendStopped reports a round trip that the HTTP/2 transport would
// have sent again (after the server reset the request's stream, or sent
// GOAWAY) and that the client stopped. It is a transport error like any
// other: GET is repeated by the retry policy, POST is not.
var errResendStopped = errors.New("the request was sent once and the HTTP/2 transport would send it again; stopped")

// sendGuard counts the connections a round trip takes and ends its
// context before a second send on an HTTP/2 connection. GotConn runs,
// in the HTTP/2 transport, before the request's headers are written, and
// the HTTP/2 transport checks the context before writing them.
// HTTP/1.1's own resend (of GET only, on a fresh connection after a
// kept-alive one closed before any answer) is left alone: it is bounded
// by the idle pool.
type sendGuard struct {
	trace   httptrace.ClientTrace
	cancel  context.CancelFunc
	conns   int
	stopped bool
}

func (g *sendGuard) gotConn(info httptrace.GotConnInfo) {
	g.conns++
	if g.conns < 2 {
		return
	}
	if tc, ok := info.Conn.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol == "h2" {
		g.stopped = true
		g.cancel()
	}
}

// checkHeaderValues refuses a header value that net/http would refuse:
// a control character other than tab (CR, LF and NUL among them). Such a
// request fails the same way every time, so the error is permanent and
// never retried. It names the header, never the value.
func checkHeaderValues(h http.Header) error {
	for name, values := range h {
		for _, v := range values {
			if !validHeaderValue(v) {
				return fmt.Errorf("header %s: %w", name, retry.ErrInvalidHeader)
			}
		}
	}
	return nil
}

// validHeaderValue reports whether s holds no control character other
// than tab: no CR, LF, NUL or DEL.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// standardTransport is http.DefaultTransport as net/http made it, when it
// still was that at start-up.
var standardTransport, _ = http.DefaultTransport.(*http.Transport)

// defaultTransport is the transport of a client built without an
// *http.Client (or with one whose Transport is nil), looked up at each
// call as http.DefaultClient does, so that gock.New, a tracing wrapper or
// any other replacement of http.DefaultTransport made after NewClient
// applies. While http.DefaultTransport is still the standard one, calls
// go through a tuned copy of it instead: the standard transport keeps
// only 2 idle connections per host, so that under parallel load most
// calls would open a new connection and leave it in TIME_WAIT.
func defaultTransport() http.RoundTripper {
	d := http.DefaultTransport
	if t, ok := d.(*http.Transport); ok && t == standardTransport && t != nil {
		return ownTransport()
	}
	return d
}

// ownMaxIdleConnsPerHost is how many idle connections to one server the
// tuned transport keeps: enough for the goroutines of a busy program.
const ownMaxIdleConnsPerHost = 64

// ownTransport is the tuned copy of the standard transport, made once and
// shared by every client of the program, so that clients to the same
// server share their connections.
var ownTransport = sync.OnceValue(func() *http.Transport {
	t := standardTransport.Clone()
	t.MaxIdleConnsPerHost = ownMaxIdleConnsPerHost
	return t
})

// newHTTPClient copies the caller's client (or makes one), puts the
// client's transport, which keeps the per-attempt timeout, in front of
// its transport, and installs the redirect check.
func (c *Client) newHTTPClient(hc *http.Client, timeout time.Duration) *http.Client {
	var copied http.Client
	if hc != nil {
		copied = *hc
	}
	copied.Transport = &transport{base: copied.Transport, timeout: timeout}
	copied.Timeout = 0 // the transport bounds each attempt
	next := copied.CheckRedirect
	copied.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, c.origin) {
			for _, h := range secretHeaders {
				req.Header.Del(h)
			}
			// A 307 or 308 would send the body again: a login's
			// password or 2FA code, or a caller's payload. Such a hop
			// is not made; the redirect answer is returned instead.
			if req.Body != nil && req.Body != http.NoBody {
				return http.ErrUseLastResponse
			}
		}
		// net/http sets Referer to the previous URL, query included
		// (which may hold a token); it stays on that URL's origin.
		if len(via) > 0 && !sameOrigin(req.URL, via[len(via)-1].URL) {
			req.Header.Del("Referer")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return retry.ErrTooManyRedirects
		}
		return nil
	}
	return &copied
}

// secretHeaders are the headers that must never leave the base URL's
// origin.
var secretHeaders = []string{headerUserID, headerAuthToken, header2FACode, header2FAMethod, "Authorization", "Cookie"}

const (
	headerUserID    = "X-User-Id"
	headerAuthToken = "X-Auth-Token"
	header2FACode   = "X-2fa-Code"
	header2FAMethod = "X-2fa-Method"
)

// sameOrigin compares scheme, host and port, with the scheme's default
// port filled in.
func sameOrigin(u, origin *url.URL) bool {
	return strings.EqualFold(u.Scheme, origin.Scheme) &&
		strings.EqualFold(u.Hostname(), origin.Hostname()) &&
		portOf(u) == portOf(origin)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
