package rocketchat

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// do performs one call: it sends r (send.go, with retries), turns a
// non-2xx answer into an *Error (errors.go) and decodes a 2xx answer into
// out (decode.go). A 2FA challenge is answered through the
// TwoFactorHandler, if there is one, and the request repeated
// (twofactor.go). Every body is drained and closed.
func (c *Client) do(ctx context.Context, r *request, out any) error {
	for asked := 0; ; asked++ {
		resp, err := c.send(ctx, r)
		if err != nil {
			return err
		}
		switch {
		case r.login && !sameOrigin(resp.Request.URL, c.origin):
			// A login redirected elsewhere would store credentials that
			// another server made up, and send them on.
			err = invalidResponse(r.method, r.path(c), resp.StatusCode, errOtherOrigin)
		case resp.StatusCode >= 200 && resp.StatusCode <= 299:
			err = c.decode(r, resp, out)
		default:
			err = c.errorFrom(r, resp)
		}
		drainAndClose(resp.Body)
		if err == nil || c.twoFactor == nil || asked >= maxTwoFactorAsks {
			return err
		}
		var e *Error
		if !errors.As(err, &e) || e.TwoFactor == nil {
			return err
		}
		if err := c.answerTwoFactor(ctx, r, e); err != nil {
			return err
		}
	}
}

var errOtherOrigin = errors.New("answered by another origin than the base URL's")

// errorFrom turns a non-2xx answer into an *Error, reading at most
// errorBodyLimit bytes of its body.
func (c *Client) errorFrom(r *request, resp *http.Response) error {
	limit := min(int64(errorBodyLimit), c.maxBytes)
	data, _ := io.ReadAll(io.LimitReader(resp.Body, limit))
	return newError(r.method, r.path(c), resp.StatusCode, resp.Header, data, time.Now())
}
