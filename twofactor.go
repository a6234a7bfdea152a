package rocketchat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// TwoFactorHandler supplies a second-factor code when the server demands
// one. It is called with the server's challenge; for method "totp" it
// returns the authenticator's current code, for "email" the code the
// server mailed, and for "password" the user's password (the client sends
// only its SHA-256). A returned error ends the call, wrapped.
type TwoFactorHandler func(ctx context.Context, ch TwoFactorChallenge) (code string, err error)

// TwoFactorChallenge is the server's demand for a second factor.
type TwoFactorChallenge struct {
	// Method is "totp", "email" or "password".
	Method string
	// Invalid is true when the server rejected the previous code.
	Invalid bool
	// EmailOrUsername names the user, at login.
	EmailOrUsername string
	// CodeGenerated is true when the server just mailed a code.
	CodeGenerated bool
	// AvailableMethods lists the methods the user could use; nil when the
	// server lists none.
	AvailableMethods []string `json:",omitzero"`
}

// maxTwoFactorAsks bounds how often one call asks the handler for a code:
// the first challenge and two rejected codes.
const maxTwoFactorAsks = 3

// answerTwoFactor asks the handler for a code answering the challenge in e
// and puts it into r for the repeat: in the body at login, in the
// X-2fa-Code and X-2fa-Method headers elsewhere.
func (c *Client) answerTwoFactor(ctx context.Context, r *request, e *Error) error {
	ch := *e.TwoFactor
	ch.Invalid = e.Type == "totp-invalid"
	code, err := c.twoFactor(ctx, ch)
	if err != nil {
		return fmt.Errorf("rocketchat: %s %s: two-factor handler: %w", r.method, r.path(c), err)
	}
	if code == "" {
		return e
	}
	method := ch.Method
	if method == "" {
		method = "totp"
	}
	if method == "password" {
		sum := sha256.Sum256([]byte(code))
		code = hex.EncodeToString(sum[:])
	}
	// An email challenge may mail the user each time: never send the
	// same rejected code again.
	if ch.Invalid && method == "email" && code == r.twoFactorCode {
		return e
	}
	r.twoFactorCode, r.twoFactorMethod = code, method
	if r.withCode != nil {
		body, err := r.withCode(code)
		if err != nil {
			return err
		}
		r.body = body
	}
	return nil
}
