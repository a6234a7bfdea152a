package rocketchattest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Accounts most tests use.
var (
	adminUser = User{Username: "admin", Password: "secret", Email: "admin@example.com", EmailVerified: true, Name: "Admin", Roles: []string{"admin"}}
	bobUser   = User{Username: "bob", Password: "bobpass", Email: "bob@example.com"}
)

func newTestServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// answer is what a test reads back from a request.
type answer struct {
	status int
	header http.Header
	body   string
}

// call sends a request; headers come in pairs: name, value, name, value.
func call(t *testing.T, srv *Server, method, endpoint, body string, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+"/api/"+endpoint, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, endpoint, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, endpoint, err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// auth returns the credential headers for call.
func auth(userID, token string) []string {
	return []string{"X-User-Id", userID, "X-Auth-Token", token}
}

// login logs in by password and returns the credentials.
func login(t *testing.T, srv *Server, user, password string) (string, string) {
	t.Helper()
	a := call(t, srv, http.MethodPost, "v1/login", `{"user":"`+user+`","password":"`+password+`"}`)
	if a.status != http.StatusOK {
		t.Fatalf("login %s: %d %s", user, a.status, a.body)
	}
	var out struct {
		Data struct{ UserID, AuthToken string }
	}
	if err := json.Unmarshal([]byte(a.body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Data.UserID, out.Data.AuthToken
}

// wantAnswer checks status and exact body (key order included).
func wantAnswer(t *testing.T, got answer, status int, body string) {
	t.Helper()
	if got.status != status || got.body != body {
		t.Errorf("answer = %d %s\nwant     %d %s", got.status, got.body, status, body)
	}
}

// decode unmarshals a JSON body into a generic value.
func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	return v
}

// wantJSONValue compares a decoded body with the wanted value.
func wantJSONValue(t *testing.T, got, want map[string]any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}
