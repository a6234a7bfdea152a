package rocketchattest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

const testSecret = "JBSWY3DPEHPK3PXP"

var (
	totpUser  = User{Username: "tina", Password: "tinapass", TOTPSecret: testSecret}
	emailUser = User{Username: "eve", Password: "evepass", Email: "eve@example.com", EmailCode2FA: "482913"}
)

func totpCode(t *testing.T, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(testSecret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestLoginTOTP(t *testing.T) {
	for _, tc := range []struct {
		version, required, invalid string
	}{
		{"5.4.2",
			`{"status":"error","error":"totp-required","details":{"method":"totp","codeGenerated":false,"availableMethods":["totp"]},"message":"TOTP Required"}`,
			`{"status":"error","error":"totp-invalid","details":{"method":"totp","codeGenerated":false},"message":"TOTP Invalid"}`},
		{"8.8.1",
			`{"success":false,"error":"totp-required","status":"error","details":{"method":"totp","codeGenerated":false,"availableMethods":["totp"]},"message":"TOTP Required"}`,
			`{"success":false,"error":"totp-invalid","status":"error","details":{"method":"totp","codeGenerated":false,"availableMethods":["totp"]},"message":"TOTP Invalid"}`},
		{"9.0.0", `{"success":false,"error":"unauthorized"}`, `{"success":false,"error":"unauthorized"}`},
	} {
		t.Run(tc.version, func(t *testing.T) {
			clock := newTestClock()
			srv := newTestServer(t, WithVersion(tc.version), WithClock(clock.Now), WithUser(totpUser))
			wantAnswer(t, call(t, srv, http.MethodPost, "v1/login", `{"user":"tina","password":"tinapass"}`), http.StatusUnauthorized, tc.required)
			wantAnswer(t, call(t, srv, http.MethodPost, "v1/login", `{"user":"tina","password":"tinapass","code":"000000"}`), http.StatusUnauthorized, tc.invalid)
			// A wrong password says nothing about the second factor.
			if got := call(t, srv, http.MethodPost, "v1/login", `{"user":"tina","password":"nope"}`); got.status != http.StatusUnauthorized ||
				decode(t, got.body)["details"] != nil {
				t.Errorf("wrong password: %d %s", got.status, got.body)
			}

			code := totpCode(t, clock.Now())
			if got := call(t, srv, http.MethodPost, "v1/login", `{"user":"tina","password":"tinapass","code":"`+code+`"}`); got.status != http.StatusOK {
				t.Errorf("login with a code in the body: %d %s", got.status, got.body)
			}
			// One step of skew is accepted; the code also goes in the header.
			clock.Advance(30 * time.Second)
			if got := call(t, srv, http.MethodPost, "v1/login", `{"user":"tina","password":"tinapass"}`, "X-2fa-Code", code); got.status != http.StatusOK {
				t.Errorf("login with the previous step's code in X-2fa-Code: %d %s", got.status, got.body)
			}
			clock.Advance(time.Minute)
			if got := call(t, srv, http.MethodPost, "v1/login", `{"user":"tina","password":"tinapass","code":"`+code+`"}`); got.status != http.StatusUnauthorized {
				t.Errorf("login with a stale code: %d, want 401", got.status)
			}
		})
	}
}

func TestLoginEmailCode(t *testing.T) {
	clock := newTestClock()
	srv := newTestServer(t, WithClock(clock.Now), WithUser(emailUser), WithoutRateLimit())
	login := func(body string) answer { return call(t, srv, http.MethodPost, "v1/login", body) }

	wantAnswer(t, login(`{"user":"eve","password":"evepass"}`), http.StatusUnauthorized,
		`{"success":false,"error":"totp-required","status":"error","details":{"method":"email","codeGenerated":true,"emailOrUsername":"eve","availableMethods":["email"]},"message":"TOTP Required"}`)
	expires := isoTime(clock.Now().Add(time.Hour))
	// While the code is valid, a new challenge sends no new email.
	wantAnswer(t, login(`{"user":"eve","password":"evepass"}`), http.StatusUnauthorized,
		`{"success":false,"error":"totp-required","status":"error","details":{"method":"email","emailOrUsername":"eve","codeGenerated":false,"codeExpires":"`+expires+`","availableMethods":["email"]},"message":"TOTP Required"}`)
	if n := srv.EmailCodesSent("eve"); n != 1 {
		t.Errorf("EmailCodesSent = %d, want 1", n)
	}
	if got := login(`{"user":"eve","password":"evepass","code":"482-913"}`); got.status != http.StatusOK {
		t.Fatalf("login with the email code: %d %s", got.status, got.body)
	}

	// Five wrong codes use the code up.
	login(`{"user":"eve","password":"evepass"}`)
	for i := 1; i <= 4; i++ {
		if got := login(`{"user":"eve","password":"evepass","code":"111111"}`); decode(t, got.body)["error"] != "totp-invalid" {
			t.Fatalf("wrong code %d: %s", i, got.body)
		}
	}
	if got := login(`{"user":"eve","password":"evepass","code":"111111"}`); decode(t, got.body)["error"] != "totp-max-attempts" {
		t.Errorf("fifth wrong code: %s", got.body)
	}
	if n := srv.EmailCodesSent("eve"); n != 2 {
		t.Errorf("EmailCodesSent = %d, want 2", n)
	}
}

func TestEndpointTwoFactorPassword(t *testing.T) {
	srv := newTestServer(t, WithUser(adminUser))
	srv.RequireTwoFactor("v1/instances.get")
	admin := auth(srv.PersonalAccessToken("admin"))

	got := call(t, srv, http.MethodGet, "v1/instances.get", "", admin...)
	wantAnswer(t, got, http.StatusBadRequest,
		`{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":{"method":"password","codeGenerated":false,"availableMethods":[]}}`)
	got = call(t, srv, http.MethodGet, "v1/instances.get", "", append(admin, "X-2fa-Code", "deadbeef", "X-2fa-Method", "password")...)
	wantAnswer(t, got, http.StatusBadRequest,
		`{"success":false,"error":"TOTP Invalid [totp-invalid]","errorType":"totp-invalid","details":{"method":"password","codeGenerated":false,"availableMethods":[]}}`)

	sum := sha256.Sum256([]byte("secret"))
	got = call(t, srv, http.MethodGet, "v1/instances.get", "", append(admin, "X-2fa-Code", hex.EncodeToString(sum[:]), "X-2fa-Method", "password")...)
	if got.status != http.StatusOK {
		t.Fatalf("with the password hash: %d %s", got.status, got.body)
	}
	// Remembered for this token and client...
	if got := call(t, srv, http.MethodGet, "v1/instances.get", "", admin...); got.status != http.StatusOK {
		t.Errorf("second call: %d, want 200 (remembered)", got.status)
	}
	// ...but not for another client.
	if got := call(t, srv, http.MethodGet, "v1/instances.get", "", append(admin, "User-Agent", "other")...); got.status != http.StatusBadRequest {
		t.Errorf("from another client: %d, want 400", got.status)
	}
	// Other endpoints need no second factor.
	if got := call(t, srv, http.MethodGet, "v1/me", "", admin...); got.status != http.StatusOK {
		t.Errorf("me: %d", got.status)
	}
}

func TestEndpointTwoFactorTOTP(t *testing.T) {
	clock := newTestClock()
	tinaAdmin := totpUser
	tinaAdmin.Roles = []string{"admin"}
	srv := newTestServer(t, WithClock(clock.Now), WithUser(tinaAdmin), WithTwoFactor("/api/v1/instances.get"), WithTwoFactorRememberFor(0))
	tina := auth(srv.PersonalAccessToken("tina"))

	wantAnswer(t, call(t, srv, http.MethodGet, "v1/instances.get", "", tina...), http.StatusBadRequest,
		`{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":{"method":"totp","codeGenerated":false,"availableMethods":["totp"]}}`)
	// The password is no second factor for a user with TOTP.
	sum := sha256.Sum256([]byte("tinapass"))
	if got := call(t, srv, http.MethodGet, "v1/instances.get", "", append(tina, "X-2fa-Code", hex.EncodeToString(sum[:]), "X-2fa-Method", "password")...); got.status != http.StatusBadRequest {
		t.Errorf("password hash for a TOTP user: %d, want 400", got.status)
	}
	code := totpCode(t, clock.Now())
	for i := 0; i < 2; i++ {
		if got := call(t, srv, http.MethodGet, "v1/instances.get", "", append(tina, "X-2fa-Code", code, "X-2fa-Method", "totp")...); got.status != http.StatusOK {
			t.Errorf("call %d with a TOTP code: %d %s", i, got.status, got.body)
		}
	}
	// Nothing is remembered with WithTwoFactorRememberFor(0).
	if got := call(t, srv, http.MethodGet, "v1/instances.get", "", tina...); got.status != http.StatusBadRequest {
		t.Errorf("without a code: %d, want 400", got.status)
	}
}
