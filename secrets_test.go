package rocketchat_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-rocketchat/rocketchat"
)

// secretMarker is in every secret the sweep hands the client. It is
// upper-case base32, so that it can be a TOTP secret too.
const secretMarker = "QSENTINELQ"

var (
	secretToken    = "tok-" + secretMarker
	secretPassword = "pw-" + secretMarker
	secretCode     = "code-" + secretMarker
	secretQuery    = "q-" + secretMarker
	secretBody     = "body-" + secretMarker
	secretTOTP     = secretMarker + "AAAAAA" // 16 base32 characters
)

// secretForms lists, in lower case, every form in which a secret could
// show: as it is, in hex (fmt's %x) and, for the 2FA password method,
// as the SHA-256 the client sends.
func secretForms() []string {
	forms := []string{strings.ToLower(secretMarker), hex.EncodeToString([]byte(secretMarker))}
	for _, s := range []string{secretPassword, secretCode} {
		sum := sha256.Sum256([]byte(s))
		forms = append(forms, hex.EncodeToString(sum[:]))
	}
	return forms
}

// secretServer answers like Rocket.Chat, with one failure first on every
// path (503 for a GET, 429 for a POST) so that every call retries and
// logs more than one attempt.
type secretServer struct {
	mu   sync.Mutex
	hits map[string]int
}

func (s *secretServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ User, Password, Code, Resume string }
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &in)
	key := r.Method + " " + r.URL.Path + " " + in.User + in.Resume
	s.mu.Lock()
	s.hits[key]++
	first := s.hits[key] == 1
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if first && r.URL.Path != "/api/info" {
		if r.Method == http.MethodPost {
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(-time.Second).UnixMilli()))
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"success":false,"error":"Too many requests [error-too-many-requests]"}`)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"success":false,"error":"Service Unavailable"}`)
		return
	}
	challenge := func(status int, method string) {
		code := "totp-required"
		if r.Header.Get("X-2fa-Code") != "" || in.Code != "" {
			code = "totp-invalid"
		}
		w.WriteHeader(status)
		details := fmt.Sprintf(`{"method":%q,"codeGenerated":false,"availableMethods":[%q],"emailOrUsername":"example"}`, method, method)
		if r.URL.Path == "/api/v1/login" {
			fmt.Fprintf(w, `{"status":"error","error":%q,"message":"TOTP","details":%s,"success":false}`, code, details)
			return
		}
		fmt.Fprintf(w, `{"success":false,"error":"TOTP [%s]","errorType":%q,"details":%s}`, code, code, details)
	}
	switch r.URL.Path {
	case "/api/v1/login":
		switch {
		case in.User == "ok":
			io.WriteString(w, `{"status":"success","success":true,"data":{"userId":"u1","authToken":"`+secretToken+`","me":{"_id":"u1","username":"ok","roles":["user"]}}}`)
		case in.User == "twofa":
			challenge(http.StatusUnauthorized, "totp")
		default:
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"status":"error","error":"Unauthorized","message":"Unauthorized","success":false}`)
		}
	case "/api/v1/me":
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"status":"error","message":"You must be logged in to do this.","success":false,"error":"You must be logged in to do this."}`)
	case "/api/v1/secure":
		challenge(http.StatusBadRequest, "password")
	case "/api/v1/totp":
		challenge(http.StatusBadRequest, "totp")
	case "/api/v1/chat.postMessage":
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"success":false,"error":"The room is invalid [error-invalid-room]"}`)
	case "/api/info":
		io.WriteString(w, `{"version":"8.8.1","info":{"version":"8.8.1","commit":{"hash":"abc"}},"success":true}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"success":false,"error":"Not found"}`)
	}
}

// TestSecretsNeverShow hands the client a token, a password, 2FA codes
// (and a TOTP secret), a query and a request body that all hold
// secretMarker, makes calls that retry and fail in every way, and prints
// everything it got back, and the client itself, with every fmt verb, as
// Error(), and through slog's text and JSON handlers, which also record
// the client's own debug log of every attempt. The marker must show
// nowhere.
func TestSecretsNeverShow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := httptest.NewServer(&secretServer{hits: map[string]int{}})
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + l.Addr().String()
	l.Close() // nothing listens there now

	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewMultiHandler(
		slog.NewTextHandler(lockedWriter{&logMu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewJSONHandler(lockedWriter{&logMu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}),
	))

	var challenges []rocketchat.TwoFactorChallenge
	handler := func(_ context.Context, ch rocketchat.TwoFactorChallenge) (string, error) {
		challenges = append(challenges, ch)
		if ch.Method == "password" {
			return secretPassword, nil
		}
		return secretCode, nil
	}
	creds := rocketchat.Credentials{UserID: "u1", Token: secretToken}
	opts := []rocketchat.Option{
		rocketchat.WithRetry(2, time.Millisecond, 2*time.Millisecond),
		rocketchat.WithLogger(logger),
		rocketchat.WithCredentials(creds),
	}
	newSecretClient := func(baseURL string, more ...rocketchat.Option) *rocketchat.Client {
		c, err := rocketchat.NewClient(baseURL, append(append([]rocketchat.Option{}, opts...), more...)...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := newSecretClient(srv.URL, rocketchat.WithTwoFactor(handler))
	totpClient := newSecretClient(srv.URL, rocketchat.WithTwoFactor(rocketchat.TOTP(secretTOTP)))
	badTOTPClient := newSecretClient(srv.URL, rocketchat.WithTwoFactor(rocketchat.TOTP(secretMarker+"!!")))
	deadClient := newSecretClient(closedURL, rocketchat.WithTwoFactor(handler))
	query := url.Values{"q": {secretQuery}, "authToken": {secretToken}}
	payload := map[string]string{"text": secretBody, "password": secretPassword}

	// Every call runs under recover: a panic fails the test, and its
	// message is swept like the rest.
	var panics []any
	guard := func(f func() error) (err error) {
		defer func() {
			if p := recover(); p != nil {
				panics = append(panics, p)
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return f()
	}
	var out map[string]any
	calls := []struct {
		name string
		call func() error
	}{
		{"Login with a wrong password", func() error { _, err := c.Login(ctx, "wrong", secretPassword); return err }},
		{"Login with rejected 2FA codes", func() error { _, err := c.Login(ctx, "twofa", secretPassword); return err }},
		{"Resume with a dead token", func() error { _, err := c.Resume(ctx, secretToken); return err }},
		{"Me with a dead token", func() error { _, err := c.Me(ctx); return err }},
		{"Get with a query, rejected password 2FA", func() error { return c.Get(ctx, "v1/secure", query, &out) }},
		{"Get with a query, 404", func() error { return c.Get(ctx, "v1/missing", query, &out) }},
		{"Instances, 404", func() error { _, err := c.Instances(ctx); return err }},
		{"Get with the query in the endpoint", func() error { return c.Get(ctx, "v1/me?authToken="+secretToken, nil, &out) }},
		{"Get with user info in the endpoint", func() error { return c.Get(ctx, "https://u1:"+secretToken+"@evil/x", nil, &out) }},
		{"Post with a secret body", func() error { return c.Post(ctx, "v1/chat.postMessage", payload, &out) }},
		{"Post with a secret raw body", func() error { return c.Post(ctx, "v1/chat.postMessage", []byte(`{"x":"`+secretBody+`"}`), nil) }},
		{"Post a body that cannot be encoded", func() error {
			return c.Post(ctx, "v1/chat.postMessage", map[string]any{secretMarker: func() {}}, nil)
		}},
		{"TOTP handler, code rejected", func() error { return totpClient.Get(ctx, "v1/totp", query, nil) }},
		{"TOTP handler, invalid secret", func() error { return badTOTPClient.Get(ctx, "v1/totp", query, nil) }},
		{"Get, connection refused", func() error { return deadClient.Get(ctx, "v1/me", query, nil) }},
		{"Post, connection refused", func() error { return deadClient.Post(ctx, "v1/x", payload, nil) }},
		{"Login, connection refused", func() error { _, err := deadClient.Login(ctx, "ok", secretPassword); return err }},
		{"Logout, connection refused", func() error { return deadClient.Logout(ctx) }},
	}
	var errs []error
	for _, tc := range calls {
		err := guard(tc.call)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		errs = append(errs, err)
	}
	// And calls that succeed: the values they return are swept too.
	var user *rocketchat.User
	var info *rocketchat.ServerInfo
	if err := guard(func() (err error) { user, err = c.Login(ctx, "ok", secretPassword); return err }); err != nil {
		t.Fatalf("Login: %v", err)
	}
	if err := guard(func() (err error) { info, err = c.ServerInfo(ctx); return err }); err != nil {
		t.Fatalf("ServerInfo: %v", err)
	}
	if got := c.Credentials(); got.Token != secretToken {
		t.Fatalf("Login stored %v", got)
	}

	var twoFactorErr *rocketchat.Error
	for _, err := range errs {
		if errors.As(err, &twoFactorErr) && twoFactorErr.TwoFactor != nil {
			break
		}
	}
	if twoFactorErr == nil || twoFactorErr.TwoFactor == nil {
		t.Fatal("no *Error with a 2FA challenge among the errors")
	}
	if len(challenges) == 0 {
		t.Fatal("the 2FA handler was never asked")
	}

	// A struct that holds Credentials prints redacted with fmt, which
	// calls their Format; slog's JSON handler, though, encodes it with
	// encoding/json, which writes the token: Credentials marshal as they
	// are, so that programs can keep them in a secret store. It is swept
	// with fmt only.
	wrapped := struct{ C rocketchat.Credentials }{creds}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if s := fmt.Sprintf(verb, wrapped); strings.Contains(s, secretMarker) {
			t.Errorf("Sprintf(%s) of a struct holding Credentials: %s", verb, s)
		}
	}

	values := []any{
		creds, &creds, c.Credentials(),
		c, totpClient, badTOTPClient, deadClient,
		*twoFactorErr, twoFactorErr, twoFactorErr.TwoFactor, challenges,
		user, *user, info, *info,
	}
	for _, err := range errs {
		values = append(values, err)
	}
	values = append(values, panics...)

	var shown []string
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			shown = append(shown, fmt.Sprintf(verb, v))
		}
		if err, ok := v.(error); ok {
			shown = append(shown, err.Error())
		}
		logger.Debug("sweep", "value", v)
	}
	logMu.Lock()
	shown = append(shown, logs.String())
	logMu.Unlock()

	for _, form := range secretForms() {
		for _, s := range shown {
			if strings.Contains(strings.ToLower(s), form) {
				t.Errorf("a secret (%s) shows in:\n%s", form, s)
			}
		}
	}
	if len(panics) > 0 {
		t.Errorf("%d calls panicked: %v", len(panics), panics)
	}
	// The sweep saw what it had to: the log holds attempts that retried.
	if !strings.Contains(logs.String(), "attempt=2") || !strings.Contains(logs.String(), `"attempt":2`) {
		t.Errorf("the log lacks the repeated attempts:\n%s", logs.String())
	}
}

// lockedWriter serialises the two log handlers' writes to one buffer.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestCallerTLSSettingsHonoured: a caller's *http.Client brings its TLS
// settings (here: trust in the test server's certificate); without them
// the certificate is refused, and that failure is never repeated.
func TestCallerTLSSettingsHonoured(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var conns, requests atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		io.WriteString(w, faultValidBody)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	// The handshakes that the plain client aborts are logged otherwise.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()

	trusting, err := rocketchat.NewClient(srv.URL, rocketchat.WithHTTPClient(srv.Client()), faultRetry)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := rocketchat.NewClient(srv.URL, faultRetry)
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range faultEntries {
		if err := ep.call(ctx, trusting); err != nil {
			t.Errorf("%s with the caller's TLS settings: %v", ep.name, err)
		}

		connsBefore, requestsBefore := conns.Load(), requests.Load()
		err := ep.call(ctx, plain)
		var verifyErr *tls.CertificateVerificationError
		var unknownAuthority x509.UnknownAuthorityError
		if !errors.As(err, &verifyErr) || !errors.As(err, &unknownAuthority) {
			t.Errorf("%s without them: err = %v, want a certificate verification error", ep.name, err)
		}
		if errors.As(err, new(*rocketchat.Error)) {
			t.Errorf("%s: a TLS failure is a *Error: %v", ep.name, err)
		}
		if n := conns.Load() - connsBefore; n != 1 {
			t.Errorf("%s: %d connections for a certificate the client refuses, want 1 (no retry)", ep.name, n)
		}
		if n := requests.Load() - requestsBefore; n != 0 {
			t.Errorf("%s: %d requests reached the handler past a refused certificate", ep.name, n)
		}
	}
	if ctx.Err() != nil {
		t.Errorf("the test's deadline was hit: %v", ctx.Err())
	}
}
