package rocketchat

import (
	"context"
	"errors"
	"iter"
	"net/url"
)

// userAnswer is the answer of users.info.
type userAnswer struct {
	verdict `json:",inline"`
	User    *User `json:"user"`
}

func (a *userAnswer) check() error {
	if a.User == nil || a.User.ID == "" {
		return errNoUser
	}
	return nil
}

// User returns a user by ID (GET /api/v1/users.info?userId=). An unknown
// user fails with an *Error (400, "User not found.").
func (c *Client) User(ctx context.Context, userID string) (*User, error) {
	if userID == "" {
		return nil, errors.New("rocketchat: User: empty user ID")
	}
	return c.userInfo(ctx, url.Values{"userId": {userID}})
}

// UserByName returns a user by username (GET
// /api/v1/users.info?username=).
func (c *Client) UserByName(ctx context.Context, username string) (*User, error) {
	if username == "" {
		return nil, errors.New("rocketchat: UserByName: empty username")
	}
	return c.userInfo(ctx, url.Values{"username": {username}})
}

func (c *Client) userInfo(ctx context.Context, query url.Values) (*User, error) {
	var out userAnswer
	if err := c.get(ctx, "v1/users.info", query, &out); err != nil {
		return nil, err
	}
	u := out.User.normalized()
	return &u, nil
}

// normalized returns u with the lists and maps the answer held empty set
// to nil.
func (u User) normalized() User {
	u.Roles, u.Emails = nilIfEmpty(u.Roles), nilIfEmpty(u.Emails)
	if len(u.CustomFields) == 0 {
		u.CustomFields = nil
	}
	return u
}

// toUser converts one item of a list of users.
func toUser(u *User) (User, error) { return u.normalized(), nil }

// Users walks the workspace's users (GET /api/v1/users.list, 100 a page),
// fetching each page as the caller ranges on. It needs the view-d-room
// permission. An error ends the walk as the last pair.
func (c *Client) Users(ctx context.Context) iter.Seq2[User, error] {
	return paged(ctx, "Users", nil, func(ctx context.Context, q url.Values) ([]User, int, error) {
		out := struct {
			verdict `json:",inline"`
			Users   list[User, User] `json:"users"`
			Total   int              `json:"total"`
		}{Users: newList(c.maxBytes, toUser), Total: -1}
		if err := c.get(ctx, "v1/users.list", q, &out); err != nil {
			return nil, 0, err
		}
		return out.Users.items, out.Total, nil
	})
}
