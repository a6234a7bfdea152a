package rocketchat

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestTOTPMatchesAuthenticators checks the handler's code against an
// independent validation of the same secret.
func TestTOTPMatchesAuthenticators(t *testing.T) {
	// RFC 6238's SHA-1 key "12345678901234567890", base32, with spaces and
	// lower case as users paste it.
	h := TOTP("gezd gnbv gy3t qojq gezd gnbv gy3t qojq")
	code, err := h(context.Background(), TwoFactorChallenge{Method: "totp"})
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 6 || !totp.Validate(code, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") {
		t.Errorf("code %q does not validate", code)
	}
	// RFC 6238, appendix B: T = 59 s gives 94287082; six digits: 287082.
	if got, _ := totp.GenerateCode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", time.Unix(59, 0)); got != "287082" {
		t.Errorf("the library disagrees with RFC 6238: %q", got)
	}
}

func TestTOTPRefuses(t *testing.T) {
	h := TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	if _, err := h(context.Background(), TwoFactorChallenge{Method: "email"}); err == nil {
		t.Error("answered an email challenge")
	}
	if _, err := h(context.Background(), TwoFactorChallenge{Method: "totp", Invalid: true}); !errors.Is(err, ErrTwoFactorInvalid) {
		t.Errorf("after a rejected code: %v", err)
	}
	if _, err := TOTP("not base32!")(context.Background(), TwoFactorChallenge{Method: "totp"}); err == nil {
		t.Error("accepted an invalid secret")
	}
}
