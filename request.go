package rocketchat

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/go-rocketchat/rocketchat/internal/retry"
)

// request describes one API call.
type request struct {
	method   string
	endpoint string     // below /api/, such as "v1/instances.get"
	query    url.Values // may be nil
	body     []byte     // JSON, replayed intact on every attempt; nil for none
	// anonymous calls carry no stored credentials (login).
	anonymous bool
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

// attempts carries the state of one call through go-retryablehttp's hooks,
// which see only the request's context. It is that context: it wraps the
// caller's and answers Value(attemptsKey{}) with itself, as
// context.WithValue would, without a second allocation per call. Done,
// Deadline, Err and every other value come from the caller's context.
type attempts struct {
	context.Context
	method            string
	apiPath, endpoint string    // the request's path is apiPath+endpoint
	n                 int       // attempts made
	started           time.Time // start of the current attempt, when logging
}

type attemptsKey struct{}

// Value answers attemptsKey{} with st and asks the caller's context for
// any other key.
func (st *attempts) Value(key any) any {
	if key == (attemptsKey{}) {
		return st
	}
	return st.Context.Value(key)
}

// path is the request's path, built only for the log.
func (st *attempts) path() string { return st.apiPath + st.endpoint }

// send performs the request with retries and returns the last answer, its
// body unread, or the error that left no answer.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	u := c.apiBase + r.endpoint
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	st := &attempts{Context: ctx, method: r.method, apiPath: c.apiPath, endpoint: r.endpoint}
	var body any
	if r.body != nil {
		body = r.body
	}
	req, err := retryablehttp.NewRequestWithContext(st, r.method, u, body)
	if err != nil {
		return nil, transportError(r.method, r.path(c), err)
	}
	// The constant header values are slices made once (see
	// headerJSON); nothing writes into a request's header values.
	h := req.Header
	h["Accept"] = headerJSON
	h["User-Agent"] = c.userAgentHeader
	if r.body != nil {
		h["Content-Type"] = headerJSON
	}
	if !r.anonymous {
		// One load: both headers come from the same pair.
		if creds := c.creds.Load(); creds != nil && !creds.IsZero() {
			h[headerUserID] = []string{creds.UserID}
			h[headerAuthToken] = []string{creds.Token}
		}
	}
	if r.twoFactorCode != "" && r.withCode == nil {
		h[header2FACode] = []string{r.twoFactorCode}
		h[header2FAMethod] = []string{r.twoFactorMethod}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil {
			// The library hands back the last answer with the error that
			// stopped the retries (a cancelled wait); its body is spent.
			resp.Body.Close()
		}
		return nil, transportError(r.method, r.path(c), err)
	}
	return resp, nil
}

// headerJSON is the value of the Accept and Content-Type headers, shared
// by all requests: net/http and the redirect check only read header
// values or drop whole keys, and a one-element slice literal has no
// spare capacity that an append could write into.
var headerJSON = []string{"application/json"}

// startAttempt notes when an attempt starts, for the log.
func (c *Client) startAttempt(_ retryablehttp.Logger, req *http.Request, _ int) {
	if c.logger == nil {
		return
	}
	if st, ok := req.Context().Value(attemptsKey{}).(*attempts); ok {
		st.started = time.Now()
	}
}

// noBackoff leaves the waiting to checkRetry, which knows the context.
func noBackoff(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 }

// checkRetry runs after every attempt. It logs the attempt, decides with
// the retry policy whether to repeat it and, if so, drains the answer (so
// the connection is reused) and waits. A wait that would outlive the
// context's deadline is not started: the call ends with what it has.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st, _ := ctx.Value(attemptsKey{}).(*attempts)
	if st == nil {
		return false, nil
	}
	st.n++
	status := 0
	var header http.Header
	if resp != nil {
		status, header = resp.StatusCode, resp.Header
	}
	c.logAttempt(ctx, st, status, err)
	if ctx.Err() != nil || st.n > c.retryMax || !retry.Retryable(st.method, status, err) {
		return false, nil
	}
	wait := retry.Wait(st.n, c.waitMin, c.waitMax, status, header, time.Now(), rand.Float64())
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return false, nil
	}
	if resp != nil {
		drainAndClose(resp.Body)
	}
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-timer.C:
		}
	}
	return true, nil
}

func (c *Client) logAttempt(ctx context.Context, st *attempts, status int, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", st.method),
		slog.String("endpoint", st.path()),
		slog.Int("attempt", st.n),
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
// that the connection goes back to the pool. go-retryablehttp reads only
// 4 KiB, less than a proxy's error page.
const drainLimit = 64 << 10

func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, drainLimit))
	_ = body.Close()
}

// call performs r and hands a 2xx answer to decode. A non-2xx answer
// becomes an *Error; a 2FA challenge is answered through the
// TwoFactorHandler, if there is one, and the request repeated. Every body
// is drained and closed.
func (c *Client) call(ctx context.Context, r *request, decode func(*http.Response) error) error {
	for asked := 0; ; asked++ {
		resp, err := c.send(ctx, r)
		if err != nil {
			return err
		}
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			err = decode(resp)
		} else {
			err = c.errorFrom(r, resp)
		}
		drainAndClose(resp.Body)
		if err == nil || c.twoFactor == nil || asked >= maxTwoFactorAsks {
			return err
		}
		// Declared only here: errors.As moves e to the heap, which a
		// successful call need not pay for.
		var e *Error
		if !errors.As(err, &e) || e.TwoFactor == nil {
			return err
		}
		if err := c.answerTwoFactor(ctx, r, e); err != nil {
			return err
		}
	}
}

// do performs the request and decodes a successful answer into out in one
// pass. out embeds apiStatus, so a 2xx body that says success:false is
// reported as an *Error from the same pass. A nil out checks the verdict
// only.
func (c *Client) do(ctx context.Context, r *request, out statusCarrier) error {
	if out == nil {
		out = new(apiStatus)
	}
	return c.call(ctx, r, func(resp *http.Response) error {
		body := &limitedReader{r: resp.Body, n: c.maxBytes}
		if err := json.UnmarshalRead(body, out, tolerantUTF8); err != nil {
			return c.decodeError(r, resp, body, err)
		}
		return c.verdict(r, resp, out.result())
	})
}

// doAny is do for a caller's own type: the body is read whole (within the
// bound), checked for a failure verdict and decoded into out with the
// standard library's rules, so that types written for encoding/json work
// unchanged.
func (c *Client) doAny(ctx context.Context, r *request, out any) error {
	return c.call(ctx, r, func(resp *http.Response) error {
		body := &limitedReader{r: resp.Body, n: c.maxBytes}
		data, err := io.ReadAll(body)
		if err != nil {
			return c.decodeError(r, resp, body, err)
		}
		var s apiStatus
		if err := json.Unmarshal(data, &s, tolerantUTF8); err != nil {
			return c.decodeError(r, resp, body, err)
		}
		if err := c.verdict(r, resp, &s); err != nil || out == nil {
			return err
		}
		if err := json.Unmarshal(data, out, jsonv1.DefaultOptionsV1()); err != nil {
			return c.decodeError(r, resp, body, err)
		}
		return nil
	})
}

// tolerantUTF8 decodes invalid UTF-8, and the lone surrogates that a
// JavaScript server's JSON.stringify escapes (a name cut in the middle of
// an emoji), as U+FFFD, the way encoding/json does, instead of failing
// the whole answer.
var tolerantUTF8 = jsontext.AllowInvalidUTF8(true)

// verdict reports a 2xx body that says the call failed (a proxy may have
// rewritten the status) as an *Error.
func (c *Client) verdict(r *request, resp *http.Response, s *apiStatus) error {
	if !s.failed() {
		return nil
	}
	e := &Error{StatusCode: resp.StatusCode, Method: r.method, Endpoint: r.path(c)}
	e.fill(s)
	return e
}

// errorFrom turns a non-2xx answer into an *Error, reading at most
// errorBodyLimit bytes of its body.
func (c *Client) errorFrom(r *request, resp *http.Response) error {
	limit := min(int64(errorBodyLimit), c.maxBytes)
	data, _ := io.ReadAll(io.LimitReader(resp.Body, limit))
	return newError(r.method, r.path(c), resp.StatusCode, resp.Header, data, time.Now())
}

// decodeError reports a 2xx body that could not be read or decoded. A
// bound that was hit is reported as such, whatever the decoder made of
// the cut body.
func (c *Client) decodeError(r *request, resp *http.Response, body *limitedReader, err error) error {
	if body.exceeded {
		err = ErrResponseTooLarge
	}
	return invalidResponse(r.method, r.path(c), resp.StatusCode, err)
}

// limitedReader reads at most n bytes and then fails with
// ErrResponseTooLarge, unlike io.LimitReader, which would report a
// clean EOF and let a cut body pass for a whole one.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// Probe for one more byte: a body of exactly n bytes is fine.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.exceeded = true
			return 0, ErrResponseTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// encodeBody marshals a request body once, so that every attempt and 2FA
// repeat sends the same bytes.
func encodeBody(in any) ([]byte, error) {
	if in == nil {
		return nil, nil
	}
	if raw, ok := in.([]byte); ok {
		return bytes.Clone(raw), nil
	}
	return json.Marshal(in, jsonv1.DefaultOptionsV1())
}

// cleanEndpoint checks an endpoint given by a caller: a path below /api/
// such as "v1/statistics", without a scheme, query, fragment or "..".
func cleanEndpoint(endpoint string) (string, error) {
	e := strings.TrimPrefix(endpoint, "/")
	e = strings.TrimPrefix(e, "api/")
	if e == "" || strings.ContainsAny(e, "?#\\ \t\r\n") || strings.Contains(e, "://") {
		return "", invalidEndpoint(endpoint)
	}
	for _, seg := range strings.Split(e, "/") {
		if seg == "." || seg == ".." {
			return "", invalidEndpoint(endpoint)
		}
	}
	return e, nil
}

// invalidEndpoint names a rejected endpoint without its query, fragment
// or user info, which may hold secrets.
func invalidEndpoint(endpoint string) error {
	if i := strings.Index(endpoint, "://"); i >= 0 {
		endpoint = endpoint[:i+3] + "…"
	} else if i := strings.IndexAny(endpoint, "?#@"); i >= 0 {
		endpoint = endpoint[:i+1] + "…"
	}
	return errors.New("rocketchat: invalid endpoint " + strconv.Quote(endpoint))
}
