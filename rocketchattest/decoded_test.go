package rocketchattest_test

import (
	"context"
	"testing"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
	"github.com/google/go-cmp/cmp"
)

// TestDecodedInstances checks DecodedInstances against what the client
// decodes from the same server, in every generation that has
// instances.get.
func TestDecodedInstances(t *testing.T) {
	for _, v := range []string{"3.18.7", "5.4.2", "6.13.1", "7.10.0", "8.8.1", "9.0.0"} {
		t.Run(v, func(t *testing.T) {
			srv := rocketchattest.NewServer(rocketchattest.WithVersion(v),
				rocketchattest.WithUser(rocketchattest.User{Username: "admin", Password: "pw", Roles: []string{"admin"}}))
			t.Cleanup(srv.Close)
			id, tok := srv.PersonalAccessToken("admin")
			c, err := rocketchat.NewClient(srv.URL, rocketchat.WithHTTPClient(srv.Client()),
				rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: tok}))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Instances(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(srv.DecodedInstances(), got); diff != "" {
				t.Errorf("DecodedInstances differs from what the client decodes (-want +got):\n%s", diff)
			}
			if cmp.Equal(srv.Instances(), got) == (v[0] < '6') {
				t.Errorf("Instances equal to the decoded list: %v, want %v", cmp.Equal(srv.Instances(), got), v[0] >= '6')
			}
		})
	}
}
