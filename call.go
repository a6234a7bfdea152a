package rocketchat

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Get calls any GET endpoint of the REST API and decodes the answer into
// out (with encoding/json's rules; out may be nil). endpoint is relative to
// /api/, such as "v1/statistics" or "v1/rooms.info"; query may be nil. The
// call has the same authentication, retries, error mapping and 2FA
// handling as the typed methods.
func (c *Client) Get(ctx context.Context, endpoint string, query url.Values, out any) error {
	ep, err := cleanEndpoint(endpoint)
	if err != nil {
		return err
	}
	return c.doAny(ctx, &request{method: http.MethodGet, endpoint: ep, query: query}, out)
}

// Post calls any POST endpoint of the REST API with in as its JSON body
// (nil for none; a []byte is sent as it is) and decodes the answer into
// out (may be nil). endpoint is relative to /api/, such as
// "v1/chat.postMessage". The body is encoded once and replayed intact on
// every permitted retry and 2FA repeat; a POST is retried only when the
// server provably did not run it (429, or no connection was made).
func (c *Client) Post(ctx context.Context, endpoint string, in, out any) error {
	ep, err := cleanEndpoint(endpoint)
	if err != nil {
		return err
	}
	body, err := encodeBody(in)
	if err != nil {
		return fmt.Errorf("rocketchat: POST %s: encoding the body: %w", c.apiPath+ep, err)
	}
	return c.doAny(ctx, &request{method: http.MethodPost, endpoint: ep, body: body}, out)
}

// get calls a GET endpoint of a typed method: out is the wire struct of
// the answer's payload.
func (c *Client) get(ctx context.Context, endpoint string, query url.Values, out any) error {
	return c.doAny(ctx, &request{method: http.MethodGet, endpoint: endpoint, query: query}, out)
}

// post calls a POST endpoint of a typed method with in as its JSON body:
// out is the wire struct of the answer's payload.
func (c *Client) post(ctx context.Context, endpoint string, in, out any) error {
	body, err := encodeBody(in)
	if err != nil {
		return fmt.Errorf("rocketchat: POST %s: encoding the body: %w", c.apiPath+endpoint, err)
	}
	return c.doAny(ctx, &request{method: http.MethodPost, endpoint: endpoint, body: body}, out)
}
