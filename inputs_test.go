package rocketchat_test

import (
	"context"
	"errors"
	"testing"

	"github.com/go-rocketchat/rocketchat"
)

// TestMessageCallsCheckInput sends nothing for empty IDs.
func TestMessageCallsCheckInput(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client()
	ctx := context.Background()
	calls := map[string]func() error{
		"Message":                func() error { _, err := c.Message(ctx, ""); return err },
		"UpdateMessage no room":  func() error { _, err := c.UpdateMessage(ctx, "", "m", "x"); return err },
		"UpdateMessage no msg":   func() error { _, err := c.UpdateMessage(ctx, "r", "", "x"); return err },
		"DeleteMessage no room":  func() error { return c.DeleteMessage(ctx, "", "m") },
		"DeleteMessage no msg":   func() error { return c.DeleteMessage(ctx, "r", "") },
		"React no message":       func() error { return c.React(ctx, "", "smile", true) },
		"React no emoji":         func() error { return c.React(ctx, "m", "", true) },
		"Room":                   func() error { _, err := c.Room(ctx, ""); return err },
		"RoomByName":             func() error { _, err := c.RoomByName(ctx, ""); return err },
		"CreateDirectMessage":    func() error { _, err := c.CreateDirectMessage(ctx); return err },
		"CreateDirectMessage ''": func() error { _, err := c.CreateDirectMessage(ctx, "alice", ""); return err },
		"CreateDirectMessage ,":  func() error { _, err := c.CreateDirectMessage(ctx, "alice,bob"); return err },
		"User":                   func() error { _, err := c.User(ctx, ""); return err },
		"UserByName":             func() error { _, err := c.UserByName(ctx, ""); return err },
		"History": func() error {
			for _, err := range c.History(ctx, "") {
				return err
			}
			return nil
		},
	}
	for name, call := range calls {
		err := call()
		var e *rocketchat.Error
		if err == nil || errors.As(err, &e) {
			t.Errorf("%s: err = %v, want an input error", name, err)
		}
	}
	if n := len(f.sent()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
