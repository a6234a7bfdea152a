package rocketchattest

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// serveLogin is POST /api/v1/login (ApiClass.ts _initAuth): a password
// login by user (an @ means an email), username or email, with an
// optional 2FA code in the body or the X-2fa-Code header, or a resume
// login with a token already held. Every password login issues a new
// token; a resume login answers with the same token.
func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	var p loginParams
	decodeParams(r, &p)
	s.mu.Lock()
	status, body := s.loginLocked(r, p)
	s.mu.Unlock()
	writeJSON(w, status, body)
}

// loginParams is the body of POST /api/v1/login.
type loginParams struct {
	User     string `json:"user"`
	Username string `json:"username"`
	Email    string `json:"email"`
	// Password is a string, or a digest object (see passwordMatches).
	Password any    `json:"password"`
	Code     string `json:"code"`
	Resume   string `json:"resume"`
}

// loginLocked decides the answer to a login; the caller holds s.mu.
func (s *Server) loginLocked(r *http.Request, p loginParams) (status int, body object) {
	fail := func(errCode any, message string, details any) (int, object) {
		return http.StatusUnauthorized, s.gen.loginErrorBody(errCode, message, details)
	}

	var a *account
	switch {
	case p.Password != nil:
		switch {
		case p.User != "" && strings.Contains(p.User, "@"):
			a = s.userByEmailLocked(p.User)
		case p.User != "":
			a = s.userByUsernameLocked(p.User)
		case p.Username != "":
			a = s.userByUsernameLocked(p.Username)
		case p.Email != "":
			a = s.userByEmailLocked(p.Email)
		default:
			// Without an identifier the body goes to Meteor's login
			// method as it is, whose argument check rejects it.
			return fail(400, "Match failed", nil)
		}
		// The server answers the same for an unknown user and a wrong
		// password, so that logins cannot probe for accounts.
		if a == nil || !passwordMatches(a.Password, p.Password) {
			return fail("Unauthorized", "Unauthorized", nil)
		}
		if a.Inactive {
			return fail("error-user-is-not-activated", "User is not activated", nil)
		}
		code := cmp.Or(p.Code, r.Header.Get("X-2fa-Code"))
		// The login hook checks TOTP or email codes only: no password
		// fallback, and no remembering.
		if e := s.checkCodeLocked(a, code, "", false); e != nil {
			return fail(e.code, e.reason, e.details)
		}
		return http.StatusOK, s.loginSuccess(a, s.newTokenLocked(a, false))
	case p.Resume != "":
		t := s.tokens[p.Resume]
		if t != nil {
			a = s.userByIDLocked(t.userID)
		}
		if a == nil {
			return fail(403, msgResumeExpired, nil)
		}
		if a.Inactive {
			return fail("error-user-is-not-activated", "User is not activated", nil)
		}
		return http.StatusOK, s.loginSuccess(a, p.Resume)
	default:
		return fail(400, "Unrecognized options for login request", nil)
	}
}

func (s *Server) loginSuccess(a *account, tok string) object {
	body := object{
		{"status", "success"},
		{"data", object{{"userId", a.ID}, {"authToken", tok}, {"me", a.userObject(s.URL)}}},
	}
	if s.gen.loginSuccessKey {
		body = append(body, field{"success", true})
	}
	return body
}

// passwordMatches accepts the plain password, or its SHA-256 digest as
// Meteor clients send it: {"digest":"<hex>","algorithm":"sha-256"}.
func passwordMatches(stored string, given any) bool {
	if stored == "" {
		return false
	}
	switch p := given.(type) {
	case string:
		return subtle.ConstantTimeCompare([]byte(p), []byte(stored)) == 1
	case map[string]any:
		digest, _ := p["digest"].(string)
		if alg, _ := p["algorithm"].(string); alg != "sha-256" {
			return false
		}
		sum := sha256.Sum256([]byte(stored))
		return strings.ToLower(digest) == hex.EncodeToString(sum[:])
	}
	return false
}

// serveLogout is /api/v1/logout, GET (deprecated) or POST: it removes
// the token the call was made with, a personal access token included.
func (s *Server) serveLogout(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.mu.Lock()
	s.removeTokenLocked(rc.token)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, object{{"status", "success"}, {"data", object{{"message", msgLoggedOut}}}})
}

// serveMe is GET /api/v1/me: the user object, flat, plus success.
func (s *Server) serveMe(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.mu.Lock()
	body := rc.user.userObject(s.URL)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, append(body, field{"success", true}))
}
