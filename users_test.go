package rocketchat_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

func TestUser(t *testing.T) {
	want := &rocketchat.User{
		ID: "5fRTXMt7DMJbpPJfh", Username: "test.john", Name: "Test John", Type: "user",
		Status: "offline", StatusConnection: "offline", Active: true, Roles: []string{"user", "admin"},
		Emails: []rocketchat.Email{{Address: "test.john@test.com", Verified: true}}, UTCOffset: 1,
	}
	for _, tt := range []struct {
		name  string
		call  func(*rocketchat.Client) (*rocketchat.User, error)
		query url.Values
	}{
		{"by ID", func(c *rocketchat.Client) (*rocketchat.User, error) {
			return c.User(context.Background(), "5fRTXMt7DMJbpPJfh")
		},
			url.Values{"userId": {"5fRTXMt7DMJbpPJfh"}}},
		{"by name", func(c *rocketchat.Client) (*rocketchat.User, error) {
			return c.UserByName(context.Background(), "test.john")
		},
			url.Values{"username": {"test.john"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.answer("v1/users.info", http.StatusOK, "users_info.json")
			got, err := tt.call(f.client())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("user (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]sentRequest{wantGet("v1/users.info", tt.query)}, f.sent()); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserNotFound(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/users.info", 400, "error_users_info_not_found.json")
	_, err := f.client().User(context.Background(), "nobody")
	var e *rocketchat.Error
	if !errors.As(err, &e) || e.StatusCode != 400 || e.Message != "User not found." {
		t.Errorf("err = %v", err)
	}
}

func TestUsers(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/users.list", http.StatusOK, "users_list.json")
	var got []rocketchat.User
	for u, err := range f.client().Users(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u)
	}
	want := []rocketchat.User{{
		ID: "DGsmi2J4WjizYn7jc", Username: "uniqueusername", Name: "name", Type: "user", Status: "offline", Active: true,
		Roles: []string{"bot", "user"}, Emails: []rocketchat.Email{{Address: "email@user.tld"}},
	}, {
		ID: "uZ5JvvioeHK8Coyqe", Username: "user-0", Type: "user", Status: "offline", Active: true, Roles: []string{"anonymous", "user"},
	}, {
		ID: "aspKK7FHe7iQgzexX", Username: "user-00", Name: "User 00", Type: "user", Status: "offline", Active: true,
		Roles: []string{"anonymous", "user"}, Emails: []rocketchat.Email{{Address: "user00@mail.cm"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Users (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]sentRequest{wantGet("v1/users.list", url.Values{"count": {"100"}, "offset": {"0"}})}, f.sent()); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

// userItems returns n users shaped like users.list's items.
func userItems(n int) []map[string]any {
	items := make([]map[string]any, n)
	for i := range items {
		items[i] = map[string]any{
			"_id": "user" + itoa(i), "username": "user-" + itoa(i), "name": "User " + itoa(i), "type": "user", "status": "offline",
			"active": true, "roles": []string{"user"}, "lastLogin": "2023-05-12T10:44:46.703Z", "nameInsensitive": "user " + itoa(i),
			"emails": []map[string]any{{"address": "user" + itoa(i) + "@mail.cm", "verified": false}},
		}
	}
	return items
}

func TestUsersPaging(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("v1/users.list", pagedHandler(t, "users", userItems(1000), true))
	n := 0
	for u, err := range f.client().Users(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != "user"+itoa(n) {
			t.Fatalf("user %d is %q", n, u.ID)
		}
		n++
	}
	if n != 1000 || len(f.sent()) != 10 {
		t.Errorf("%d users in %d requests; want 1000 in 10", n, len(f.sent()))
	}
}
