// Package retry holds the pure parts of the client's retry behaviour: which
// failures may be repeated and how long to wait before repeating them.
// Nothing here performs I/O, so both are tested with tables.
package retry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
)

// ErrTooManyRedirects is returned by the client's redirect check when a
// chain of redirects is too long. A redirect loop does not heal by itself,
// so it is never retried.
var ErrTooManyRedirects = errors.New("stopped after 10 redirects")

// ErrInvalidHeader is returned, wrapped, for a request with a header value
// that cannot be sent (a control character such as CR, LF or NUL). The
// same request fails the same way every time, so it is never retried.
var ErrInvalidHeader = errors.New("value holds CR, LF, NUL or another control character")

// Retryable reports whether a request with the given method may be sent
// again after an attempt that ended with status (0 when there was no
// response) or with the transport error err.
//
// Idempotent methods are repeated after connection failures, 429, 500,
// 502, 503 and 504. Other methods (POST) only when the server provably
// did not run the request: Rocket.Chat's rate limiter answers 429 before
// the endpoint's action runs, and a connection that was never established
// carried nothing.
func Retryable(method string, status int, err error) bool {
	if err != nil {
		if permanent(err) {
			return false
		}
		return Idempotent(method) || neverConnected(err)
	}
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return Idempotent(method)
	}
	return false
}

// Idempotent reports whether repeating the method cannot do harm
// (RFC 9110, section 9.2.2).
func Idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// neverConnected reports whether err happened before any byte of the
// request could reach the server: while resolving or dialling.
func neverConnected(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect")
}

// permanent reports errors that the same request will meet again:
// certificate problems, redirect loops and malformed requests.
func permanent(err error) bool {
	if errors.Is(err, ErrTooManyRedirects) || errors.Is(err, ErrInvalidHeader) {
		return true
	}
	var verifyErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var invalidCert x509.CertificateInvalidError
	var hostnameErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	return errors.As(err, &verifyErr) || errors.As(err, &unknownAuthority) ||
		errors.As(err, &invalidCert) || errors.As(err, &hostnameErr) ||
		errors.As(err, &recordErr)
}
