package rocketchat_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/h2non/gock.v1"

	"github.com/go-rocketchat/rocketchat"
)

const meBody = `{"_id":"aobEdbYhXfu5hkeqG","name":"Example User","emails":[{"address":"example@example.com","verified":true}],
"status":"online","statusConnection":"online","username":"example","utcOffset":5.75,"active":true,"roles":["user","admin"],
"settings":{"preferences":{"enableAutoAway":false}},"customFields":{"twitter":"@userstwi"},"avatarUrl":"http://localhost:3000/avatar/example"`

var wantMe = &rocketchat.User{
	ID: "aobEdbYhXfu5hkeqG", Username: "example", Name: "Example User", Status: "online", StatusConnection: "online",
	AvatarURL: "http://localhost:3000/avatar/example", Active: true, Roles: []string{"user", "admin"},
	Emails:    []rocketchat.Email{{Address: "example@example.com", Verified: true}},
	UTCOffset: 5.75, CustomFields: map[string]any{"twitter": "@userstwi"},
}

func loginOK(success string) string {
	return `{"status":"success",` + success + `"data":{"userId":"aobEdbYhXfu5hkeqG","authToken":"tok-NEW","me":` + meBody + `}}}`
}

func TestLogin(t *testing.T) {
	for name, body := range map[string]string{
		"5.x answer without success": loginOK(""),
		"7.x answer with success":    loginOK(`"success":true,`),
	} {
		t.Run(name, func(t *testing.T) {
			c := gockClient(t, "http://chat.test")
			gock.New("http://chat.test").Post("/api/v1/login").
				JSON(map[string]string{"user": "example", "password": "pw-SECRET"}).
				Reply(200).BodyString(body)
			gock.New("http://chat.test").Get("/api/v1/me").
				MatchHeader("X-User-Id", "^aobEdbYhXfu5hkeqG$").MatchHeader("X-Auth-Token", "^tok-NEW$").
				Reply(200).BodyString(meBody + `,"success":true}`)

			u, err := c.Login(context.Background(), "example", "pw-SECRET")
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if diff := cmp.Diff(wantMe, u); diff != "" {
				t.Errorf("user (-want +got):\n%s", diff)
			}
			if got := c.Credentials(); got != (rocketchat.Credentials{UserID: "aobEdbYhXfu5hkeqG", Token: "tok-NEW"}) {
				t.Errorf("stored credentials %#v", got)
			}
			me, err := c.Me(context.Background())
			if err != nil {
				t.Fatalf("Me: %v", err)
			}
			if diff := cmp.Diff(wantMe, me); diff != "" {
				t.Errorf("me (-want +got):\n%s", diff)
			}
			assertGockDone(t)
		})
	}
}

func TestLoginWrongPassword(t *testing.T) {
	c := gockClient(t, "http://chat.test", rocketchat.WithCredentials(rocketchat.Credentials{UserID: "old", Token: "old-token"}))
	gock.New("http://chat.test").Post("/api/v1/login").Reply(401).BodyString(`{"status":"error","error":"Unauthorized","message":"Unauthorized","success":false}`)
	_, err := c.Login(context.Background(), "example@example.com", "pw-SECRET")
	if !errors.Is(err, rocketchat.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), "pw-SECRET") {
		t.Errorf("the error shows the password: %v", err)
	}
	if got := c.Credentials(); got.Token != "old-token" {
		t.Errorf("a failed login changed the credentials: %#v", got)
	}
	assertGockDone(t)
}

func TestLoginNotRepeatedAfter5xxButAfter429(t *testing.T) {
	c := gockClient(t, "http://chat.test")
	gock.New("http://chat.test").Post("/api/v1/login").Reply(502)
	gock.New("http://chat.test").Post("/api/v1/login").Reply(200).BodyString(loginOK(""))
	if _, err := c.Login(context.Background(), "example", "pw"); !errors.As(err, new(*rocketchat.Error)) {
		t.Fatalf("err = %v, want the 502", err)
	}
	if len(gock.Pending()) != 1 {
		t.Fatalf("the login was repeated after a 502")
	}
	gock.Off()

	c = gockClient(t, "http://chat.test")
	gock.New("http://chat.test").Post("/api/v1/login").Reply(429).BodyString(`{"success":false,"error":"slow down [error-too-many-requests]"}`)
	gock.New("http://chat.test").Post("/api/v1/login").Reply(200).BodyString(loginOK(""))
	if _, err := c.Login(context.Background(), "example", "pw"); err != nil {
		t.Fatalf("after a 429: %v", err)
	}
	assertGockDone(t)
}

func TestLoginAnswerWithoutToken(t *testing.T) {
	c := gockClient(t, "http://chat.test")
	gock.New("http://chat.test").Post("/api/v1/login").Reply(200).BodyString(`{"status":"success","data":{}}`)
	if _, err := c.Login(context.Background(), "example", "pw"); !errors.Is(err, rocketchat.ErrInvalidResponse) {
		t.Fatalf("err = %v, want ErrInvalidResponse", err)
	}
	if !c.Credentials().IsZero() {
		t.Errorf("credentials stored from an answer without a token")
	}
}

func TestResume(t *testing.T) {
	c := gockClient(t, "http://chat.test")
	gock.New("http://chat.test").Post("/api/v1/login").JSON(map[string]string{"resume": "tok-OLD"}).Reply(200).BodyString(loginOK(`"success":true,`))
	u, err := c.Resume(context.Background(), "tok-OLD")
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "example" || c.Credentials().Token != "tok-NEW" {
		t.Errorf("user %q, credentials %#v", u.Username, c.Credentials())
	}
	assertGockDone(t)
}

func TestLogout(t *testing.T) {
	creds := rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: "t1"})
	t.Run("clears the credentials", func(t *testing.T) {
		c := gockClient(t, "http://chat.test", creds)
		gock.New("http://chat.test").Post("/api/v1/logout").MatchHeader("X-Auth-Token", "^t1$").
			Reply(200).BodyString(`{"status":"success","data":{"message":"You've been logged out!"}}`)
		gock.New("http://chat.test").Get("/api/v1/me").
			AddMatcher(func(r *http.Request, _ *gock.Request) (bool, error) {
				return r.Header.Get("X-User-Id") == "" && r.Header.Get("X-Auth-Token") == "", nil
			}).
			Reply(401).BodyString(`{"status":"error","message":"You must be logged in to do this."}`)
		if err := c.Logout(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !c.Credentials().IsZero() {
			t.Errorf("credentials after logout: %#v", c.Credentials())
		}
		if _, err := c.Me(context.Background()); !errors.Is(err, rocketchat.ErrUnauthorized) {
			t.Errorf("Me after logout: %v, want ErrUnauthorized", err)
		}
		assertGockDone(t)
	})
	t.Run("a dead token is cleared too", func(t *testing.T) {
		c := gockClient(t, "http://chat.test", creds)
		gock.New("http://chat.test").Post("/api/v1/logout").Reply(401).BodyString(`{"status":"error","message":"You must be logged in to do this."}`)
		if err := c.Logout(context.Background()); !errors.Is(err, rocketchat.ErrUnauthorized) {
			t.Fatalf("err = %v", err)
		}
		if !c.Credentials().IsZero() {
			t.Errorf("credentials kept: %#v", c.Credentials())
		}
	})
	t.Run("other failures keep them", func(t *testing.T) {
		c := gockClient(t, "http://chat.test", creds)
		gock.New("http://chat.test").Post("/api/v1/logout").Reply(503)
		if err := c.Logout(context.Background()); err == nil {
			t.Fatal("no error")
		}
		if c.Credentials().Token != "t1" {
			t.Errorf("credentials dropped after a failed logout")
		}
	})
}

func TestServerInfo(t *testing.T) {
	tests := []struct {
		name string
		body string
		want rocketchat.ServerInfo
	}{
		{"anonymous", `{"version":"8.8","minimumClientVersions":{"desktop":"3.9.6","mobile":"4.39.0"},"supportedVersions":{"signed":"x"},"success":true}`,
			rocketchat.ServerInfo{Version: "8.8", MinimumDesktopVersion: "3.9.6", MinimumMobileVersion: "4.39.0"}},
		{"with view-statistics", `{"version":"8.8.1","info":{"version":"8.8.1","build":{"date":"2026-01-01T00:00:00.000Z","nodeVersion":"v22.14.0"},"commit":{"hash":"abc123","branch":"HEAD"}},"cloudWorkspaceId":"ws-1","success":true}`,
			rocketchat.ServerInfo{Version: "8.8.1", Commit: "abc123", CloudWorkspaceID: "ws-1"}},
		{"3.x admin: info.version only", `{"info":{"version":"3.18.7","commit":{"hash":"def456"}},"success":true}`,
			rocketchat.ServerInfo{Version: "3.18.7", Commit: "def456"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := gockClient(t, "http://chat.test/sub")
			gock.New("http://chat.test").Get("/sub/api/info").Reply(200).BodyString(tt.body)
			got, err := c.ServerInfo(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			assertGockDone(t)
		})
	}
	c := gockClient(t, "http://chat.test")
	gock.New("http://chat.test").Get("/api/info").Reply(200).BodyString(`{"success":true}`)
	if _, err := c.ServerInfo(context.Background()); !errors.Is(err, rocketchat.ErrInvalidResponse) {
		t.Errorf("answer without a version: err = %v", err)
	}
}

func TestServerInfoAtLeast(t *testing.T) {
	tests := []struct {
		version      string
		major, minor int
		want         bool
	}{
		{"8.8.1", 6, 0, true}, {"8.8", 8, 8, true}, {"8.8", 8, 9, false}, {"5.4.2", 6, 0, false},
		{"6.0.0-rc.1", 6, 0, true}, {"10.0", 9, 5, true}, {"", 1, 0, false}, {"garbage", 0, 0, false},
	}
	for _, tt := range tests {
		i := &rocketchat.ServerInfo{Version: tt.version}
		if got := i.AtLeast(tt.major, tt.minor); got != tt.want {
			t.Errorf("%q.AtLeast(%d, %d) = %v", tt.version, tt.major, tt.minor, got)
		}
	}
}

// twoFactorServer answers like Rocket.Chat: a login or an endpoint that
// demands a code until the request carries want.
type twoFactorServer struct {
	mu       sync.Mutex
	want     string // the code (for "password": the SHA-256 hex)
	method   string
	requests []*http.Request
	bodies   []string
}

func (s *twoFactorServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, r)
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	details := fmt.Sprintf(`{"method":%q,"codeGenerated":false,"availableMethods":[%q],"emailOrUsername":"example"}`, s.method, s.method)
	if r.URL.Path == "/api/v1/login" {
		code := ""
		if i := strings.Index(string(body), `"code":"`); i >= 0 {
			code = strings.SplitN(string(body)[i+8:], `"`, 2)[0]
		}
		switch code {
		case "":
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"status":"error","error":"totp-required","message":"TOTP Required","details":%s,"success":false}`, details)
		case s.want:
			io.WriteString(w, loginOK(`"success":true,`))
		default:
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"status":"error","error":"totp-invalid","message":"TOTP Invalid","details":%s,"success":false}`, details)
		}
		return
	}
	switch code := r.Header.Get("X-2fa-Code"); {
	case code == "":
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":%s}`, details)
	case code == s.want && r.Header.Get("X-2fa-Method") == s.method:
		io.WriteString(w, `{"success":true,"done":true}`)
	default:
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"success":false,"error":"TOTP Invalid [totp-invalid]","errorType":"totp-invalid","details":%s}`, details)
	}
}

// scriptedHandler returns codes in turn and records the challenges.
func scriptedHandler(codes ...string) (rocketchat.TwoFactorHandler, *[]rocketchat.TwoFactorChallenge) {
	var seen []rocketchat.TwoFactorChallenge
	var mu sync.Mutex
	return func(_ context.Context, ch rocketchat.TwoFactorChallenge) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, ch)
		if len(seen) > len(codes) {
			return "", errors.New("no more codes")
		}
		return codes[len(seen)-1], nil
	}, &seen
}

func TestTwoFactorAtLogin(t *testing.T) {
	srv := &twoFactorServer{want: "123456", method: "totp"}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h, seen := scriptedHandler("000000", "123456")
	c := newClient(t, ts.URL, rocketchat.WithTwoFactor(h))
	if _, err := c.Login(context.Background(), "example", "pw"); err != nil {
		t.Fatalf("Login: %v", err)
	}
	want := []rocketchat.TwoFactorChallenge{
		{Method: "totp", EmailOrUsername: "example", AvailableMethods: []string{"totp"}},
		{Method: "totp", Invalid: true, EmailOrUsername: "example", AvailableMethods: []string{"totp"}},
	}
	if diff := cmp.Diff(want, *seen); diff != "" {
		t.Errorf("challenges (-want +got):\n%s", diff)
	}
	if len(srv.bodies) != 3 || !strings.Contains(srv.bodies[2], `"code":"123456"`) || !strings.Contains(srv.bodies[2], `"password":"pw"`) {
		t.Errorf("bodies sent: %q", srv.bodies)
	}
	if srv.requests[2].Header.Get("X-2fa-Code") != "" {
		t.Errorf("the login code went into a header too")
	}
	if c.Credentials().Token != "tok-NEW" {
		t.Errorf("credentials not stored")
	}
}

func TestTwoFactorOnEndpoint(t *testing.T) {
	sum := sha256.Sum256([]byte("pw-SECRET"))
	srv := &twoFactorServer{want: hex.EncodeToString(sum[:]), method: "password"}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h, _ := scriptedHandler("pw-SECRET")
	c := newClient(t, ts.URL, rocketchat.WithTwoFactor(h))
	var out struct{ Done bool }
	if err := c.Post(context.Background(), "v1/users.delete", map[string]string{"userId": "x"}, &out); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if !out.Done {
		t.Errorf("answer not decoded")
	}
	if len(srv.bodies) != 2 || srv.bodies[0] != srv.bodies[1] || srv.bodies[0] != `{"userId":"x"}` {
		t.Errorf("the body was not replayed intact: %q", srv.bodies)
	}
}

func TestTwoFactorBounded(t *testing.T) {
	srv := &twoFactorServer{want: "never", method: "totp"}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h, seen := scriptedHandler("1", "2", "3", "4", "5")
	c := newClient(t, ts.URL, rocketchat.WithTwoFactor(h))
	err := c.Get(context.Background(), "v1/x", nil, nil)
	if !errors.Is(err, rocketchat.ErrTwoFactorInvalid) {
		t.Fatalf("err = %v, want ErrTwoFactorInvalid", err)
	}
	if len(*seen) != 3 || len(srv.requests) != 4 {
		t.Errorf("asked %d times, sent %d requests; want 3 and 4", len(*seen), len(srv.requests))
	}
}

func TestTwoFactorEmailNeverResentWithoutNewCode(t *testing.T) {
	srv := &twoFactorServer{want: "right", method: "email"}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h, _ := scriptedHandler("wrong", "wrong")
	c := newClient(t, ts.URL, rocketchat.WithTwoFactor(h))
	err := c.Get(context.Background(), "v1/x", nil, nil)
	if !errors.Is(err, rocketchat.ErrTwoFactorInvalid) {
		t.Fatalf("err = %v, want ErrTwoFactorInvalid", err)
	}
	if len(srv.requests) != 2 {
		t.Errorf("%d requests, want 2: the rejected email code was sent again", len(srv.requests))
	}
}

func TestTwoFactorHandlerErrorIsWrapped(t *testing.T) {
	srv := &twoFactorServer{want: "x", method: "totp"}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	errNoTerminal := errors.New("no terminal")
	c := newClient(t, ts.URL, rocketchat.WithTwoFactor(func(context.Context, rocketchat.TwoFactorChallenge) (string, error) {
		return "", errNoTerminal
	}))
	if _, err := c.Login(context.Background(), "example", "pw"); !errors.Is(err, errNoTerminal) {
		t.Fatalf("err = %v, want the handler's error", err)
	}
}

func TestTwoFactorWithoutHandler(t *testing.T) {
	srv := &twoFactorServer{want: "x", method: "totp"}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c := newClient(t, ts.URL)
	_, err := c.Login(context.Background(), "example", "pw")
	var e *rocketchat.Error
	if !errors.As(err, &e) || !errors.Is(err, rocketchat.ErrTwoFactorRequired) || e.TwoFactor == nil || e.TwoFactor.Method != "totp" {
		t.Fatalf("err = %#v, want *Error with the challenge", err)
	}
	if len(srv.requests) != 1 {
		t.Errorf("%d requests, want 1", len(srv.requests))
	}
}

// TestConcurrentLoginLogout runs logins, logouts and credential swaps while
// other goroutines call; under -race, and no request carries a torn pair.
func TestConcurrentLoginLogout(t *testing.T) {
	var torn, n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/login":
			i := n.Add(1)
			fmt.Fprintf(w, `{"status":"success","data":{"userId":"user-%d","authToken":"token-%d","me":{"_id":"user-%d"}}}`, i, i, i)
		case "/api/v1/logout":
			io.WriteString(w, `{"status":"success","data":{"message":"You've been logged out!"}}`)
		default:
			id, tok := r.Header.Get("X-User-Id"), r.Header.Get("X-Auth-Token")
			if strings.TrimPrefix(id, "user-") != strings.TrimPrefix(tok, "token-") {
				torn.Add(1)
			}
			io.WriteString(w, `{"success":true}`)
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				var err error
				switch (g + i) % 4 {
				case 0:
					_, err = c.Login(ctx, "u", "p")
				case 1:
					err = c.Logout(ctx)
				case 2:
					c.SetCredentials(rocketchat.Credentials{UserID: fmt.Sprint("user-x", i), Token: fmt.Sprint("token-x", i)})
				default:
					err = c.Get(ctx, "v1/me", nil, nil)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if torn.Load() != 0 {
		t.Errorf("%d requests carried a torn pair", torn.Load())
	}
}
