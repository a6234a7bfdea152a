package rocketchat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// corpusBody reads the body of a real answer of testdata/answers.
func corpusBody(t *testing.T, file string) json.RawMessage {
	t.Helper()
	data, err := os.ReadFile("testdata/answers/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var a struct{ Body json.RawMessage }
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	return a.Body
}

// TestPutAndDelete: the verb, path, body or query reach the server behind
// its authentication and second factor; a 503 is retried (both verbs are
// idempotent), a failure is an *Error, and the answers, real ones from
// the OpenAPI examples, are decoded.
func TestPutAndDelete(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "alice", Roles: []string{"admin"}, TOTPSecret: secret}),
		// A code on every call, so that each verb meets the challenge.
		rocketchattest.WithTwoFactorRememberFor(0),
	)
	defer srv.Close()
	putOK := corpusBody(t, "abac_attributes__id_put_200.json")
	putFailed := corpusBody(t, "abac_attributes__id_put_400_error-attribute-not-found.json")
	deleted := corpusBody(t, "email-inbox__id_delete_200.json")
	write := func(w http.ResponseWriter, status int, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
	srv.HandleFunc("v1/abac/attributes/attr1", func(w http.ResponseWriter, r *http.Request) {
		write(w, http.StatusOK, putOK)
	})
	srv.HandleFunc("v1/abac/attributes/missing", func(w http.ResponseWriter, r *http.Request) {
		write(w, http.StatusBadRequest, putFailed)
	})
	srv.HandleFunc("v1/email-inbox/61717dd1066bc500096cb36d", func(w http.ResponseWriter, r *http.Request) {
		write(w, http.StatusOK, deleted)
	})
	srv.RequireTwoFactor("v1/abac/attributes/attr1", "v1/email-inbox/61717dd1066bc500096cb36d")
	id, token := srv.PersonalAccessToken("alice")
	c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}),
		rocketchat.WithTwoFactor(rocketchat.TOTP(secret)))
	ctx := context.Background()

	// PUT: a 503 first, then the challenge, then the answer.
	unavailable, err := os.ReadFile("testdata/error_503.json")
	if err != nil {
		t.Fatal(err)
	}
	srv.Fail("v1/abac/attributes/attr1", 1, rocketchattest.Fault{Status: http.StatusServiceUnavailable, Body: string(unavailable)})
	in := map[string]any{"key": "department", "values": []string{"sales"}}
	var out map[string]any
	if err := c.Put(ctx, "v1/abac/attributes/attr1", in, &out); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if diff := cmp.Diff(map[string]any{"success": true}, out); diff != "" {
		t.Errorf("Put answer (-want +got):\n%s", diff)
	}
	calls := srv.Calls("v1/abac/attributes/attr1")
	if len(calls) != 3 {
		t.Fatalf("PUT sent %d times, want 3 (503, challenge, answer)", len(calls))
	}
	for i, call := range calls {
		if call.Method != http.MethodPut || string(call.Body) != `{"key":"department","values":["sales"]}` {
			t.Errorf("attempt %d: %s %s", i+1, call.Method, call.Body)
		}
	}
	if got := []int{calls[0].Status, calls[1].Status, calls[2].Status}; !cmp.Equal(got, []int{503, 400, 200}) {
		t.Errorf("statuses %v, want 503, 400 (totp-required), 200", got)
	}

	// A failure answer is an *Error naming the verb.
	err = c.Put(ctx, "v1/abac/attributes/missing", in, nil)
	var e *rocketchat.Error
	if !errors.As(err, &e) || e.Method != http.MethodPut || e.StatusCode != 400 || e.Type != "error-attribute-not-found" {
		t.Errorf("Put failure: %v, want a PUT 400 error-attribute-not-found *Error", err)
	}
	if n := srv.Requests("v1/abac/attributes/missing"); n != 1 {
		t.Errorf("a 400 was sent %d times, want 1", n)
	}

	// DELETE: the query, a 503 retried, the challenge, the answer.
	srv.Fail("v1/email-inbox/61717dd1066bc500096cb36d", 1, rocketchattest.Fault{Status: http.StatusServiceUnavailable, Body: string(unavailable)})
	var gone struct {
		ID string `json:"_id"`
	}
	q := url.Values{"reason": {"moved"}}
	if err := c.Delete(ctx, "v1/email-inbox/61717dd1066bc500096cb36d", q, &gone); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if gone.ID != "61717dd1066bc500096cb36d" {
		t.Errorf("Delete answer: _id %q", gone.ID)
	}
	calls = srv.Calls("v1/email-inbox/61717dd1066bc500096cb36d")
	if len(calls) != 3 {
		t.Fatalf("DELETE sent %d times, want 3", len(calls))
	}
	for i, call := range calls {
		if call.Method != http.MethodDelete || call.Query.Get("reason") != "moved" || len(call.Body) != 0 {
			t.Errorf("attempt %d: %s ?%s body %q", i+1, call.Method, call.Query.Encode(), call.Body)
		}
	}
}
