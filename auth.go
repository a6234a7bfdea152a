package rocketchat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/go-json-experiment/json"

	"github.com/go-rocketchat/rocketchat/internal/retry"
)

// Credentials authenticate calls: a user's ID and either a login token
// (from [Client.Login]) or a personal access token. They travel as the
// X-User-Id and X-Auth-Token headers.
//
// The token does not print: String, GoString, Format and LogValue (slog's
// text handler) show only whether it is set, for a Credentials value or
// pointer and inside slices, arrays, maps and exported struct fields.
// fmt calls Format for every verb except two: %p and %w, which it
// reports as misused by printing the operand's fields raw (go vet flags
// both, and %p of a pointer prints only the address). Nor can fmt call
// Format on a Credentials in an unexported struct field, which it prints
// raw; and encoding/json (slog's JSON handler too) marshals the token, so
// that programs can store it. Keep Credentials out of those.
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

// Format prints the credentials with the token redacted, for every verb
// that fmt hands to it (all but %p and %w, see [Credentials]).
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

// check refuses credentials that cannot be sent as header values.
func (c Credentials) check() error {
	if !validHeaderValue(c.UserID) {
		return fmt.Errorf("user ID: %w", retry.ErrInvalidHeader)
	}
	if !validHeaderValue(c.Token) {
		return fmt.Errorf("token: %w", retry.ErrInvalidHeader)
	}
	return nil
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
//
// SetCredentials cannot fail. Credentials that cannot be sent as header
// values (a CR, LF, NUL or other control character, see [WithCredentials])
// are stored, and every call that would carry them fails at once,
// without sending anything and without retrying, with an error that names
// the header (never its value), until they are replaced.
func (c *Client) SetCredentials(creds Credentials) {
	c.creds.Store(&creds)
}

// loginRequest is the body of POST /api/v1/login.
type loginRequest struct {
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
	Resume   string `json:"resume,omitempty"`
	Code     string `json:"code,omitempty"`
}

// loginResponse is the login answer, with or without "success" (7.x+
// adds it).
type loginResponse struct {
	verdict `json:",inline"`
	Data    struct {
		UserID    string `json:"userId"`
		AuthToken string `json:"authToken"`
		Me        User   `json:"me"`
	} `json:"data"`
}

func (a *loginResponse) check() error {
	if a.Data.UserID == "" || a.Data.AuthToken == "" {
		return errNoCredentials
	}
	return nil
}

var errNoCredentials = errors.New("login answer without userId or authToken")

// Login logs in with a username or e-mail address and a password
// (POST /api/v1/login), stores the new credentials in the client and
// returns the user.
//
// Each login creates a new token on the server. A program that runs often
// should log in once and reuse the token ([Client.Credentials],
// [WithCredentials], [Client.Resume]) or use a personal access token.
//
// When the server demands a second factor, the [TwoFactorHandler] given
// with [WithTwoFactor] is asked for a code; without one the call fails
// with an *Error matching [ErrTwoFactorRequired]. Wrong credentials fail
// with [ErrUnauthorized] and store nothing; the password appears in no
// error or log. The login is repeated only after a 429 (the rate limiter
// runs before the login does), never after a failure that it may have
// survived.
func (c *Client) Login(ctx context.Context, user, password string) (*User, error) {
	if user == "" || password == "" {
		return nil, errors.New("rocketchat: Login: empty user or password")
	}
	return c.login(ctx, loginRequest{User: user, Password: password})
}

// Resume logs in again with a token already held (POST /api/v1/login with
// {"resume": token}), stores the credentials it returns and returns the
// user. It fails with [ErrUnauthorized] when the token has expired or was
// logged out.
func (c *Client) Resume(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, errors.New("rocketchat: Resume: empty token")
	}
	return c.login(ctx, loginRequest{Resume: token})
}

func (c *Client) login(ctx context.Context, in loginRequest) (*User, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	r := &request{
		method:   http.MethodPost,
		endpoint: "v1/login",
		body:     body,
		login:    true,
		withCode: func(code string) ([]byte, error) {
			in.Code = code
			return json.Marshal(in)
		},
	}
	var out loginResponse
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	c.SetCredentials(Credentials{UserID: out.Data.UserID, Token: out.Data.AuthToken})
	me := out.Data.Me.normalized()
	if me.ID == "" {
		me.ID = out.Data.UserID
	}
	return &me, nil
}

// Logout ends the session of the stored login token (POST
// /api/v1/logout); the token is dead on the server afterwards. The client
// then holds no credentials and sends none, unless other credentials were
// set while the call ran. An answer of 401 (the token was already dead)
// also clears them; other failures keep them, so the call can be repeated.
//
// A personal access token is not ended by a logout: remove it in the
// user's account settings.
func (c *Client) Logout(ctx context.Context) error {
	held := c.creds.Load()
	err := c.do(ctx, &request{method: http.MethodPost, endpoint: "v1/logout"}, nil)
	if err == nil || errors.Is(err, ErrUnauthorized) {
		c.creds.CompareAndSwap(held, nil)
	}
	return err
}

// meResponse is the answer of GET /api/v1/me: the user, flat.
type meResponse struct {
	verdict `json:",inline"`
	User    `json:",inline"`
}

func (a *meResponse) check() error {
	if a.User.ID == "" {
		return errNoUser
	}
	return nil
}

// Me returns the user the credentials belong to (GET /api/v1/me). It fails
// with [ErrUnauthorized] without valid credentials.
func (c *Client) Me(ctx context.Context) (*User, error) {
	var out meResponse
	if err := c.get(ctx, "v1/me", nil, &out); err != nil {
		return nil, err
	}
	u := out.User.normalized()
	return &u, nil
}

var errNoUser = errors.New("answer without a user")
