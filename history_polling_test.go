package rocketchat_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// pollingServer is a server with a public channel and a private group
// holding a message each, and a client of bob, a member of both.
func pollingServer(t *testing.T) (*rocketchattest.Server, *rocketchat.Client) {
	t.Helper()
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "bob", Password: "bob-pw"}),
		rocketchattest.WithRoom(rocketchattest.Room{Name: "ops", Members: []string{"bob"}}),
		rocketchattest.WithRoom(rocketchattest.Room{Name: "secret", Type: "p", Members: []string{"bob"}}),
	)
	t.Cleanup(srv.Close)
	srv.AddMessage(rocketchattest.Message{RoomID: srv.RoomID("ops"), Username: "bob", Text: "deploy done"})
	srv.AddMessage(rocketchattest.Message{RoomID: srv.RoomID("secret"), Username: "bob", Text: "psst"})
	id, token := srv.PersonalAccessToken("bob")
	return srv, newClient(t, srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}))
}

// pollHistory walks a room's history once, as a bot's poll does, and
// returns the texts.
func pollHistory(t *testing.T, c *rocketchat.Client, roomID string) []string {
	t.Helper()
	var texts []string
	for m, err := range c.History(context.Background(), roomID) {
		if err != nil {
			t.Fatalf("History: %v", err)
		}
		texts = append(texts, m.Text)
	}
	return texts
}

// TestHistoryPollingAsksRoomTypeOnce: a bot polling rooms spends one
// request a poll; the room's type is asked once per room.
func TestHistoryPollingAsksRoomTypeOnce(t *testing.T) {
	srv, c := pollingServer(t)
	for _, room := range []struct{ name, history, text string }{
		{"ops", "v1/channels.history", "deploy done"},
		{"secret", "v1/groups.history", "psst"},
	} {
		for range 5 {
			if got := pollHistory(t, c, srv.RoomID(room.name)); len(got) != 1 || got[0] != room.text {
				t.Fatalf("History of %s = %q, want [%q]", room.name, got, room.text)
			}
		}
		if n := len(srv.Calls(room.history)); n != 5 {
			t.Errorf("%s: %d calls to %s, want 5", room.name, n, room.history)
		}
	}
	if n := len(srv.Calls("v1/rooms.info")); n != 2 {
		t.Errorf("%d calls to rooms.info for five polls of two rooms, want 2 (one a room)", n)
	}
}

// TestHistoryForgetsRoomTypeAfterFailure: a walk whose first page fails
// (as it does for a channel since turned private) asks the type again
// on the next walk.
func TestHistoryForgetsRoomTypeAfterFailure(t *testing.T) {
	srv, c := pollingServer(t)
	ops := srv.RoomID("ops")
	pollHistory(t, c, ops)
	srv.Fail("v1/channels.history", 1, rocketchattest.Fault{Status: http.StatusBadRequest,
		Body: `{"success":false,"error":"The required \"roomId\" or \"roomName\" param provided does not match any channel [error-room-not-found]","errorType":"error-room-not-found"}`})
	failed := false
	for _, err := range c.History(context.Background(), ops) {
		failed = err != nil
	}
	if !failed {
		t.Fatal("the walk did not fail")
	}
	pollHistory(t, c, ops)
	if n := len(srv.Calls("v1/rooms.info")); n != 2 {
		t.Errorf("%d calls to rooms.info, want 2: the first walk, and the one after the failure", n)
	}
}
