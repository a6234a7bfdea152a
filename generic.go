package rocketchat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Get calls any GET endpoint of the REST API and decodes the answer into
// out with encoding/json's rules (out may be nil). endpoint is relative
// to /api/, such as "v1/statistics" or "v1/rooms.info"; query may be nil.
// The call has the same authentication, retries, error mapping and 2FA
// handling as the typed methods: an answer that says "success": false is
// an *Error, whatever else it holds. A 404 of an endpoint without its
// version ("channels.members") says how endpoints are named.
func (c *Client) Get(ctx context.Context, endpoint string, query url.Values, out any) error {
	ep, err := cleanEndpoint(endpoint)
	if err != nil {
		return err
	}
	return namingHint(ep, c.do(ctx, &request{method: http.MethodGet, endpoint: ep, query: query, generic: true}, out))
}

// Post calls any POST endpoint of the REST API with in as its JSON body
// (nil for none; a []byte is sent as it is) and decodes the answer into
// out (may be nil), as [Client.Get] does. endpoint is relative to /api/,
// such as "v1/chat.postMessage". The body is encoded once and replayed
// intact on every permitted retry and 2FA repeat; a POST is retried only
// when the server provably did not run it (429, or no connection was
// made).
func (c *Client) Post(ctx context.Context, endpoint string, in, out any) error {
	return c.withBody(ctx, http.MethodPost, endpoint, in, out)
}

// Put calls any PUT endpoint of the REST API, such as
// "v1/abac/attributes/{id}", with in as its JSON body, as [Client.Post]
// does. A PUT is idempotent, so it is retried as a GET is: after
// connection failures, 429, 500, 502, 503 and 504.
func (c *Client) Put(ctx context.Context, endpoint string, in, out any) error {
	return c.withBody(ctx, http.MethodPut, endpoint, in, out)
}

// Delete calls any DELETE endpoint of the REST API, such as
// "v1/email-inbox/{id}", with query (may be nil) and decodes the answer
// into out (may be nil), as [Client.Get] does, retries included.
func (c *Client) Delete(ctx context.Context, endpoint string, query url.Values, out any) error {
	ep, err := cleanEndpoint(endpoint)
	if err != nil {
		return err
	}
	return namingHint(ep, c.do(ctx, &request{method: http.MethodDelete, endpoint: ep, query: query, generic: true}, out))
}

// withBody is Post and Put: the caller's endpoint, and in encoded with
// encoding/json's rules.
func (c *Client) withBody(ctx context.Context, method, endpoint string, in, out any) error {
	ep, err := cleanEndpoint(endpoint)
	if err != nil {
		return err
	}
	body, err := encodeBody(in, jsonv1.DefaultOptionsV1())
	if err != nil {
		return fmt.Errorf("rocketchat: %s %s: encoding the body: %w", method, c.apiPath+ep, err)
	}
	return namingHint(ep, c.do(ctx, &request{method: method, endpoint: ep, body: body, generic: true}, out))
}

// namingHint completes the 404 of an endpoint given without its version
// ("channels.members" for "v1/channels.members"), the usual slip, with
// how endpoints are named: the server's own page says only "Not Found".
func namingHint(endpoint string, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusNotFound || hasVersion(endpoint) {
		return err
	}
	hint := "endpoints are named with their version, as in " + strconv.Quote("v1/"+endpoint)
	if e.Message != "" && e.Message != e.Type && !restatesStatus(e.Message, e.StatusCode) {
		hint = e.Message + "; " + hint
	}
	e.Message = printable(hint, maxMessage)
	return err
}

// hasVersion reports whether an endpoint starts with a version segment:
// "v1/", "v2/".
func hasVersion(endpoint string) bool {
	seg, _, _ := strings.Cut(endpoint, "/")
	digits, ok := strings.CutPrefix(seg, "v")
	if !ok || digits == "" {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// get calls a GET endpoint of a typed method: out is the wire struct of
// the answer, which embeds verdict.
func (c *Client) get(ctx context.Context, endpoint string, query url.Values, out any) error {
	return c.do(ctx, &request{method: http.MethodGet, endpoint: endpoint, query: query}, out)
}

// post calls a POST endpoint of a typed method with in, a wire struct, as
// its JSON body: out is the wire struct of the answer, which embeds
// verdict.
func (c *Client) post(ctx context.Context, endpoint string, in, out any) error {
	body, err := encodeBody(in, wireOptions)
	if err != nil {
		return fmt.Errorf("rocketchat: POST %s: encoding the body: %w", c.apiPath+endpoint, err)
	}
	return c.do(ctx, &request{method: http.MethodPost, endpoint: endpoint, body: body}, out)
}

// encodeBody marshals a request body once, so that every attempt and 2FA
// repeat sends the same bytes.
func encodeBody(in any, opts json.Options) ([]byte, error) {
	if in == nil {
		return nil, nil
	}
	if raw, ok := in.([]byte); ok {
		return bytes.Clone(raw), nil
	}
	return json.Marshal(in, opts)
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
