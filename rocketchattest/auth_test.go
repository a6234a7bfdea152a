package rocketchattest

import (
	"net/http"
	"strings"
	"testing"
)

// The releases the tests speak to, one per generation.
var generations = []string{"3.18.7", "5.4.2", "6.13.1", "7.10.0", "8.8.1", "9.0.0"}

func TestUnauthorizedBodyPerGeneration(t *testing.T) {
	want := map[string]string{
		"3.18.7": `{"status":"error","message":"You must be logged in to do this."}`,
		"5.4.2":  `{"status":"error","message":"You must be logged in to do this."}`,
		"6.13.1": `{"status":"error","message":"You must be logged in to do this."}`,
		"7.10.0": `{"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."}`,
		"8.8.1":  `{"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."}`,
		"9.0.0":  `{"success":false,"error":"You must be logged in to do this."}`,
	}
	for _, v := range generations {
		t.Run(v, func(t *testing.T) {
			srv := newTestServer(t, WithVersion(v), WithUser(adminUser), WithUser(bobUser))
			adminID, adminTok := srv.LoginToken("admin")
			bobID, _ := srv.LoginToken("bob")
			cases := map[string][]string{
				"no headers":           nil,
				"user ID only":         {"X-User-Id", adminID},
				"token only":           {"X-Auth-Token", adminTok},
				"unknown token":        auth(adminID, "nope"),
				"another user's token": auth(bobID, adminTok),
			}
			for name, h := range cases {
				for _, ep := range []string{"v1/me", "v1/instances.get"} {
					got := call(t, srv, http.MethodGet, ep, "", h...)
					if got.status != http.StatusUnauthorized || got.body != want[v] {
						t.Errorf("%s, %s: %d %s, want 401 %s", name, ep, got.status, got.body, want[v])
					}
				}
			}
		})
	}
}

func TestForbiddenBodyPerGeneration(t *testing.T) {
	legacy := `{"success":false,"error":"unauthorized"}`
	newer := `{"success":false,"error":"User does not have the permissions required for this action [error-unauthorized]"}`
	want := map[string]string{"3.18.7": legacy, "5.4.2": legacy, "6.13.1": legacy, "7.10.0": newer, "8.8.1": newer, "9.0.0": newer}
	for _, v := range generations {
		t.Run(v, func(t *testing.T) {
			srv := newTestServer(t, WithVersion(v), WithUser(bobUser))
			got := call(t, srv, http.MethodGet, "v1/instances.get", "", auth(srv.PersonalAccessToken("bob"))...)
			wantAnswer(t, got, http.StatusForbidden, want[v])
		})
	}
}

func TestLoginSuccessPerGeneration(t *testing.T) {
	for _, v := range generations {
		t.Run(v, func(t *testing.T) {
			srv := newTestServer(t, WithVersion(v), WithUser(adminUser))
			got := call(t, srv, http.MethodPost, "v1/login", `{"user":"admin","password":"secret"}`)
			if got.status != http.StatusOK {
				t.Fatalf("status %d: %s", got.status, got.body)
			}
			body := decode(t, got.body)
			_, hasSuccess := body["success"]
			wantSuccess := v >= "7"
			if hasSuccess != wantSuccess {
				t.Errorf("success key present = %v, want %v: %s", hasSuccess, wantSuccess, got.body)
			}
			if body["status"] != "success" {
				t.Errorf("status = %v, want success", body["status"])
			}
			data := body["data"].(map[string]any)
			if data["userId"] != srv.UserID("admin") || data["authToken"] == "" {
				t.Errorf("data = %v", data)
			}
			me := data["me"].(map[string]any)
			if me["username"] != "admin" || me["_id"] != srv.UserID("admin") {
				t.Errorf("me = %v", me)
			}
			if !strings.HasPrefix(got.body, `{"status":"success","data":{"userId":`) {
				t.Errorf("keys out of the server's order: %.60s", got.body)
			}
		})
	}
}

func TestLoginIdentifiers(t *testing.T) {
	srv := newTestServer(t, WithUser(adminUser), WithoutRateLimit())
	for _, body := range []string{
		`{"user":"admin","password":"secret"}`,
		`{"user":"ADMIN","password":"secret"}`,
		`{"user":"admin@example.com","password":"secret"}`,
		`{"username":"admin","password":"secret"}`,
		`{"email":"Admin@Example.com","password":"secret"}`,
		`{"user":"admin","password":{"digest":"2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b","algorithm":"sha-256"}}`,
	} {
		if got := call(t, srv, http.MethodPost, "v1/login", body); got.status != http.StatusOK {
			t.Errorf("login %s: %d %s", body, got.status, got.body)
		}
	}
	// A form body, as curl -d sends it.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/login", strings.NewReader("user=admin&password=secret"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("form login: %d", resp.StatusCode)
	}
	if n := srv.Tokens("admin"); n != 7 {
		t.Errorf("Tokens = %d after 7 password logins, want 7 (each login makes a token)", n)
	}
}

func TestLoginFailures(t *testing.T) {
	inactive := User{Username: "gone", Password: "pw", Inactive: true}
	for _, tc := range []struct {
		version, body, want string
	}{
		{"5.4.2", `{"user":"admin","password":"wrong"}`, `{"status":"error","error":"Unauthorized","message":"Unauthorized"}`},
		{"5.4.2", `{"user":"nobody","password":"secret"}`, `{"status":"error","error":"Unauthorized","message":"Unauthorized"}`},
		{"6.13.1", `{"username":"admin","password":"wrong"}`, `{"status":"error","error":"Unauthorized","message":"Unauthorized"}`},
		{"8.8.1", `{"user":"admin","password":"wrong"}`, `{"success":false,"error":"Unauthorized","status":"error","message":"Unauthorized"}`},
		{"8.8.1", `{"user":"gone","password":"pw"}`, `{"success":false,"error":"error-user-is-not-activated","status":"error","message":"User is not activated"}`},
		{"8.8.1", `{"resume":"no-such-token"}`, `{"success":false,"error":403,"status":"error","message":"You've been logged out by the server. Please log in again."}`},
		{"5.4.2", `{"resume":"no-such-token"}`, `{"status":"error","error":403,"message":"You've been logged out by the server. Please log in again."}`},
		{"8.8.1", `{}`, `{"success":false,"error":400,"status":"error","message":"Unrecognized options for login request"}`},
		{"8.8.1", `not json`, `{"success":false,"error":400,"status":"error","message":"Unrecognized options for login request"}`},
		{"9.0.0", `{"user":"admin","password":"wrong"}`, `{"success":false,"error":"unauthorized"}`},
	} {
		srv := newTestServer(t, WithVersion(tc.version), WithUser(adminUser), WithUser(inactive))
		got := call(t, srv, http.MethodPost, "v1/login", tc.body)
		if got.status != http.StatusUnauthorized || got.body != tc.want {
			t.Errorf("%s login %s:\n got %d %s\nwant 401 %s", tc.version, tc.body, got.status, got.body, tc.want)
		}
	}
}

func TestResumeKeepsToken(t *testing.T) {
	srv := newTestServer(t, WithUser(adminUser))
	_, tok := login(t, srv, "admin", "secret")
	got := call(t, srv, http.MethodPost, "v1/login", `{"resume":"`+tok+`"}`)
	if got.status != http.StatusOK {
		t.Fatalf("resume: %d %s", got.status, got.body)
	}
	data := decode(t, got.body)["data"].(map[string]any)
	if data["authToken"] != tok {
		t.Errorf("resume answered token %v, want the same %v", data["authToken"], tok)
	}
	if n := srv.Tokens("admin"); n != 1 {
		t.Errorf("Tokens = %d after a login and a resume, want 1", n)
	}
}

func TestLogoutKillsToken(t *testing.T) {
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		t.Run(method, func(t *testing.T) {
			srv := newTestServer(t, WithUser(adminUser), WithUser(bobUser))
			id, tok := login(t, srv, "admin", "secret")
			other := auth(srv.LoginToken("admin"))
			pat := auth(srv.PersonalAccessToken("bob"))

			got := call(t, srv, method, "v1/logout", "", auth(id, tok)...)
			wantAnswer(t, got, http.StatusOK, `{"status":"success","data":{"message":"You've been logged out!"}}`)
			if got := call(t, srv, http.MethodGet, "v1/me", "", auth(id, tok)...); got.status != http.StatusUnauthorized {
				t.Errorf("me after logout: %d, want 401", got.status)
			}
			if got := call(t, srv, http.MethodGet, "v1/me", "", other...); got.status != http.StatusOK {
				t.Errorf("me with the user's other token: %d, want 200", got.status)
			}
			// A personal access token is a login token too: logging out
			// with it revokes it.
			call(t, srv, method, "v1/logout", "", pat...)
			if got := call(t, srv, http.MethodGet, "v1/me", "", pat...); got.status != http.StatusUnauthorized {
				t.Errorf("me after logout with a PAT: %d, want 401", got.status)
			}
		})
	}
}

func TestRevokeToken(t *testing.T) {
	srv := newTestServer(t, WithUser(adminUser))
	id, tok := srv.PersonalAccessToken("admin")
	srv.RevokeToken(tok)
	if got := call(t, srv, http.MethodGet, "v1/me", "", auth(id, tok)...); got.status != http.StatusUnauthorized {
		t.Errorf("me with a revoked token: %d, want 401", got.status)
	}
}

func TestMe(t *testing.T) {
	nepal := User{
		Username:     "ram",
		Password:     "pw",
		Email:        "ram@example.np",
		Name:         "Ram Bahadur",
		UTCOffset:    5.75,
		Status:       "online",
		CustomFields: map[string]string{"team": "ops"},
	}
	srv := newTestServer(t, WithBasePath("/chat"), WithUser(nepal))
	got := call(t, srv, http.MethodGet, "v1/me", "", auth(srv.PersonalAccessToken("ram"))...)
	if got.status != http.StatusOK {
		t.Fatalf("me: %d %s", got.status, got.body)
	}
	body := decode(t, got.body)
	delete(body, "settings")
	want := map[string]any{
		"_id":              srv.UserID("ram"),
		"name":             "Ram Bahadur",
		"emails":           []any{map[string]any{"address": "ram@example.np", "verified": false}},
		"status":           "online",
		"statusConnection": "offline",
		"username":         "ram",
		"utcOffset":        5.75,
		"active":           true,
		"roles":            []any{"user"},
		"customFields":     map[string]any{"team": "ops"},
		"avatarUrl":        srv.URL + "/avatar/ram",
		"success":          true,
	}
	wantJSONValue(t, body, want)
	if !strings.Contains(got.body, `"utcOffset":5.75`) || !strings.Contains(got.body, `"settings":{"preferences":{"enableAutoAway":false,`) {
		t.Errorf("me body: %s", got.body)
	}
	if !strings.HasSuffix(srv.URL, "/chat") {
		t.Errorf("URL = %s, want the base path at the end", srv.URL)
	}
}
