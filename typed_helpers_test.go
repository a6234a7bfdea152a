package rocketchat_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-rocketchat/rocketchat"
)

// The typed calls' tests talk to fakeAPI: a loopback server under the
// sub-path /chat that records every request and answers each endpoint
// with a real answer body (from testdata/) or with a handler.

const (
	fakeUserID = "u1"
	fakeToken  = "t1-secret-token"
)

// sentRequest is what the server received.
type sentRequest struct {
	Method, Path  string
	Query         url.Values
	Body          string
	UserID, Token string
	TwoFactorCode string // X-2fa-Code
}

type fakeAPI struct {
	*httptest.Server
	t        *testing.T
	mu       sync.Mutex
	requests []sentRequest
	routes   map[string]http.HandlerFunc // by path below /chat/api/
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, routes: map[string]http.HandlerFunc{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, sentRequest{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(body),
		UserID: r.Header.Get("X-User-Id"), Token: r.Header.Get("X-Auth-Token"),
		TwoFactorCode: r.Header.Get("X-2fa-Code"),
	})
	h := f.routes[strings.TrimPrefix(r.URL.Path, "/chat/api/")]
	f.mu.Unlock()
	if h == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(testdataFile(f.t, "error_404.json"))
		return
	}
	h(w, r)
}

// handle routes an endpoint ("v1/chat.postMessage") to h.
func (f *fakeAPI) handle(endpoint string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[endpoint] = h
}

// answer makes an endpoint answer status with a testdata file.
func (f *fakeAPI) answer(endpoint string, status int, file string) {
	body := testdataFile(f.t, file)
	f.handle(endpoint, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) })
}

// sent returns the requests received so far.
func (f *fakeAPI) sent() []sentRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentRequest(nil), f.requests...)
}

// client returns a client of the server under /chat with credentials
// and millisecond retry waits.
func (f *fakeAPI) client(opts ...rocketchat.Option) *rocketchat.Client {
	f.t.Helper()
	return newClient(f.t, f.URL+"/chat", append([]rocketchat.Option{
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: fakeUserID, Token: fakeToken}),
	}, opts...)...)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func testdataFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantGet is the request a typed GET call is expected to send.
func wantGet(endpoint string, query url.Values) sentRequest {
	return sentRequest{Method: "GET", Path: "/chat/api/" + endpoint, Query: query, UserID: fakeUserID, Token: fakeToken}
}

// wantPost is the request a typed POST call is expected to send.
func wantPost(endpoint, body string) sentRequest {
	return sentRequest{Method: "POST", Path: "/chat/api/" + endpoint, Query: url.Values{}, Body: body, UserID: fakeUserID, Token: fakeToken}
}
