package rocketchat

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// The one decode stage every answer goes through: the body is read within
// the size bound, the call's success or failure is decided from the raw
// JSON values Rocket.Chat uses for it, and only then is the payload
// decoded into the caller's value.

// wireOptions decode the package's own wire structs. They are pinned in
// full, so that options a caller passes to json.Unmarshal (of an
// Instance, say) cannot change what the wire types accept. Invalid UTF-8,
// and the lone surrogates a JavaScript server's JSON.stringify escapes (a
// name cut in the middle of an emoji), become U+FFFD instead of failing
// the whole answer.
var wireOptions = json.JoinOptions(
	json.DefaultOptionsV2(),
	jsontext.AllowInvalidUTF8(true),
)

// genericOptions decode into a caller's value for Get and Post, with
// encoding/json's rules, so that types written for it work unchanged.
var genericOptions = jsonv1.DefaultOptionsV1()

// envelopeOptions read the members that say whether a call failed, from
// any body a server or proxy may send.
var envelopeOptions = json.JoinOptions(
	json.DefaultOptionsV2(),
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// verdict is embedded in the wire struct of every typed answer, so that
// the common case, a body that says "success": true, is decided and
// decoded in one pass. Anything else (false, absent, not a bool, or a
// body that does not decode) goes through envelope, which decides from
// the raw values.
type verdict struct {
	Success bool `json:"success"`
}

func (v *verdict) succeeded() bool { return v.Success }

// typedAnswer is a wire struct that embeds verdict.
type typedAnswer interface{ succeeded() bool }

// checkedAnswer is an answer that can be well-formed and still lack what
// the call returns (a message without an ID): check says what is
// missing, and the call fails with ErrInvalidResponse.
type checkedAnswer interface{ check() error }

func checkAnswer(out any) error {
	if a, ok := out.(checkedAnswer); ok {
		return a.check()
	}
	return nil
}

// envelope holds, as raw JSON of any kind, the top-level members by which
// Rocket.Chat says a call failed, in both envelope families: Restivus'
// {"status":"error","message":...} and the API's
// {"success":false,"error":...,"errorType":...,"details":...}. Other
// answers use the same names for their payload ("message" is the posted
// message in chat answers, "status" a number in some), so the members are
// looked at only to describe a failure.
type envelope struct {
	Success   jsontext.Value `json:"success"`
	Status    jsontext.Value `json:"status"`
	Error     jsontext.Value `json:"error"`
	ErrorType jsontext.Value `json:"errorType"`
	Message   jsontext.Value `json:"message"`
	Details   jsontext.Value `json:"details"`
}

// readEnvelope reads the envelope members of a body that is a JSON
// object; ok is false for any other body (a top-level array, which some
// endpoints answer, or something that is not JSON).
func readEnvelope(data []byte) (env envelope, ok bool) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return env, false
	}
	return env, json.Unmarshal(data, &env, envelopeOptions) == nil
}

// failed reports whether the body says the call failed, whatever the
// HTTP status was: "success" is false, or Restivus' "status" is "error".
func (env *envelope) failed() bool {
	return string(env.Success) == "false" || string(env.Status) == `"error"`
}

// decode reads a 2xx answer and decodes it into out (nil: the verdict
// only). A body that says the call failed is an *Error.
func (c *Client) decode(r *request, resp *http.Response, out any) error {
	buf := bodyBuffers.Get().(*bodyBuffer)
	defer putBodyBuffer(buf)
	data, err := readBody(resp, c.maxBytes, buf)
	if err != nil {
		return invalidResponse(r.method, r.path(c), resp.StatusCode, err)
	}
	var decodeErr error
	decoded := false
	if t, ok := out.(typedAnswer); ok && !r.generic {
		decodeErr, decoded = json.Unmarshal(data, out, wireOptions), true
		if decodeErr == nil && t.succeeded() {
			decodeErr = checkAnswer(out)
			if decodeErr == nil {
				return nil
			}
		}
	}
	env, _ := readEnvelope(data)
	if env.failed() {
		return newErrorFromEnvelope(r.method, r.path(c), resp.StatusCode, &env)
	}
	if k := env.Success.Kind(); k != 0 && k != 't' && k != 'n' && decodeErr == nil {
		decodeErr = errSuccessNotBool
	}
	if out == nil && !jsontext.Value(data).IsValid(envelopeOptions) {
		decodeErr = errNotJSON
	}
	if out != nil && !decoded && decodeErr == nil {
		opts := wireOptions
		if r.generic {
			opts = genericOptions
		}
		decodeErr = json.Unmarshal(data, out, opts)
	}
	if decodeErr == nil && !r.generic {
		decodeErr = checkAnswer(out)
	}
	if decodeErr != nil {
		return invalidResponse(r.method, r.path(c), resp.StatusCode, decodeErr)
	}
	return nil
}

var (
	errNotJSON        = errors.New("the body is not JSON")
	errSuccessNotBool = errors.New(`"success" is not a boolean`)
)

// readBody reads a whole body of at most max bytes into buf. A body cut
// short (shorter than its Content-Length, or a connection that ended) is
// an error even if what arrived would parse.
func readBody(resp *http.Response, max int64, buf *bodyBuffer) ([]byte, error) {
	if resp.ContentLength > max {
		return nil, ErrResponseTooLarge
	}
	if resp.ContentLength >= 0 {
		// bytes.MinRead more than the body: ReadFrom wants that much room
		// for the read that finds the end, and would otherwise double
		// the buffer, copying the whole body, to make it.
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	buf.limit = io.LimitedReader{R: resp.Body, N: max + 1}
	n, err := buf.ReadFrom(&buf.limit)
	buf.limit.R = nil
	switch {
	case err != nil:
		return nil, err
	case n > max:
		return nil, ErrResponseTooLarge
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return nil, io.ErrUnexpectedEOF
	}
	return buf.Bytes(), nil
}

// bodyBuffers keep the buffers answers are read into from one call to
// the next: decoding copies what it keeps, so nothing points into a
// buffer once its call has decoded it.
var bodyBuffers = sync.Pool{New: func() any { return new(bodyBuffer) }}

// bodyBuffer is a pooled buffer with the reader that bounds what is read
// into it, kept with it so that a call does not allocate one.
type bodyBuffer struct {
	bytes.Buffer
	limit io.LimitedReader
}

// maxPooledBuffer is the largest buffer kept for the next call, so that
// one huge answer does not stay in memory for good.
const maxPooledBuffer = 1 << 20

func putBodyBuffer(buf *bodyBuffer) {
	if buf.Cap() <= maxPooledBuffer {
		buf.Reset()
		bodyBuffers.Put(buf)
	}
}

// invalidResponse wraps a 2xx answer that could not be read or decoded.
func invalidResponse(method, endpoint string, status int, err error) error {
	if errors.Is(err, ErrResponseTooLarge) {
		return fmt.Errorf("rocketchat: %s %s: %d: %w", method, endpoint, status, err)
	}
	return fmt.Errorf("rocketchat: %s %s: %d: %w: %w", method, endpoint, status, ErrInvalidResponse, err)
}
