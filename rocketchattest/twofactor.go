package rocketchattest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The second-factor methods, named as the server names them.
const (
	methodTOTP     = "totp"
	methodEmail    = "email"
	methodPassword = "password"
)

// emailCodeState is the email code the server last "sent" a user:
// services.emailCode in the user record.
type emailCodeState struct {
	expire   time.Time // zero: no code pending
	attempts int       // wrong codes entered since it was sent
}

// twoFactorError is a failed second-factor check, a Meteor.Error with
// its code, reason and details.
type twoFactorError struct {
	code    string
	reason  string
	details object
}

// EmailCodesSent returns how many two-factor codes the server has
// "mailed" to the user: one each time it challenged them with no valid
// code pending. Tests use it to check that a client does not trigger
// email after email.
func (s *Server) EmailCodesSent(username string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.userByUsernameLocked(username); a != nil {
		return a.emailCodesSent
	}
	return 0
}

// availableMethods lists the user's enabled methods in the server's
// order (TOTP, then email); the password fallback is never listed.
func availableMethods(a *account) []string {
	m := []string{}
	if a.TOTPSecret != "" {
		m = append(m, methodTOTP)
	}
	if a.EmailCode2FA != "" && a.verifiedEmail() != "" {
		m = append(m, methodEmail)
	}
	return m
}

// selectMethod is getSecondFactorMethod: the method the client named if
// the server knows it (even one the user has not enabled, whose check
// then fails), else the user's first enabled method, else the password
// fallback when allowed and the user has a password, else none.
func selectMethod(a *account, named string, passwordFallback bool) string {
	if named == methodTOTP || named == methodEmail {
		return named
	}
	if m := availableMethods(a); len(m) > 0 {
		return m[0]
	}
	if passwordFallback && a.Password != "" {
		return methodPassword
	}
	return ""
}

// checkCodeLocked is checkCodeForUser (apps/meteor/app/2fa/server/code/
// index.ts) without the remember-me part, which the endpoint check does:
// it returns nil when the user passes or needs no second factor.
func (s *Server) checkCodeLocked(a *account, code, named string, passwordFallback bool) *twoFactorError {
	method := selectMethod(a, named, passwordFallback)
	if method == "" {
		return nil
	}
	details := append(object{{"method", method}}, s.processInvalidCodeLocked(a, method)...)
	withMethods := append(append(object(nil), details...), field{"availableMethods", availableMethods(a)})
	if code == "" {
		return &twoFactorError{"totp-required", "TOTP Required", withMethods}
	}
	if s.verifyLocked(a, method, code) {
		return nil
	}
	if method == methodEmail && a.emailCode.attempts >= s.emailCodeMax {
		return &twoFactorError{"totp-max-attempts", "TOTP Maximun Failed Attempts Reached", withMethods}
	}
	if s.gen.totpInvalidMethods {
		return &twoFactorError{"totp-invalid", "TOTP Invalid", withMethods}
	}
	return &twoFactorError{"totp-invalid", "TOTP Invalid", details}
}

// processInvalidCodeLocked returns the method's part of the details. For
// email it also "sends" a new code unless a valid one is pending
// (EmailCheck.processInvalidCode), which is why a client must not ask
// for a challenge again and again.
func (s *Server) processInvalidCodeLocked(a *account, method string) object {
	if method != methodEmail {
		return object{{"codeGenerated", false}}
	}
	now := s.now()
	ec := &a.emailCode
	if !ec.expire.IsZero() && ec.expire.Before(now) {
		*ec = emailCodeState{}
	}
	emailOrUsername := a.Username
	if emailOrUsername == "" {
		emailOrUsername = a.verifiedEmail()
	}
	// The server keeps a code that expires no sooner than five minutes ago
	// (sic) and has not hit the attempt limit.
	if !ec.expire.IsZero() && ec.expire.After(now.Add(-5*time.Minute)) && ec.attempts < s.emailCodeMax {
		return object{{"emailOrUsername", emailOrUsername}, {"codeGenerated", false}, {"codeExpires", isoTime(ec.expire)}}
	}
	*ec = emailCodeState{expire: now.Add(s.emailExpiry)}
	a.emailCodesSent++
	return object{{"codeGenerated", true}, {"emailOrUsername", emailOrUsername}}
}

// verifyLocked checks a code by the selected method.
func (s *Server) verifyLocked(a *account, method, code string) bool {
	switch method {
	case methodTOTP:
		if a.TOTPSecret == "" {
			return false
		}
		ok, err := totp.ValidateCustom(code, a.TOTPSecret, s.now(), totp.ValidateOpts{
			Period:    30,
			Skew:      1, // Accounts_TwoFactorAuthentication_MaxDelta
			Digits:    otp.DigitsSix,
			Algorithm: otp.AlgorithmSHA1,
		})
		return err == nil && ok
	case methodEmail:
		ec := &a.emailCode
		if a.EmailCode2FA == "" || ec.expire.IsZero() || ec.expire.Before(s.now()) {
			return false
		}
		if digitsOnly(code) == digitsOnly(a.EmailCode2FA) {
			*ec = emailCodeState{}
			return true
		}
		ec.attempts++
		return false
	case methodPassword:
		sum := sha256.Sum256([]byte(a.Password))
		return a.Password != "" && strings.ToLower(code) == hex.EncodeToString(sum[:])
	}
	return false
}

// digitsOnly drops what is not a digit: the server accepts "123-456" for
// 123456 because its emails show the code that way.
func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// checkTwoFactor runs the second-factor check of an endpoint marked as
// requiring it (processTwoFactor in ApiClass.ts): the code and method
// come from the X-2fa-Code and X-2fa-Method headers, and a failure is a
// 400 in the API envelope with the code in errorType. A passed check is
// remembered for this token and client, as the server's remember-me
// does.
func (s *Server) checkTwoFactor(r *http.Request, rc *requestContext) *apiError {
	s.mu.Lock()
	e := s.twoFactorLocked(r, rc)
	s.mu.Unlock()
	if e != nil {
		return meteorError(e.code, e.reason, e.details)
	}
	return nil
}

// twoFactorLocked is checkTwoFactor's decision; the caller holds s.mu.
func (s *Server) twoFactorLocked(r *http.Request, rc *requestContext) *twoFactorError {
	if !s.twoFactor[rc.key] || rc.user == nil {
		return nil
	}
	tok := s.tokens[rc.token]
	fingerprint := r.UserAgent() + "\x00" + rc.ip
	now := s.now()
	if tok != nil && now.Before(tok.remembered[fingerprint]) {
		return nil
	}
	if e := s.checkCodeLocked(rc.user, r.Header.Get("X-2fa-Code"), r.Header.Get("X-2fa-Method"), true); e != nil {
		return e
	}
	if tok != nil && s.rememberFor > 0 {
		if tok.remembered == nil {
			tok.remembered = map[string]time.Time{}
		}
		tok.remembered[fingerprint] = now.Add(s.rememberFor)
	}
	return nil
}
