package rocketchat

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/go-rocketchat/rocketchat/internal/retry"
)

// Sentinel errors. A *Error matches them with errors.Is by its HTTP status
// and Rocket.Chat error code, never by message text.
var (
	// ErrUnauthorized: HTTP 401, the caller is not logged in (missing,
	// wrong or expired credentials) or the login was refused.
	ErrUnauthorized = errors.New("rocketchat: unauthorized")
	// ErrForbidden: HTTP 403, the user lacks a permission the endpoint
	// needs. Rocket.Chat says "unauthorized" in some of these bodies;
	// the status decides.
	ErrForbidden = errors.New("rocketchat: forbidden")
	// ErrNotFound: HTTP 404, no such endpoint or resource.
	ErrNotFound = errors.New("rocketchat: not found")
	// ErrRateLimited: HTTP 429 (or error-too-many-requests); see
	// [Error.RetryAfter].
	ErrRateLimited = errors.New("rocketchat: rate limited")
	// ErrTwoFactorRequired: the call needs a second factor (totp-required)
	// and no [TwoFactorHandler] answered it; see [Error.TwoFactor].
	ErrTwoFactorRequired = errors.New("rocketchat: two-factor code required")
	// ErrTwoFactorInvalid: the server rejected the second-factor code
	// (totp-invalid).
	ErrTwoFactorInvalid = errors.New("rocketchat: two-factor code invalid")
)

// ErrInvalidResponse is matched by the error of a call whose successful
// answer could not be read as what the endpoint returns: a body that is
// not JSON, is cut short, or holds a value of the wrong kind. The cause
// (for example io.ErrUnexpectedEOF) is wrapped too.
var ErrInvalidResponse = errors.New("rocketchat: invalid response body")

// ErrResponseTooLarge is matched by the error of a call whose answer was
// larger than [WithMaxResponseBytes] allows.
var ErrResponseTooLarge = errors.New("rocketchat: response body too large")

// Error is a failure answer from the server: any non-2xx status, and any
// 2xx body that says success:false. Transport and context failures are
// not *Error; they wrap their cause.
type Error struct {
	// StatusCode is the HTTP status, kept whatever the body is.
	StatusCode int
	// Method is the request's HTTP method.
	Method string
	// Endpoint is the request's path below the server's root, such as
	// "/api/v1/instances.get": no host, query or credentials.
	Endpoint string
	// Type is the Rocket.Chat error code: the body's errorType, else the
	// code in brackets that ends the message ("... [error-unauthorized]"),
	// else the code a login error carries ("totp-required").
	Type string
	// Message is the server's human-readable message without the bracketed
	// code, or a short printable excerpt of a body that was not JSON (a
	// proxy's HTML page). For a 404 of an endpoint given to Get, Post,
	// Put or Delete without its version, it says how endpoints are named.
	Message string
	// Details is the body's details object, as sent.
	Details stdjson.RawMessage `json:",omitempty"`
	// RetryAfter is, for a 429, how long until the server's rate-limit
	// window reopens (from X-RateLimit-Reset, measured on the server's
	// clock); 0 when unknown. A call that pacing did not send, because
	// the window reopens after the context's deadline, is a 429 too,
	// whose RetryAfter is the wait the window has left (see
	// [WithPacing]).
	RetryAfter time.Duration
	// TwoFactor describes the challenge of a totp-required or totp-invalid
	// answer; nil otherwise.
	TwoFactor *TwoFactorChallenge
}

var _ error = (*Error)(nil)

// MarshalJSONTo implements [json.MarshalerTo] for encoding/json/v2, with
// RetryAfter in nanoseconds as encoding/json writes it.
func (e Error) MarshalJSONTo(enc *jsontext.Encoder) error {
	type plain Error
	return json.MarshalEncode(enc, plain(e), nanoDurations)
}

// UnmarshalJSONFrom implements [json.UnmarshalerFrom], the inverse of
// [Error.MarshalJSONTo].
func (e *Error) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain Error
	return json.UnmarshalDecode(dec, (*plain)(e), nanoDurations)
}

// Error returns one line: method, endpoint, status, code and message,
// each said once: a code or message that only restates the status (a
// "404 Not Found" page, Go's "404 page not found") is left out.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("rocketchat: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Endpoint)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteByte(' ')
		b.WriteString(text)
	}
	if e.Type != "" && !restatesStatus(e.Type, e.StatusCode) {
		b.WriteString(": ")
		b.WriteString(e.Type)
	}
	if e.Message != "" && e.Message != e.Type && !restatesStatus(e.Message, e.StatusCode) {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// restatesStatus reports whether s says no more than the status line:
// "404 Not Found", "Not Found", "404 page not found", "404", in any case.
func restatesStatus(s string, status int) bool {
	text := http.StatusText(status)
	if text == "" {
		return false
	}
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(s, strconv.Itoa(status)))
	if len(s) > 5 && strings.EqualFold(s[:5], "page ") {
		s = s[5:]
	}
	return s == "" || strings.EqualFold(s, text)
}

// Is matches the sentinel errors by status and error code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests || e.Type == "error-too-many-requests"
	case ErrTwoFactorRequired:
		return e.Type == "totp-required"
	case ErrTwoFactorInvalid:
		return e.Type == "totp-invalid"
	}
	return false
}

// errorBodyLimit bounds how much of a failure answer is read to describe
// it; the rest is drained so the connection can be reused.
const errorBodyLimit = 64 << 10

// newError describes a failure answer. body is what was read of it (at
// most errorBodyLimit bytes); now is the local time, used only when the
// answer has no Date header.
func newError(method, endpoint string, status int, header http.Header, body []byte, now time.Time) *Error {
	var e *Error
	if env, ok := readEnvelope(body); ok {
		e = newErrorFromEnvelope(method, endpoint, status, &env)
	} else {
		e = &Error{StatusCode: status, Method: method, Endpoint: endpoint}
	}
	if e.Type == "" && e.Message == "" {
		// Not JSON (a proxy's page), or JSON without the envelope's
		// members: the body itself says what happened.
		e.Message = excerpt(body)
	}
	if status == http.StatusTooManyRequests {
		e.RetryAfter, _ = retry.RateLimitWait(header, now)
	}
	return e
}

// newErrorFromEnvelope describes a failure answer from its envelope
// members. Each is used only when it has the kind Rocket.Chat gives it;
// a member of another kind is left out, never fatal.
func newErrorFromEnvelope(method, endpoint string, status int, env *envelope) *Error {
	e := &Error{StatusCode: status, Method: method, Endpoint: endpoint}
	errText, errorType := stringOf(env.Error), stringOf(env.ErrorType)
	msg := stringOf(env.Message)
	if msg == "" {
		msg = errText
	}
	code, text := splitCode(msg)
	switch {
	case errorType != "":
		// As sent, but as one short printable word like the codes below:
		// it goes into Error().
		e.Type = printable(errorType, maxCode)
	case code != "":
		e.Type = code
	case isCode(errText):
		// Login errors carry the code itself in "error".
		e.Type = errText
	}
	if code != "" && code == e.Type {
		msg = text
	}
	e.Message = printable(msg, maxMessage)
	if len(env.Details) > 0 && string(env.Details) != "null" {
		e.Details = stdjson.RawMessage(env.Details)
	}
	if e.Type == "totp-required" || e.Type == "totp-invalid" {
		e.TwoFactor = challengeFromDetails(env.Details)
	}
	return e
}

// stringOf returns the text of a JSON string value, or "" for a value of
// any other kind.
func stringOf(v jsontext.Value) string {
	var s string
	if v.Kind() != '"' || json.Unmarshal(v, &s, envelopeOptions) != nil {
		return ""
	}
	return s
}

// challengeFromDetails reads the details of a 2FA answer. A malformed
// details object still yields a challenge: the code name alone says that
// a second factor is needed.
func challengeFromDetails(details jsontext.Value) *TwoFactorChallenge {
	var d struct {
		Method           string   `json:"method"`
		CodeGenerated    bool     `json:"codeGenerated"`
		AvailableMethods []string `json:"availableMethods"`
		EmailOrUsername  string   `json:"emailOrUsername"`
	}
	if len(details) > 0 {
		_ = json.Unmarshal(details, &d, envelopeOptions)
	}
	return &TwoFactorChallenge{
		Method:           d.Method,
		CodeGenerated:    d.CodeGenerated,
		AvailableMethods: nilIfEmpty(d.AvailableMethods),
		EmailOrUsername:  d.EmailOrUsername,
	}
}

// splitCode splits "Reason [error-x]" into "error-x" and "Reason".
func splitCode(msg string) (code, text string) {
	msg = strings.TrimSpace(msg)
	if !strings.HasSuffix(msg, "]") {
		return "", msg
	}
	open := strings.LastIndexByte(msg, '[')
	if open < 0 {
		return "", msg
	}
	code = msg[open+1 : len(msg)-1]
	if !isCode(code) {
		return "", msg
	}
	return code, strings.TrimSpace(msg[:open])
}

// isCode reports whether s looks like a Rocket.Chat error code
// ("error-unauthorized", "totp-required", "Unauthorized") rather than a
// sentence.
func isCode(s string) bool {
	if s == "" || len(s) > maxCode {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// maxCode bounds Error.Type.
const maxCode = 64

// maxMessage bounds Error.Message, so a huge or hostile body cannot turn
// an error line into a page.
const maxMessage = 200

// excerpt turns a body that is not JSON into a short printable line: the
// title of an HTML page, or the start of the text.
func excerpt(body []byte) string {
	s := string(body)
	// Only ASCII letters are lowered, so that offsets in lower are offsets
	// in s (strings.ToLower changes the length of some runes and of
	// invalid UTF-8).
	lower := []byte(s)
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	if i := bytes.Index(lower, []byte("<title>")); i >= 0 {
		start := i + len("<title>")
		if j := bytes.Index(lower[start:], []byte("</title>")); j >= 0 {
			s = s[start : start+j]
		}
	}
	return printable(s, maxMessage)
}

// printable folds white space and drops control characters and invalid
// UTF-8, so that a message is always one clean line of at most max bytes,
// plus "…" when it was cut.
func printable(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			space = b.Len() > 0
			continue
		}
		n := utf8.RuneLen(r)
		if space {
			n++ // the folded space goes in front of r
		}
		if b.Len()+n > max {
			b.WriteString("…")
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// transportError wraps a failure that produced no answer (connection,
// timeout, cancelled context). The cause stays reachable with errors.Is
// and errors.As; the URL, which may hold a query, is left out.
func transportError(method, endpoint string, err error) error {
	return fmt.Errorf("rocketchat: %s %s: %w", method, endpoint, withoutURL(err))
}

// withoutURL unwraps net/http's *url.Error, whose message holds the whole
// URL with its query.
func withoutURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

var errNoVersion = errors.New("answer without a version")

var errNoInstances = errors.New("answer without an instances list")
