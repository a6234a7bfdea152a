package rocketchattest

import (
	"encoding/json"
	"time"
)

// loginExpiration is Accounts_LoginExpiration: 90 days.
const loginExpiration = 90 * 24 * time.Hour

// ddpLogin is the login method's argument: a resume token, a password
// login, or a password login wrapped with a second-factor code.
type ddpLogin struct {
	Resume   json.RawMessage `json:"resume"`
	User     json.RawMessage `json:"user"`
	Password json.RawMessage `json:"password"`
	TOTP     *struct {
		Login json.RawMessage `json:"login"`
		Code  string          `json:"code"`
	} `json:"totp"`
}

// login is the login method as Meteor's accounts packages and
// Rocket.Chat's handlers run it, with the generation's errors.
func (c *rtConn) login(params []json.RawMessage) (any, object) {
	if len(params) == 0 {
		return nil, meteorErrorObject(400, "Match failed", nil)
	}
	var in ddpLogin
	if err := json.Unmarshal(params[0], &in); err != nil || params[0][0] != '{' {
		return nil, meteorErrorObject(400, "Match failed", nil)
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	code := ""
	if in.TOTP != nil {
		// The totp handler runs the wrapped login with the code.
		wrapped := in.TOTP.Login
		code = in.TOTP.Code
		in = ddpLogin{}
		if err := json.Unmarshal(wrapped, &in); err != nil {
			return nil, meteorErrorObject(400, "Match failed", nil)
		}
	}
	switch {
	case in.Resume != nil:
		tok, ok := jsonString(in.Resume)
		if !ok {
			return nil, meteorErrorObject(400, "Match failed", nil)
		}
		t := s.tokens[tok]
		var a *account
		if t != nil {
			a = s.userByIDLocked(t.userID)
		}
		if a == nil || a.Inactive {
			return nil, s.loginRefusal(403, msgResumeExpired)
		}
		// Resume logins skip the second factor.
		return c.loggedInLocked(a, tok, t, "resume"), nil
	case in.User != nil && in.Password != nil:
		var who struct{ ID, Username, Email *string }
		var fields map[string]any
		if json.Unmarshal(in.User, &fields) != nil || len(fields) != 1 || json.Unmarshal(in.User, &who) != nil {
			return nil, meteorErrorObject(400, "Match failed", nil)
		}
		var password any
		if json.Unmarshal(in.Password, &password) != nil {
			return nil, meteorErrorObject(400, "Match failed", nil)
		}
		var a *account
		switch {
		case who.ID != nil:
			a = s.userByIDLocked(*who.ID)
		case who.Username != nil:
			a = s.userByUsernameLocked(*who.Username)
		case who.Email != nil:
			a = s.userByEmailLocked(*who.Email)
		}
		if a == nil {
			return nil, s.loginRefusal(403, "User not found")
		}
		if !passwordMatches(a.Password, password) {
			reason := "User not found"
			if s.gen.incorrectPasswordLeaks {
				reason = "Incorrect password"
			}
			return nil, s.loginRefusal(403, reason)
		}
		// The second factor is checked after the password, and its errors
		// pass the 7.0 override untouched.
		if e := s.checkCodeLocked(a, code, "", false); e != nil {
			return nil, meteorErrorObject(e.code, e.reason, e.details)
		}
		tok := s.newTokenLocked(a, false)
		return c.loggedInLocked(a, tok, s.tokens[tok], "password"), nil
	default:
		return nil, meteorErrorObject(400, "Unrecognized options for login request", nil)
	}
}

// loginRefusal is a login handler's error as the generation reports
// it: Meteor's own 403 up to 6.x; from 7.0 Rocket.Chat replaces every
// login error with a 401.
func (s *Server) loginRefusal(code int, reason string) object {
	if s.gen.loginError401 {
		return meteorErrorObject(401, s.gen.loginError401Reason, nil)
	}
	return meteorErrorObject(code, reason, nil)
}

// loggedInLocked makes the session the user's and returns the login
// method's result. A session that gains a user first receives the
// user's document, as accounts-base publishes it to the session (the
// users collection's added frame, before the result).
func (c *rtConn) loggedInLocked(a *account, tok string, t *token, typ string) object {
	if c.user != a {
		fields := object{{"username", a.Username}}
		if a.Email != "" {
			fields = append(fields, field{"emails", []object{{{"address", a.Email}, {"verified", a.EmailVerified}}}})
		}
		c.enqueue(frame(object{{"msg", "added"}, {"collection", "users"}, {"id", a.ID}, {"fields", fields}}))
	}
	c.user, c.token = a, tok
	return object{{"id", a.ID}, {"token", tok}, {"tokenExpires", ejsonDate(t.created.Add(loginExpiration).Truncate(time.Millisecond))}, {"type", typ}}
}

// logout is the logout method: the session forgets its user and the
// token it logged in with is destroyed, which ends the other sessions
// that use it.
func (c *rtConn) logout() {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	tok := c.token
	c.user, c.token = nil, ""
	if tok != "" {
		c.s.removeTokenLocked(tok)
	}
}
