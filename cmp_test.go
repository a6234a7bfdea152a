package rocketchat_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

// TestValueTypesCompareWithCmp: every exported value type can be compared
// with cmp.Diff without options (go-cmp panics on unexported fields).
func TestValueTypesCompareWithCmp(t *testing.T) {
	for _, pair := range [][2]any{
		{&rocketchat.Error{StatusCode: 401, Type: "x", TwoFactor: &rocketchat.TwoFactorChallenge{Method: "totp"}}, &rocketchat.Error{StatusCode: 403}},
		{rocketchat.Instance{ID: "a"}, rocketchat.Instance{ID: "b"}},
		{rocketchat.OS{CPUs: 1}, rocketchat.OS{}},
		{&rocketchat.User{ID: "a", Emails: []rocketchat.Email{{Address: "a@b"}}}, &rocketchat.User{}},
		{&rocketchat.ServerInfo{Version: "8.8"}, &rocketchat.ServerInfo{}},
		{rocketchat.Credentials{UserID: "u"}, rocketchat.Credentials{}},
		{rocketchat.TwoFactorChallenge{Method: "email"}, rocketchat.TwoFactorChallenge{}},
		{&rocketchat.Message{ID: "m", Attachments: []rocketchat.Attachment{{Fields: []rocketchat.AttachmentField{{Title: "t"}}}}}, &rocketchat.Message{}},
		{rocketchat.UserRef{ID: "u"}, rocketchat.UserRef{}},
		{rocketchat.NewMessage{Text: "hi"}, rocketchat.NewMessage{}},
		{&rocketchat.Room{ID: "r"}, &rocketchat.Room{}},
		{&rocketchat.Statistics{Version: "8.8.1"}, &rocketchat.Statistics{}},
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("cmp.Diff on %T panicked: %v", pair[0], r)
				}
			}()
			if cmp.Diff(pair[0], pair[1]) == "" {
				t.Errorf("cmp.Diff found no difference between two different %T", pair[0])
			}
		}()
	}
}
