package rocketchat

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/go-rocketchat/rocketchat/internal/retry"
)

// request describes one API call.
type request struct {
	method   string
	endpoint string     // below /api/, such as "v1/instances.get"
	query    url.Values // may be nil
	body     []byte     // JSON, replayed intact on every attempt; nil for none
	// generic marks Get, Post, Put and Delete, whose answers go into a caller's value
	// with encoding/json's rules.
	generic bool
	// login marks the calls that log in: they carry no stored
	// credentials and must be answered by the base URL's origin.
	login bool
	// twoFactorCode answers a 2FA challenge: in the X-2fa-Code and
	// X-2fa-Method headers, or through withCode in the body (login).
	twoFactorCode, twoFactorMethod string
	withCode                       func(code string) ([]byte, error)
}

// path is the request's path below the server's root, as Error.Endpoint
// reports it.
func (r *request) path(c *Client) string {
	return c.apiPath + r.endpoint
}

// newRetryClient wires go-retryablehttp: checkRetry decides whether an
// attempt is repeated and waits before the repeat; the library's own wait
// (Backoff) is nothing. The library's default logger, which prints every
// request to stderr, is left out.
func (c *Client) newRetryClient(hc *http.Client) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:     hc,
		Logger:         nil,
		RetryMax:       c.retryMax,
		CheckRetry:     c.checkRetry,
		Backoff:        noWait,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.startAttempt,
	}
}

// callState follows one call through go-retryablehttp's hooks. The
// hooks see only the request and its context, so it is the request's
// context: the caller's, which answers Value(callStateKey{}) with the
// state (one allocation where context.WithValue would make two).
type callState struct {
	context.Context // the caller's
	method          string
	endpoint        string    // as the rate-limit state is kept: "v1/chat.postMessage"
	apiPath         string    // Client.apiPath; path() joins it to endpoint when needed
	attempts        int       // attempts made
	started         time.Time // start of the current attempt, when logging
	// window is the rate-limit window the attempt under way is counted
	// in (pacing), until it lands.
	window *window
}

type callStateKey struct{}

func (st *callState) Value(key any) any {
	if key == (callStateKey{}) {
		return st
	}
	return st.Context.Value(key)
}

// path is the request's path below the server's root, as Error.Endpoint
// reports it; made only for a log line or an error.
func (st *callState) path() string {
	return st.apiPath + st.endpoint
}

// send performs the request with retries and returns the last answer, its
// body unread, or the error that left no answer. With pacing, each
// attempt first waits for the endpoint's rate-limit window to have room
// (ratelimit.go).
func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	var u string
	if len(r.query) > 0 {
		u = c.apiBase + r.endpoint + "?" + r.query.Encode() // one allocation
	} else {
		u = c.apiBase + r.endpoint
	}
	st := &callState{Context: ctx, method: r.method, endpoint: r.endpoint, apiPath: c.apiPath}
	defer st.land()
	if c.pacing {
		// Before the request is built, so that it carries the
		// credentials current when it leaves.
		if err := c.pace(ctx, st); err != nil {
			return nil, sendError(r.method, r.path(c), err)
		}
	}
	var body any
	if r.body != nil {
		body = r.body
	}
	req, err := retryablehttp.NewRequestWithContext(st, r.method, u, body)
	if err != nil {
		return nil, transportError(r.method, r.path(c), err)
	}
	// The names are in canonical form, and the values share one array:
	// one allocation for all of them, where Header.Set makes one each.
	h := req.Header
	values := make([]string, 0, 5)
	set := func(name, value string) {
		values = append(values, value)
		h[name] = values[len(values)-1 : len(values) : len(values)]
	}
	set("Accept", "application/json")
	set("User-Agent", c.userAgent)
	if r.body != nil {
		set("Content-Type", "application/json")
	}
	if !r.login {
		// One load: both headers come from the same pair.
		if creds := c.creds.Load(); creds != nil && !creds.IsZero() {
			set(headerUserID, creds.UserID)
			set(headerAuthToken, creds.Token)
		}
	}
	if r.twoFactorCode != "" && r.withCode == nil {
		set(header2FACode, r.twoFactorCode)
		set(header2FAMethod, r.twoFactorMethod)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil {
			// The library hands back the last answer with the error that
			// ended the call (a context that ended, a window that
			// reopens too late); nothing reads it.
			drainAndClose(resp.Body)
		}
		return nil, sendError(r.method, r.path(c), err)
	}
	return resp, nil
}

// sendError is the error of a call that ended without an answer to
// return: the window's *Error when pacing kept it from being sent, else a
// transport or context failure.
func sendError(method, path string, err error) error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return transportError(method, path, err)
}

// checkRetry runs after every attempt: it records the answer's rate-limit
// state (ratelimit.go) and decides whether the attempt is repeated: the
// retry policy, the attempts left, and the time left. When it is, it
// waits first, here, so that the wait is computed once and checked
// against the context's deadline before it starts: after a 429 that says
// when the window reopens, until then, however far off; otherwise backoff
// within WithRetry's bounds. A wait that would outlive the deadline is
// not started: the call ends at once with the answer it has. A context
// that ends while an attempt failed in a way that would be repeated, or
// during the wait, ends the call with the context's error.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := ctx.Value(callStateKey{}).(*callState)
	st.attempts++
	status, reset := 0, time.Time{}
	if resp != nil {
		status = resp.StatusCode
		reset = c.limits.record(st.endpoint, status, resp.Header, time.Now())
	}
	st.land()
	c.logAttempt(ctx, st, status, err)
	if !retry.Retryable(st.method, status, err) {
		return false, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if st.attempts > c.retryMax {
		return false, nil
	}
	// After a 429, the wait is the window's if the answer says when it
	// reopens; a reset already past says nothing.
	wait := time.Until(reset)
	rateLimited := status == http.StatusTooManyRequests && wait > 0
	if rateLimited {
		if !c.mayWait(ctx, wait) {
			return false, nil
		}
	} else {
		wait = retry.Backoff(st.attempts, c.waitMin, c.waitMax, rand.Float64())
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return false, nil
		}
	}
	if resp != nil {
		// The library drains only 4 KiB before it repeats a request,
		// less than a proxy's error page: what is left would cost the
		// connection.
		drainAndClose(resp.Body)
	}
	if rateLimited {
		c.logRateLimitWait(ctx, st, wait)
	}
	timer := time.NewTimer(wait)
	select {
	case <-ctx.Done():
		timer.Stop()
		return false, ctx.Err()
	case <-timer.C:
	}
	if c.pacing {
		// Other calls may have filled the new window meanwhile.
		if err := c.pace(ctx, st); err != nil {
			return false, err
		}
	}
	return true, nil
}

// noWait is go-retryablehttp's wait before a repeat: none, as checkRetry
// has waited already.
func noWait(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

// startAttempt notes when an attempt starts, for the log.
func (c *Client) startAttempt(_ retryablehttp.Logger, req *http.Request, _ int) {
	if c.logger == nil {
		return
	}
	if st, ok := req.Context().Value(callStateKey{}).(*callState); ok {
		st.started = time.Now()
	}
}

func (c *Client) logAttempt(ctx context.Context, st *callState, status int, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", st.method),
		slog.String("endpoint", st.path()),
		slog.Int("attempt", st.attempts),
		slog.Duration("duration", time.Since(st.started)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", withoutURL(err).Error()))
	} else {
		attrs = append(attrs, slog.Int("status", status))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "rocketchat: attempt", attrs...)
}

// drainLimit is how much of an unwanted body is read before closing it, so
// that the connection goes back to the pool.
const drainLimit = 64 << 10

func drainAndClose(body io.ReadCloser) {
	if b, ok := body.(*attemptBody); !ok || !b.eof {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, drainLimit))
	}
	_ = body.Close()
}
