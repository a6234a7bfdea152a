package rocketchat_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

// The typed calls get the 2FA, retry, error and secrecy rules from the
// shared get and post; these tests show it on a few of them.

// failFirst answers the first request with status and a testdata file,
// the later ones with then.
func failFirst(t *testing.T, status int, file string, then http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, status, testdataFile(t, file))
			return
		}
		then(w, r)
	}
}

var reactOK http.HandlerFunc = func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, []byte(`{"success":true}`)) }

// TestTypedPOSTRetry repeats a POST after a 429, which the rate limiter
// answers before the endpoint runs, and never after a 5xx, when the
// endpoint may have run.
func TestTypedPOSTRetry(t *testing.T) {
	body := `{"messageId":"7aDSXtjMA3KPLxLjt","emoji":"smile","shouldReact":true}`
	t.Run("429 is repeated", func(t *testing.T) {
		f := newFakeAPI(t)
		f.handle("v1/chat.react", failFirst(t, 429, "error_429.json", reactOK))
		if err := f.client().React(context.Background(), "7aDSXtjMA3KPLxLjt", "smile", true); err != nil {
			t.Fatal(err)
		}
		want := []sentRequest{wantPost("v1/chat.react", body), wantPost("v1/chat.react", body)}
		if diff := cmp.Diff(want, f.sent()); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})
	for status, file := range map[int]string{500: "error_500.json", 502: "error_502_nginx.html", 503: "error_503.json"} {
		t.Run(http.StatusText(status)+" is not repeated", func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("v1/chat.react", failFirst(t, status, file, reactOK))
			err := f.client().React(context.Background(), "7aDSXtjMA3KPLxLjt", "smile", true)
			var e *rocketchat.Error
			if !errors.As(err, &e) || e.StatusCode != status {
				t.Errorf("err = %v, want the %d", err, status)
			}
			if n := len(f.sent()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// TestTypedGETRetry repeats a GET after a 503.
func TestTypedGETRetry(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("v1/rooms.info", failFirst(t, 503, "error_503.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, testdataFile(t, "rooms_info.json"))
	}))
	room, err := f.client().Room(context.Background(), "66ed2dba40141d95f32c292b")
	if err != nil || room.Name != "new-channel" {
		t.Fatalf("Room = %v, %v", room, err)
	}
	q := url.Values{"roomId": {"66ed2dba40141d95f32c292b"}}
	if diff := cmp.Diff([]sentRequest{wantGet("v1/rooms.info", q), wantGet("v1/rooms.info", q)}, f.sent()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestTypedTwoFactor answers an endpoint's 2FA challenge through the
// handler and repeats the request once with the code and the same body.
func TestTypedTwoFactor(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("v1/chat.react", failFirst(t, 400, "error_totp_required_endpoint.json", reactOK))
	var asked []rocketchat.TwoFactorChallenge
	c := f.client(rocketchat.WithTwoFactor(func(_ context.Context, ch rocketchat.TwoFactorChallenge) (string, error) {
		asked = append(asked, ch)
		return "hunter2", nil
	}))
	if err := c.React(context.Background(), "7aDSXtjMA3KPLxLjt", "smile", false); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0].Method != "password" {
		t.Errorf("handler asked %+v", asked)
	}
	body := `{"messageId":"7aDSXtjMA3KPLxLjt","emoji":"smile","shouldReact":false}`
	sum := sha256.Sum256([]byte("hunter2"))
	second := wantPost("v1/chat.react", body)
	second.TwoFactorCode = hex.EncodeToString(sum[:])
	if diff := cmp.Diff([]sentRequest{wantPost("v1/chat.react", body), second}, f.sent()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestTypedTwoFactorWithoutHandler returns the challenge as an error.
func TestTypedTwoFactorWithoutHandler(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/statistics", 400, "error_totp_required_endpoint.json")
	_, err := f.client().Statistics(context.Background())
	if !errors.Is(err, rocketchat.ErrTwoFactorRequired) {
		t.Errorf("err = %v, want ErrTwoFactorRequired", err)
	}
}

// TestTypedErrorsKeepSecrets: no token, and no query (which holds the
// looked-up name), in an error or its text.
func TestTypedErrorsKeepSecrets(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/users.info", 400, "error_users_info_not_found.json")
	_, err := f.client().UserByName(context.Background(), "very-private-name")
	var e *rocketchat.Error
	if !errors.As(err, &e) || e.Endpoint != "/chat/api/v1/users.info" {
		t.Fatalf("err = %v", err)
	}
	for _, secret := range []string{fakeToken, "very-private-name", "username="} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows %q: %v", secret, err)
		}
	}
}
