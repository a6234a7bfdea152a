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
	// proxy's HTML page).
	Message string
	// Details is the body's details object, as sent.
	Details stdjson.RawMessage
	// RetryAfter is, for a 429, how long until the server's rate-limit
	// window reopens (from X-RateLimit-Reset, measured on the server's
	// clock); 0 when unknown.
	RetryAfter time.Duration
	// TwoFactor describes the challenge of a totp-required or totp-invalid
	// answer; nil otherwise.
	TwoFactor *TwoFactorChallenge

	// notLoggedIn marks Restivus' {"status":"error"} body, which means
	// "not logged in" even when a proxy rewrote the status.
	notLoggedIn bool
}

var _ error = (*Error)(nil)

// Error returns one line: method, endpoint, status, code and message.
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
	if e.Type != "" {
		b.WriteString(": ")
		b.WriteString(e.Type)
	}
	if e.Message != "" && e.Message != e.Type {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is matches the sentinel errors by status and error code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.notLoggedIn
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

// apiStatus holds the members by which Rocket.Chat says that a call failed,
// in both envelope families: Restivus' {"status":"error","message":...}
// and the API's {"success":false,"error":...,"errorType":...,"details":...}.
// Response types embed it, so a body is decoded once and its verdict read
// from the same pass.
type apiStatus struct {
	Success   *bool          `json:"success"`
	Status    string         `json:"status"`
	Error     string         `json:"error"`
	ErrorType string         `json:"errorType"`
	Message   string         `json:"message"`
	Details   jsontext.Value `json:"details"`
}

// failed reports whether the body says the call failed, whatever the
// HTTP status was.
func (s *apiStatus) failed() bool {
	return (s.Success != nil && !*s.Success) || s.Status == "error"
}

// statusCarrier is implemented by response types that embed apiStatus.
type statusCarrier interface{ result() *apiStatus }

func (s *apiStatus) result() *apiStatus { return s }

// errorBodyLimit bounds how much of a failure answer is read to describe
// it; the rest is drained so the connection can be reused.
const errorBodyLimit = 64 << 10

// newError describes a failure answer. body is what was read of it (at
// most errorBodyLimit bytes); now is the local time, used only when the
// answer has no Date header.
func newError(method, endpoint string, status int, header http.Header, body []byte, now time.Time) *Error {
	e := &Error{StatusCode: status, Method: method, Endpoint: endpoint}
	var s apiStatus
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &s, tolerantUTF8) == nil {
		e.fill(&s)
	} else {
		e.Message = excerpt(body)
	}
	if status == http.StatusTooManyRequests {
		e.RetryAfter, _ = retry.RateLimitWait(header, now)
	}
	return e
}

// fill copies a decoded failure body into e.
func (e *Error) fill(s *apiStatus) {
	msg := s.Message
	if msg == "" {
		msg = s.Error
	}
	code, text := splitCode(msg)
	switch {
	case s.ErrorType != "":
		// As sent, but as one short printable word like the codes below:
		// it goes into Error().
		e.Type = printable(s.ErrorType, maxCode)
	case code != "":
		e.Type = code
	case isCode(s.Error):
		// Login errors carry the code itself in "error".
		e.Type = s.Error
	}
	if code != "" && code == e.Type {
		msg = text
	}
	e.Message = printable(msg, maxMessage)
	if len(s.Details) > 0 && !bytes.Equal(s.Details, []byte("null")) {
		e.Details = stdjson.RawMessage(bytes.Clone(s.Details))
	}
	e.notLoggedIn = s.Status == "error"
	if e.Type == "totp-required" || e.Type == "totp-invalid" {
		e.TwoFactor = challengeFromDetails(s.Details)
	}
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
		_ = json.Unmarshal(details, &d, tolerantUTF8)
	}
	return &TwoFactorChallenge{
		Method:           d.Method,
		CodeGenerated:    d.CodeGenerated,
		AvailableMethods: d.AvailableMethods,
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

// invalidResponse wraps a 2xx answer that could not be read or decoded.
func invalidResponse(method, endpoint string, status int, err error) error {
	if errors.Is(err, ErrResponseTooLarge) {
		return fmt.Errorf("rocketchat: %s %s: %d: %w", method, endpoint, status, err)
	}
	return fmt.Errorf("rocketchat: %s %s: %d: %w: %w", method, endpoint, status, ErrInvalidResponse, err)
}

var errNoVersion = errors.New("answer without a version")

var errNoInstances = errors.New("answer without an instances list")
