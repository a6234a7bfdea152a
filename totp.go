package rocketchat

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"
)

// TOTP returns a handler that answers "totp" challenges with RFC 6238
// codes computed from secret, the base32 key shown when the user set up
// their authenticator app. It lets an unattended program log in on a
// server that enforces 2FA:
//
//	c, err := rocketchat.NewClient(url, rocketchat.WithTwoFactor(rocketchat.TOTP(os.Getenv("BOT_TOTP_SECRET"))))
//
// It cannot answer other methods, and it gives up when the server rejects
// its code (a wrong secret or a clock far off), rather than sending the
// same code again.
func TOTP(secret string) TwoFactorHandler {
	secret = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(secret), " ", ""))
	return func(ctx context.Context, ch TwoFactorChallenge) (string, error) {
		if ch.Method != "" && ch.Method != "totp" {
			return "", fmt.Errorf("TOTP handler cannot answer a %q challenge", ch.Method)
		}
		if ch.Invalid {
			return "", fmt.Errorf("TOTP code rejected: check the secret and the clock: %w", ErrTwoFactorInvalid)
		}
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			// The library's error names no part of the secret.
			return "", fmt.Errorf("TOTP handler: invalid secret: %w", err)
		}
		return code, nil
	}
}
