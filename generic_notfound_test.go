package rocketchat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// TestNotFoundSaysItOnce: a 404 reads "404 Not Found" once, whatever page
// answered it, and an endpoint given without its version is told how
// endpoints are named.
func TestNotFoundSaysItOnce(t *testing.T) {
	ctx := context.Background()
	for _, g := range generations {
		t.Run(g.version, func(t *testing.T) {
			srv := rocketchattest.NewServer(rocketchattest.WithVersion(g.version),
				rocketchattest.WithUser(rocketchattest.User{Username: "bob", Password: "bob-pw"}))
			defer srv.Close()
			id, token := srv.PersonalAccessToken("bob")
			c := newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}))

			var out map[string]any
			err := c.Get(ctx, "channels.members", nil, &out)
			const want = `rocketchat: GET /api/channels.members: 404 Not Found: endpoints are named with their version, as in "v1/channels.members"`
			if err == nil || err.Error() != want || !errors.Is(err, rocketchat.ErrNotFound) {
				t.Errorf("Get without the version:\n got %v\nwant %s (matching ErrNotFound)", err, want)
			}
			err = c.Post(ctx, "chat.postMessage", map[string]string{"channel": "#general", "text": "hi"}, nil)
			const wantPost = `rocketchat: POST /api/chat.postMessage: 404 Not Found: endpoints are named with their version, as in "v1/chat.postMessage"`
			if err == nil || err.Error() != wantPost {
				t.Errorf("Post without the version:\n got %v\nwant %s", err, wantPost)
			}

			err = c.Get(ctx, "v1/channels.nowhere", nil, &out)
			if err == nil || err.Error() != "rocketchat: GET /api/v1/channels.nowhere: 404 Not Found" {
				t.Errorf("Get of an unknown endpoint: %v; want the status said once", err)
			}
		})
	}
}

// TestNotFoundFromGoMux: a test server built on http.ServeMux answers
// "404 page not found"; the error says it once too.
func TestNotFoundFromGoMux(t *testing.T) {
	srv := httptest.NewServer(http.NewServeMux())
	defer srv.Close()
	c := newClient(t, srv.URL)
	err := c.Get(context.Background(), "channels.members", nil, nil)
	const want = `rocketchat: GET /api/channels.members: 404 Not Found: endpoints are named with their version, as in "v1/channels.members"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	err = c.Delete(context.Background(), "v1/email-inbox/x", nil, nil)
	var e *rocketchat.Error
	if !errors.As(err, &e) || err.Error() != "rocketchat: DELETE /api/v1/email-inbox/x: 404 Not Found" || e.Message != "404 page not found" {
		t.Errorf("got %v (Message %q); want the status said once, and the page kept in Message", err, e.Message)
	}
}
