package rocketchat

import (
	"fmt"
	"log/slog"
	"strconv"
)

// Credentials authenticate calls: a user's ID and either a login token
// (from [Client.Login]) or a personal access token. They travel as the
// X-User-Id and X-Auth-Token headers.
//
// The token never prints: String, GoString, Format (every fmt verb) and
// LogValue (every slog handler) show only whether it is set.
type Credentials struct {
	UserID string
	Token  string
}

const redacted = "[redacted]"

func (c Credentials) tokenText() string {
	if c.Token == "" {
		return ""
	}
	return redacted
}

// String returns the user ID and a redacted token.
func (c Credentials) String() string {
	return "{UserID:" + c.UserID + " Token:" + c.tokenText() + "}"
}

// GoString returns a Go-syntax form with the token redacted.
func (c Credentials) GoString() string {
	return "rocketchat.Credentials{UserID:" + strconv.Quote(c.UserID) + ", Token:" + strconv.Quote(c.tokenText()) + "}"
}

// Format prints the credentials for every fmt verb with the token
// redacted.
func (c Credentials) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(c.String()))
	default:
		fmt.Fprint(f, c.String())
	}
}

// LogValue logs the user ID and a redacted token.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user_id", c.UserID), slog.String("token", c.tokenText()))
}

// IsZero reports whether no credentials are set.
func (c Credentials) IsZero() bool { return c.UserID == "" && c.Token == "" }

// Credentials returns the credentials the client currently sends.
func (c *Client) Credentials() Credentials {
	if p := c.creds.Load(); p != nil {
		return *p
	}
	return Credentials{}
}

// SetCredentials replaces the credentials the client sends. It is safe to
// call while other goroutines use the client: each request reads the pair
// once, so no request carries the user ID of one pair and the token of
// another. Calls already sent keep the pair they started with.
func (c *Client) SetCredentials(creds Credentials) {
	c.creds.Store(&creds)
}
