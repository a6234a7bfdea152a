package rocketchattest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// serveLogin is POST /api/v1/login (ApiClass.ts _initAuth): a password
// login by user (an @ means an email), username or email, with an
// optional 2FA code in the body or the X-2fa-Code header, or a resume
// login with a token already held. Every password login issues a new
// token; a resume login answers with the same token.
func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	params := readParams(r)
	s.mu.Lock()
	status, body := s.loginLocked(r, params)
	s.mu.Unlock()
	writeJSON(w, status, body)
}

// loginLocked decides the answer to a login; the caller holds s.mu.
func (s *Server) loginLocked(r *http.Request, params map[string]any) (status int, body object) {
	fail := func(errCode any, message string, details any) (int, object) {
		return http.StatusUnauthorized, s.gen.loginErrorBody(errCode, message, details)
	}

	password, hasPassword := params["password"]
	resume, hasResume := params["resume"].(string)
	var a *account
	switch {
	case hasPassword && password != nil:
		user, _ := params["user"].(string)
		username, _ := params["username"].(string)
		email, _ := params["email"].(string)
		switch {
		case user != "" && strings.Contains(user, "@"):
			a = s.userByEmailLocked(user)
		case user != "":
			a = s.userByUsernameLocked(user)
		case username != "":
			a = s.userByUsernameLocked(username)
		case email != "":
			a = s.userByEmailLocked(email)
		default:
			// Without an identifier the body goes to Meteor's login
			// method as it is, whose argument check rejects it.
			return fail(400, "Match failed", nil)
		}
		// The server answers the same for an unknown user and a wrong
		// password, so that logins cannot probe for accounts.
		if a == nil || !passwordMatches(a.Password, password) {
			return fail("Unauthorized", "Unauthorized", nil)
		}
		if a.Inactive {
			return fail("error-user-is-not-activated", "User is not activated", nil)
		}
		code, _ := params["code"].(string)
		if code == "" {
			code = r.Header.Get("X-2fa-Code")
		}
		// The login hook checks TOTP or email codes only: no password
		// fallback, and no remembering.
		if e := s.checkCodeLocked(a, code, "", false); e != nil {
			return fail(e.code, e.reason, e.details)
		}
		return http.StatusOK, s.loginSuccess(a, s.newTokenLocked(a, false))
	case hasResume && resume != "":
		t := s.tokens[resume]
		if t != nil {
			a = s.userByIDLocked(t.userID)
		}
		if a == nil {
			return fail(403, msgResumeExpired, nil)
		}
		if a.Inactive {
			return fail("error-user-is-not-activated", "User is not activated", nil)
		}
		return http.StatusOK, s.loginSuccess(a, resume)
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

// readParams reads a request body as the server's body parser does: a
// JSON object, or a form (curl -d user=...&password=...). Anything else
// reads as no parameters.
func readParams(r *http.Request) map[string]any {
	params := map[string]any{}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return params
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return params
		}
		for k, v := range form {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
		return params
	}
	if err := json.Unmarshal(body, &params); err != nil {
		return map[string]any{}
	}
	return params
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
