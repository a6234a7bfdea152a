package retry

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"testing"
)

func TestRetryable(t *testing.T) {
	dial := &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	dns := &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x"}}}
	reset := &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}}
	eof := &url.Error{Op: "Post", URL: "http://x", Err: io.EOF}
	timeout := &url.Error{Op: "Get", URL: "http://x", Err: context.DeadlineExceeded}
	cert := &url.Error{Op: "Get", URL: "https://x", Err: x509.UnknownAuthorityError{}}
	loop := &url.Error{Op: "Get", URL: "http://x", Err: ErrTooManyRedirects}
	header := &url.Error{Op: "Post", URL: "http://x", Err: fmt.Errorf("header X-Auth-Token: %w", ErrInvalidHeader)}

	tests := []struct {
		method string
		status int
		err    error
		want   bool
	}{
		// Idempotent methods: server errors, 429 and connection failures.
		{"GET", 200, nil, false},
		{"GET", 400, nil, false},
		{"GET", 401, nil, false},
		{"GET", 403, nil, false},
		{"GET", 404, nil, false},
		{"GET", 429, nil, true},
		{"GET", 500, nil, true},
		{"GET", 501, nil, false},
		{"GET", 502, nil, true},
		{"GET", 503, nil, true},
		{"GET", 504, nil, true},
		{"HEAD", 503, nil, true},
		{"PUT", 503, nil, true},
		{"DELETE", 502, nil, true},
		{"GET", 0, dial, true},
		{"GET", 0, reset, true},
		{"GET", 0, eof, true},
		{"GET", 0, timeout, true},
		{"GET", 0, cert, false},
		{"GET", 0, loop, false},
		{"GET", 0, header, false},
		// POST: only when it provably never ran.
		{"POST", 429, nil, true},
		{"POST", 500, nil, false},
		{"POST", 502, nil, false},
		{"POST", 503, nil, false},
		{"POST", 504, nil, false},
		{"POST", 0, dial, true},
		{"POST", 0, dns, true},
		{"POST", 0, reset, false},
		{"POST", 0, eof, false},
		{"POST", 0, timeout, false},
		{"POST", 0, cert, false},
		{"POST", 0, header, false},
		{"PATCH", 503, nil, false},
		{"PATCH", 429, nil, true},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s %d %v", tt.method, tt.status, tt.err)
		if got := Retryable(tt.method, tt.status, tt.err); got != tt.want {
			t.Errorf("Retryable(%s) = %v, want %v", name, got, tt.want)
		}
	}
}
