package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

const secret = "JBSWY3DPEHPK3PXP"

// stdinWith returns a pipe that reads as the given lines.
func stdinWith(t *testing.T, lines ...string) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString(strings.Join(lines, "\n") + "\n")
		w.Close()
	}()
	t.Cleanup(func() { r.Close() })
	return r
}

func TestLoginWithTwoFactorPrompt(t *testing.T) {
	srv := rocketchattest.NewServer(rocketchattest.WithUser(rocketchattest.User{Username: "alice", Password: "pw", TOTPSecret: secret}))
	defer srv.Close()
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	// The password comes from the prompt too.
	err = run([]string{"-url", srv.URL, "-user", "alice", "-logout"}, stdinWith(t, "pw", code), &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "Two-factor code") {
		t.Errorf("no 2FA prompt: %q", errOut.String())
	}
	if !strings.Contains(out.String(), "Logged in as alice") || !strings.Contains(out.String(), "Logged out") {
		t.Errorf("stdout: %q", out.String())
	}
	if strings.Contains(out.String(), "ROCKETCHAT_AUTH_TOKEN=") {
		t.Errorf("the token printed without -show-token: %q", out.String())
	}
	if n := srv.Tokens("alice"); n != 0 {
		t.Errorf("%d tokens left after -logout", n)
	}
}

func TestShowToken(t *testing.T) {
	srv := rocketchattest.NewServer(rocketchattest.WithUser(rocketchattest.User{Username: "alice", Password: "pw"}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	if err := run([]string{"-url", srv.URL, "-user", "alice", "-password", "pw", "-show-token"}, stdinWith(t), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "export ROCKETCHAT_AUTH_TOKEN=") || srv.Tokens("alice") != 1 {
		t.Errorf("stdout: %q, tokens %d", out.String(), srv.Tokens("alice"))
	}
}

func TestWrongPassword(t *testing.T) {
	srv := rocketchattest.NewServer(rocketchattest.WithUser(rocketchattest.User{Username: "alice", Password: "pw"}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err := run([]string{"-url", srv.URL, "-user", "alice", "-password", "wrong-SECRET"}, stdinWith(t), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "wrong username or password") || strings.Contains(err.Error(), "wrong-SECRET") {
		t.Errorf("err = %v", err)
	}
}
