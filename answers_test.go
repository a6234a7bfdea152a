package rocketchat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

// This file sends every answer of testdata/answers (the example bodies of
// Rocket.Chat's OpenAPI definitions, and a few from the server's code)
// through the generic calls (Get, Post, Put, Delete), with every kind of out. What
// each call must give is worked out here from the body alone, by the
// documented rules (Get's and Post's doc comments, Error's field comments,
// GUARANTEES.md), never by calling the package's own helpers.

// corpusAnswer is one file of testdata/answers.
type corpusAnswer struct {
	file     string
	Source   string          `json:"source"`
	Method   string          `json:"method"`
	Endpoint string          `json:"endpoint"`
	Status   int             `json:"status"`
	Body     json.RawMessage `json:"body"`
}

// loadCorpus reads every answer. Bodies are compacted, as Rocket.Chat
// sends them (JSON.stringify without spaces); the files are indented
// only to be readable.
func loadCorpus(t *testing.T) []*corpusAnswer {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "answers", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var answers []*corpusAnswer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a := &corpusAnswer{file: filepath.Base(f)}
		if err := json.Unmarshal(data, a); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, a.Body); err != nil {
			t.Fatalf("%s: body: %v", f, err)
		}
		a.Body = compact.Bytes()
		if a.Source == "" || a.Method == "" || a.Endpoint == "" || a.Status == 0 || len(a.Body) == 0 {
			t.Fatalf("%s: source, method, endpoint, status and body are all required", f)
		}
		answers = append(answers, a)
	}
	return answers
}

// TestCorpusCoversTheAPI keeps the corpus from shrinking unnoticed: every
// family of endpoints a bot uses has answers, success and failure.
func TestCorpusCoversTheAPI(t *testing.T) {
	answers := loadCorpus(t)
	if len(answers) < 600 {
		t.Errorf("%d answers in testdata/answers, want the whole extraction (over 600)", len(answers))
	}
	type count struct{ ok, failed int }
	seen := map[string]*count{}
	// im.* and dm.* are two names of the same endpoints on the server;
	// the OpenAPI definitions document them as dm.*.
	families := []string{"v1/chat.", "v1/rooms.", "v1/channels.", "v1/groups.", "v1/im.|v1/dm.", "v1/users.",
		"v1/statistics", "v1/settings", "v1/method.call/", "v1/login", "v1/me", "info", "v1/instances.get"}
	for _, a := range answers {
		for _, f := range families {
			if hasAnyPrefix(a.Endpoint, strings.Split(f, "|")) {
				if seen[f] == nil {
					seen[f] = &count{}
				}
				if isFailure(a) {
					seen[f].failed++
				} else {
					seen[f].ok++
				}
			}
		}
	}
	for _, f := range families {
		c := seen[f]
		switch {
		case c == nil:
			t.Errorf("no answer of %s*", f)
		case c.ok == 0:
			t.Errorf("no success answer of %s*", f)
		}
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// isFailure says whether an answer is a failure: any non-2xx status, and
// a 2xx body that says success:false (or Restivus' status:"error").
func isFailure(a *corpusAnswer) bool {
	if a.Status < 200 || a.Status > 299 {
		return true
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(a.Body, &top) != nil {
		return false // an array: no verdict in it
	}
	return string(top["success"]) == "false" || string(top["status"]) == `"error"`
}

// corpusStruct is a caller's own type with a few members of the answers.
// Its members take any JSON kind the corpus's success bodies hold there,
// so that encoding/json decodes every success object into it.
type corpusStruct struct {
	Success bool            `json:"success"`
	Status  any             `json:"status"`  // "success" (login), 1 (video-conference.info)
	Message json.RawMessage `json:"message"` // an object (chat.postMessage), a string (method.call)
}

// outKinds are the outs every answer goes through: a new one per call.
var outKinds = []struct {
	name string
	new  func() any
}{
	{"nil", func() any { return nil }},
	{"map", func() any { return new(map[string]any) }},
	{"any", func() any { return new(any) }},
	{"RawMessage", func() any { return new(json.RawMessage) }},
	{"struct", func() any { return new(corpusStruct) }},
}

// rateLimitDate is the Date of every 429 answer; its X-RateLimit-Reset is
// 23 s later (epoch milliseconds, on the server's clock), so RetryAfter is
// exactly 23 s whatever the local clock says.
var rateLimitDate = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// corpusServer answers whatever answer the test last set, and records
// the request it got, so that one server serves every case.
type corpusServer struct {
	*httptest.Server
	mu      sync.Mutex
	answer  *corpusAnswer
	request string // "METHOD /path" of the last request
}

func newCorpusServer(t *testing.T) *corpusServer {
	s := &corpusServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		a := s.answer
		s.request = r.Method + " " + r.URL.Path
		s.mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "application/json")
		if a.Status == http.StatusTooManyRequests {
			h.Set("Date", rateLimitDate.Format(http.TimeFormat))
			h.Set("X-RateLimit-Limit", "10")
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset", strconv.FormatInt(rateLimitDate.Add(23*time.Second).UnixMilli(), 10))
		}
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.Body)
	}))
	t.Cleanup(s.Close)
	return s
}

// call sends a through the generic call of its method (Get, Put, Delete,
// else Post) into out, and returns the request the server got and the
// call's error.
func (s *corpusServer) call(c *rocketchat.Client, a *corpusAnswer, out any) (request string, err error) {
	s.mu.Lock()
	s.answer, s.request = a, ""
	s.mu.Unlock()
	switch a.Method {
	case http.MethodGet:
		err = c.Get(context.Background(), a.Endpoint, nil, out)
	case http.MethodPut:
		err = c.Put(context.Background(), a.Endpoint, nil, out)
	case http.MethodDelete:
		err = c.Delete(context.Background(), a.Endpoint, nil, out)
	default:
		err = c.Post(context.Background(), a.Endpoint, nil, out)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.request, err
}

// genericMethod is the method corpusServer.call sends a with.
func genericMethod(a *corpusAnswer) string {
	switch a.Method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
		return a.Method
	}
	return http.MethodPost
}

func TestCorpusAnswersThroughGetAndPost(t *testing.T) {
	srv := newCorpusServer(t)
	// No retries: every answer, 429 and 5xx included, is seen once. No
	// pacing either: after the 429, each kind's call would wait out its
	// 23 s window (pacing has its own tests in ratelimit_test.go).
	c := newClient(t, srv.URL, rocketchat.WithRetry(0, 0, 0), rocketchat.WithPacing(false))
	for _, a := range loadCorpus(t) {
		t.Run(strings.TrimSuffix(a.file, ".json"), func(t *testing.T) {
			method := genericMethod(a)
			for _, kind := range outKinds {
				out := kind.new()
				request, err := srv.call(c, a, out)
				if want := method + " /api/" + a.Endpoint; request != want {
					t.Errorf("%s: the server got %q, want %q", kind.name, request, want)
				}
				if isFailure(a) {
					checkFailure(t, kind.name, a, err)
				} else {
					checkSuccess(t, kind.name, a, out, err)
				}
			}
		})
	}
}

// checkSuccess: a success body decodes into out exactly as encoding/json
// decodes it into a value of the same type, and fails as encoding/json
// fails (an array into a map or struct): that is Get's and Post's
// documented rule. A nil out only needs the verdict.
func checkSuccess(t *testing.T, kind string, a *corpusAnswer, out any, err error) {
	t.Helper()
	if out == nil {
		if err != nil {
			t.Errorf("%s: %v, want no error", kind, err)
		}
		return
	}
	if raw, ok := out.(*json.RawMessage); ok {
		// A RawMessage holds the body as sent (compacted, see loadCorpus).
		if err != nil {
			t.Errorf("%s: %v, want no error", kind, err)
		} else if diff := cmp.Diff(string(a.Body), string(*raw)); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", kind, diff)
		}
		return
	}
	want := newLike(out)
	if stdErr := json.Unmarshal(a.Body, want); stdErr != nil {
		if err == nil || !errors.Is(err, rocketchat.ErrInvalidResponse) || errors.As(err, new(*rocketchat.Error)) {
			t.Errorf("%s: err = %v, want ErrInvalidResponse as encoding/json fails: %v", kind, err, stdErr)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v, want no error", kind, err)
		return
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("%s: out differs from encoding/json's (-want +got):\n%s", kind, diff)
	}
}

// newLike returns a new zero value of out's type.
func newLike(out any) any {
	switch out.(type) {
	case *map[string]any:
		return new(map[string]any)
	case *any:
		return new(any)
	case *corpusStruct:
		return new(corpusStruct)
	}
	panic("no case for this out")
}

// checkFailure: a failure answer is an *Error with the status, the
// request, the code and message the body gives, and the sentinels that
// its status and code match.
func checkFailure(t *testing.T, kind string, a *corpusAnswer, err error) {
	t.Helper()
	var e *rocketchat.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: err = %v, want a *rocketchat.Error", kind, err)
		return
	}
	var body struct {
		Status    any             `json:"status"`
		Error     any             `json:"error"`
		Message   any             `json:"message"`
		ErrorType any             `json:"errorType"`
		Details   json.RawMessage `json:"details"`
	}
	_ = json.Unmarshal(a.Body, &body) // an array leaves them all empty
	wantType, wantMessage := expectedTypeAndMessage(body.ErrorType, body.Error, body.Message)
	want := errorFields{
		StatusCode: a.Status,
		Method:     genericMethod(a),
		Endpoint:   "/api/" + a.Endpoint,
		Type:       wantType,
		Message:    wantMessage,
	}
	if len(body.Details) > 0 && string(body.Details) != "null" {
		want.Details = string(body.Details) // as sent
	}
	if a.Status == http.StatusTooManyRequests {
		want.RetryAfter = 23 * time.Second
	}
	got := errorFields{e.StatusCode, e.Method, e.Endpoint, e.Type, e.Message, string(e.Details), e.RetryAfter}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: *Error (-want +got):\n%s", kind, diff)
	}

	// The sentinels, by status and code (errors.go's doc comments).
	notLoggedIn := body.Status == "error" // Restivus' "You must be logged in" body
	sentinels := []struct {
		err  error
		want bool
	}{
		{rocketchat.ErrUnauthorized, a.Status == http.StatusUnauthorized || notLoggedIn},
		{rocketchat.ErrForbidden, a.Status == http.StatusForbidden},
		{rocketchat.ErrNotFound, a.Status == http.StatusNotFound},
		{rocketchat.ErrRateLimited, a.Status == http.StatusTooManyRequests || wantType == "error-too-many-requests"},
		{rocketchat.ErrTwoFactorRequired, wantType == "totp-required"},
		{rocketchat.ErrTwoFactorInvalid, wantType == "totp-invalid"},
		{rocketchat.ErrInvalidResponse, false},
	}
	for _, s := range sentinels {
		if got := errors.Is(err, s.err); got != s.want {
			t.Errorf("%s: errors.Is(err, %v) = %v, want %v", kind, s.err, got, s.want)
		}
	}
	if twoFactor := wantType == "totp-required" || wantType == "totp-invalid"; (e.TwoFactor != nil) != twoFactor {
		t.Errorf("%s: TwoFactor = %+v, want a challenge: %v", kind, e.TwoFactor, twoFactor)
	}
}

// errorFields are the fields of *Error that a body determines.
type errorFields struct {
	StatusCode int
	Method     string
	Endpoint   string
	Type       string
	Message    string
	Details    string
	RetryAfter time.Duration
}

// codePattern is what a Rocket.Chat error code looks like: one word of
// letters, digits, '-', '_' and '.' ("error-invalid-room",
// "totp-required", "Unauthorized"), never a sentence.
var codePattern = regexp.MustCompile(`^[\p{L}\p{N}._-]{1,64}$`)

// trailingCode matches the code in brackets that ends a message:
// "Reason [error-x]".
var trailingCode = regexp.MustCompile(`^(?s)(.*?)\s*\[([^\[\]]*)\]\s*$`)

// expectedTypeAndMessage applies the documented rules for Error.Type and
// Error.Message to a body's members, whatever JSON kind they are:
//
//   - the text is "message" if it is a non-empty string, else "error" if
//     it is a string;
//   - Type is "errorType" if it is a non-empty string, else the code in
//     brackets that ends the text, else "error" itself when it is a code
//     (login errors: "totp-required", "Unauthorized");
//   - Message is the text without that bracketed code (only when the code
//     is Type), as one printable line of at most 200 bytes plus "…".
func expectedTypeAndMessage(errorType, errorMember, message any) (typ, msg string) {
	text, _ := message.(string)
	if text == "" {
		text, _ = errorMember.(string)
	}
	text = strings.TrimSpace(text)
	reason, code := text, ""
	if m := trailingCode.FindStringSubmatch(text); m != nil && codePattern.MatchString(m[2]) {
		reason, code = m[1], m[2]
	}
	if s, ok := errorType.(string); ok && s != "" {
		typ = s
	} else if code != "" {
		typ = code
	} else if s, ok := errorMember.(string); ok && codePattern.MatchString(s) {
		typ = s
	}
	if code == "" || code != typ {
		reason = text
	}
	return typ, oneLine(reason, 200)
}

// oneLine folds white space (line breaks included) to single spaces and
// cuts s to at most max bytes at a rune boundary, ending in "…" when cut
// (GUARANTEES.md: Message is one line of at most 200 bytes plus "…").
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := 0
	for i, r := range s {
		end := i + utf8.RuneLen(r)
		if end > max {
			break
		}
		if r != ' ' {
			cut = end
		}
	}
	return s[:cut] + "…"
}

// TestCorpusRateLimitedPostIsRepeated: a POST answered 429 is repeated
// after the wait (the limiter answers before the endpoint runs, so the
// message was not posted) and the caller sees the real answer of the
// second attempt, chat.postMessage's 200 whose "message" is an object.
func TestCorpusRateLimitedPostIsRepeated(t *testing.T) {
	var limited, posted *corpusAnswer
	for _, a := range loadCorpus(t) {
		switch a.file {
		case "chat.postMessage_429_error-too-many-requests.json":
			limited = a
		case "chat.postMessage_200.json":
			posted = a
		}
	}
	if limited == nil || posted == nil {
		t.Fatal("testdata/answers lacks chat.postMessage's 429 or 200")
	}
	var requests atomic.Int32
	var bodies [2][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		if n <= 2 {
			bodies[n-1] = body
		}
		w.Header().Set("Content-Type", "application/json")
		if n == 1 {
			// The window reopens in a few milliseconds (epoch ms).
			w.Header().Set("X-RateLimit-Limit", "10")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(5*time.Millisecond).UnixMilli(), 10))
			w.WriteHeader(limited.Status)
			_, _ = w.Write(limited.Body)
			return
		}
		w.WriteHeader(posted.Status)
		_, _ = w.Write(posted.Body)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, rocketchat.WithRetry(3, time.Millisecond, 10*time.Millisecond))

	in := map[string]string{"channel": "#general", "text": "This is a test!"}
	var out map[string]any
	if err := c.Post(context.Background(), "v1/chat.postMessage", in, &out); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2 (one 429, one 200)", n)
	}
	if !bytes.Equal(bodies[0], bodies[1]) || len(bodies[0]) == 0 {
		t.Errorf("the repeat sent %q, want the first body %q again", bodies[1], bodies[0])
	}
	var want map[string]any
	if err := json.Unmarshal(posted.Body, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("out (-want +got):\n%s", diff)
	}
}

// TestCorpusMethodCallErrorIsASuccess documents what a caller of
// method.call sees when the Meteor method fails: the server answers 200
// and success:true, and puts the method's error inside "message", an
// EJSON string ({"msg":"result","id":...,"error":{...}}). The SDK does not
// parse that string: the call succeeds, and the caller decodes "message"
// to learn whether the method itself failed.
func TestCorpusMethodCallErrorIsASuccess(t *testing.T) {
	var a *corpusAnswer
	for _, x := range loadCorpus(t) {
		if x.file == "method.call_method_200_embedded-error.json" {
			a = x
		}
	}
	if a == nil {
		t.Fatal("testdata/answers lacks method.call's embedded error")
	}
	srv := newCorpusServer(t)
	c := newClient(t, srv.URL, rocketchat.WithRetry(0, 0, 0))
	var out struct {
		Message string `json:"message"`
		Success bool   `json:"success"`
	}
	_, err := srv.call(c, a, &out)
	if err != nil {
		t.Fatalf("Post: %v, want success: the SDK does not look inside method.call's message", err)
	}
	if !out.Success {
		t.Errorf("success = false, want true as sent")
	}
	// What the caller does next: decode the EJSON result.
	var result struct {
		Msg   string `json:"msg"`
		Error *struct {
			Error   string `json:"error"`
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(out.Message), &result); err != nil {
		t.Fatalf("message is not the EJSON result: %v", err)
	}
	if result.Msg != "result" || result.Error == nil || result.Error.Error != "error-duplicate-channel-name" {
		t.Errorf("result = %+v, want the method's error-duplicate-channel-name", result)
	}
}
