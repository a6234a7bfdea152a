package rocketchat

import (
	stdjson "encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var allSentinels = []error{ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited, ErrTwoFactorRequired, ErrTwoFactorInvalid}

// TestNewErrorForms maps every failure form of the server, one golden body
// each, and checks the fields and exactly which sentinels match.
func TestNewErrorForms(t *testing.T) {
	tests := []struct {
		file   string
		status int
		want   Error
		is     []error
	}{
		{"error_401_5x.json", 401, Error{Message: "You must be logged in to do this."}, []error{ErrUnauthorized}},
		{"error_401_7x.json", 401, Error{Message: "You must be logged in to do this."}, []error{ErrUnauthorized}},
		{"error_401_9x.json", 401, Error{Message: "You must be logged in to do this."}, []error{ErrUnauthorized}},
		{"error_403_5x.json", 403, Error{Type: "unauthorized", Message: "unauthorized"}, []error{ErrForbidden}},
		{"error_403_8x.json", 403, Error{Type: "error-unauthorized", Message: "User does not have the permissions required for this action"}, []error{ErrForbidden}},
		{"error_404.json", 404, Error{Message: "Resource not found"}, []error{ErrNotFound}},
		{"error_429.json", 429, Error{Type: "error-too-many-requests", Message: "Error, too many requests. Please slow down. You must wait 23 seconds before trying this endpoint again."}, []error{ErrRateLimited}},
		{"error_429_old.json", 429, Error{Type: "error-too-many-requests", Message: "Error, too many requests. Please slow down. You must wait 23 seconds before trying this endpoint again."}, []error{ErrRateLimited}},
		{"error_500.json", 500, Error{Message: "Internal server error"}, nil},
		{"error_500_old.json", 500, Error{Message: "Internal error occured"}, nil},
		{"error_503.json", 503, Error{Message: "Service unavailable"}, nil},
		{"error_400_generic.json", 400, Error{Type: "error-roomid-param-not-provided", Message: `The required "roomId" or "roomName" param was not provided`}, nil},
		{"error_400_invalid_params.json", 400, Error{Type: "invalid-params", Message: "must have required property 'roomId'"}, nil},
		{"error_login_401_5x.json", 401, Error{Type: "Unauthorized", Message: "Unauthorized"}, []error{ErrUnauthorized}},
		{"error_login_401_7x.json", 401, Error{Type: "Unauthorized", Message: "Unauthorized"}, []error{ErrUnauthorized}},
		{"error_login_blocked_ip.json", 401, Error{Type: "error-login-blocked-for-ip", Message: "Login has been temporarily blocked for this IP"}, []error{ErrUnauthorized}},
		{"error_login_totp_required.json", 401, Error{
			Type: "totp-required", Message: "TOTP Required",
			Details:   stdjson.RawMessage(`{"method":"totp","codeGenerated":false,"availableMethods":["totp"],"emailOrUsername":"admin"}`),
			TwoFactor: &TwoFactorChallenge{Method: "totp", AvailableMethods: []string{"totp"}, EmailOrUsername: "admin"},
		}, []error{ErrUnauthorized, ErrTwoFactorRequired}},
		{"error_login_totp_invalid.json", 401, Error{
			Type: "totp-invalid", Message: "TOTP Invalid",
			Details:   stdjson.RawMessage(`{"method":"totp"}`),
			TwoFactor: &TwoFactorChallenge{Method: "totp"},
		}, []error{ErrUnauthorized, ErrTwoFactorInvalid}},
		{"error_totp_required_endpoint.json", 400, Error{
			Type: "totp-required", Message: "TOTP Required",
			Details:   stdjson.RawMessage(`{"method":"password","codeGenerated":false,"availableMethods":["password"]}`),
			TwoFactor: &TwoFactorChallenge{Method: "password", AvailableMethods: []string{"password"}},
		}, []error{ErrTwoFactorRequired}},
		{"error_totp_invalid_endpoint.json", 400, Error{
			Type: "totp-invalid", Message: "TOTP Invalid",
			Details:   stdjson.RawMessage(`{"method":"email"}`),
			TwoFactor: &TwoFactorChallenge{Method: "email"},
		}, []error{ErrTwoFactorInvalid}},
		{"error_502_nginx.html", 502, Error{Message: "502 Bad Gateway"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := newError("GET", "/api/v1/x", tt.status, http.Header{}, readTestdata(t, tt.file), time.Now())
			want := tt.want
			want.StatusCode, want.Method, want.Endpoint = tt.status, "GET", "/api/v1/x"
			if diff := cmp.Diff(&want, got, cmpopts.IgnoreUnexported(Error{})); diff != "" {
				t.Errorf("newError (-want +got):\n%s", diff)
			}
			checkSentinels(t, got, tt.is)
		})
	}
}

func checkSentinels(t *testing.T, err error, want []error) {
	t.Helper()
	for _, s := range allSentinels {
		wantIs := false
		for _, w := range want {
			wantIs = wantIs || w == s
		}
		if got := errors.Is(err, s); got != wantIs {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", err, s, got, wantIs)
		}
	}
}

// TestNewErrorBodiesWithoutJSON keeps the status whatever the body is.
func TestNewErrorBodiesWithoutJSON(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		message string
		is      []error
	}{
		{"empty 503", 503, "", "", nil},
		{"empty 401", 401, "", "", []error{ErrUnauthorized}},
		{"plain text 429", 429, "Too Many Requests\n", "Too Many Requests", []error{ErrRateLimited}},
		{"html 403", 403, "<html><head><title>403 Forbidden</title></head><body>cloudflare</body></html>", "403 Forbidden", []error{ErrForbidden}},
		{"broken json 404", 404, `{"success":false,"error":`, `{"success":false,"error":`, []error{ErrNotFound}},
		{"json of another shape", 500, `{"error":{"code":1}}`, `{"error":{"code":1}}`, nil},
		{"control characters", 500, "line one\r\nline\x00two\x1b[31m", "line one line two [31m", nil},
		{"invalid utf-8", 500, "bad \xff\xfe bytes", "bad bytes", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newError("POST", "/api/v1/login", tt.status, http.Header{}, []byte(tt.body), time.Now())
			if got.StatusCode != tt.status || got.Message != tt.message {
				t.Errorf("got status %d message %q, want %d %q", got.StatusCode, got.Message, tt.status, tt.message)
			}
			if strings.ContainsAny(got.Error(), "\r\n\x00\x1b") {
				t.Errorf("Error() is not one clean line: %q", got.Error())
			}
			checkSentinels(t, got, tt.is)
		})
	}
}

// TestNewErrorMessageBounded keeps a huge message from making a huge line.
func TestNewErrorMessageBounded(t *testing.T) {
	body := `{"success":false,"error":"` + strings.Repeat("x", 100000) + `"}`
	got := newError("GET", "/api/v1/x", 400, nil, []byte(body), time.Now())
	if len(got.Error()) > 300 {
		t.Errorf("Error() is %d bytes long, want at most 300", len(got.Error()))
	}
}

// TestErrorSuccessFalseWithStatus200 maps a 2xx whose body says it
// failed. Only the status decides the sentinel: a Restivus body that a
// proxy delivered with 200 is a failure, but not ErrUnauthorized.
func TestErrorSuccessFalseWithStatus200(t *testing.T) {
	for _, tt := range []struct {
		body string
		is   []error
	}{
		{`{"success":false,"error":"Resource not found"}`, nil},
		{`{"status":"error","message":"You must be logged in to do this."}`, nil},
		{`{"success":false,"error":"Error, too many requests. [error-too-many-requests]"}`, []error{ErrRateLimited}},
	} {
		env, ok := readEnvelope([]byte(tt.body))
		if !ok || !env.failed() {
			t.Fatalf("%s: readEnvelope ok %v, failed() = false", tt.body, ok)
		}
		e := newErrorFromEnvelope("GET", "/api/v1/x", 200, &env)
		checkSentinels(t, e, tt.is)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{StatusCode: 403, Method: "GET", Endpoint: "/api/v1/instances.get", Type: "error-unauthorized", Message: "User does not have the permissions required for this action"},
			"rocketchat: GET /api/v1/instances.get: 403 Forbidden: error-unauthorized: User does not have the permissions required for this action"},
		{&Error{StatusCode: 401, Method: "GET", Endpoint: "/api/v1/me", Message: "You must be logged in to do this."},
			"rocketchat: GET /api/v1/me: 401 Unauthorized: You must be logged in to do this."},
		{&Error{StatusCode: 403, Method: "GET", Endpoint: "/api/v1/x", Type: "unauthorized", Message: "unauthorized"},
			"rocketchat: GET /api/v1/x: 403 Forbidden: unauthorized"},
		{&Error{StatusCode: 502, Method: "POST", Endpoint: "/api/v1/login"},
			"rocketchat: POST /api/v1/login: 502 Bad Gateway"},
		{&Error{StatusCode: 299, Method: "GET", Endpoint: "/api/v1/x"},
			"rocketchat: GET /api/v1/x: 299"},
		// A code or message that only restates the status is said once.
		{&Error{StatusCode: 404, Method: "GET", Endpoint: "/api/v1/x", Message: "404 Not Found"},
			"rocketchat: GET /api/v1/x: 404 Not Found"},
		{&Error{StatusCode: 404, Method: "GET", Endpoint: "/api/v1/x", Message: "404 page not found"},
			"rocketchat: GET /api/v1/x: 404 Not Found"},
		{&Error{StatusCode: 404, Method: "GET", Endpoint: "/api/v1/x", Message: "not found"},
			"rocketchat: GET /api/v1/x: 404 Not Found"},
		{&Error{StatusCode: 502, Method: "GET", Endpoint: "/api/v1/x", Message: "502 Bad Gateway"},
			"rocketchat: GET /api/v1/x: 502 Bad Gateway"},
		{&Error{StatusCode: 401, Method: "POST", Endpoint: "/api/v1/login", Type: "Unauthorized", Message: "Unauthorized"},
			"rocketchat: POST /api/v1/login: 401 Unauthorized"},
		{&Error{StatusCode: 404, Method: "GET", Endpoint: "/api/v1/x", Message: "Resource not found"},
			"rocketchat: GET /api/v1/x: 404 Not Found: Resource not found"},
		{&Error{StatusCode: 404, Method: "GET", Endpoint: "/api/v1/x", Message: "404 Not Found here"},
			"rocketchat: GET /api/v1/x: 404 Not Found: 404 Not Found here"},
		{&Error{StatusCode: 299, Method: "GET", Endpoint: "/api/v1/x", Message: "299"},
			"rocketchat: GET /api/v1/x: 299: 299"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestErrorRetryAfter reads the rate-limit window from the server's clock.
func TestErrorRetryAfter(t *testing.T) {
	serverNow := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := http.Header{}
	h.Set("Date", serverNow.Format(http.TimeFormat))
	h.Set("X-RateLimit-Reset", "1767323068000") // serverNow + 23 s
	// The local clock is an hour off; the server's Date is what counts.
	got := newError("GET", "/api/v1/x", 429, h, readTestdata(t, "error_429.json"), serverNow.Add(time.Hour))
	if got.RetryAfter != 23*time.Second {
		t.Errorf("RetryAfter = %v, want 23s", got.RetryAfter)
	}
}

func TestSplitCode(t *testing.T) {
	tests := []struct{ in, code, text string }{
		{"Reason [error-x]", "error-x", "Reason"},
		{"Reason", "", "Reason"},
		{"[error-x]", "error-x", ""},
		{"has [two words]", "", "has [two words]"},
		{"no open]", "", "no open]"},
	}
	for _, tt := range tests {
		code, text := splitCode(tt.in)
		if code != tt.code || text != tt.text {
			t.Errorf("splitCode(%q) = %q, %q; want %q, %q", tt.in, code, text, tt.code, tt.text)
		}
	}
}
