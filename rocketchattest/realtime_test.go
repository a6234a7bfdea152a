package rocketchattest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestRealtimeConnect(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			srv := newTestServer(t, WithVersion(v))
			c := dialDDP(t, srv)
			c.sendRaw(`{"msg":"connect","version":"1","support":["1","pre2","pre1"]}`)
			if srv.gen.ddpWelcome {
				c.want(`{"server_id":"0"}`)
			}
			m := c.read()
			if m["msg"] != "connected" || len(m["session"].(string)) != 17 || len(m) != 2 {
				t.Errorf("connect answered %v", m)
			}
			c.sendRaw(`{"msg":"ping","id":"p1"}`)
			c.want(`{"msg":"pong","id":"p1"}`)
			c.sendRaw(`{"msg":"ping"}`)
			c.want(`{"msg":"pong"}`)
		})
	}
}

func TestRealtimeBasePath(t *testing.T) {
	srv := newTestServer(t, WithBasePath("/chat"))
	c := dialDDPURL(t, srv, "ws"+strings.TrimPrefix(srv.URL, "http")+"/websocket")
	if !strings.HasSuffix(srv.URL, "/chat") {
		t.Fatalf("URL %s", srv.URL)
	}
	c.connect()
	// Without the base path there is no WebSocket.
	resp, err := srv.Client().Get("http://" + srv.Addr().String() + "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/websocket outside the base path: %d", resp.StatusCode)
	}
}

func TestRealtimeConnectFailed(t *testing.T) {
	srv := newTestServer(t, WithVersion("6.13.1"))
	for _, tc := range []struct{ connect, want string }{
		{`{"msg":"connect","version":"2","support":["2"]}`, `{"msg":"failed","version":"1"}`},
		{`{"msg":"connect","version":"1"}`, `{"msg":"failed","version":"1"}`},
		// A version the client supports, but not the best both speak.
		{`{"msg":"connect","version":"1","support":["pre1","1"]}`, `{"msg":"failed","version":"pre1"}`},
	} {
		c := dialDDP(t, srv)
		c.sendRaw(tc.connect)
		c.want(tc.want)
		if code := c.wantClosed(); code != websocket.StatusNormalClosure {
			t.Errorf("%s: closed with %d", tc.connect, code)
		}
	}
}

func TestRealtimeProtocolErrors(t *testing.T) {
	srv := newTestServer(t)
	c := dialDDP(t, srv)
	c.sendRaw(`{"msg":"sub","id":"1","name":"x"}`)
	c.want(`{"msg":"error","reason":"Must connect first","offendingMessage":{"msg":"sub","id":"1","name":"x"}}`)
	c.sendRaw(`not json`)
	c.want(`{"msg":"error","reason":"Bad request"}`)
	c.sendRaw(`{"x":1}`)
	c.want(`{"msg":"error","reason":"Bad request","offendingMessage":{"x":1}}`)
	c.connect()
	c.sendRaw(`{"msg":"connect","version":"1","support":["1"]}`)
	c.want(`{"msg":"error","reason":"Already connected","offendingMessage":{"msg":"connect","version":"1","support":["1"]}}`)
	c.sendRaw(`{"msg":"what"}`)
	c.want(`{"msg":"error","reason":"Bad request","offendingMessage":{"msg":"what"}}`)
	c.sendRaw(`{"msg":"sub","id":1,"name":"stream-room-messages"}`)
	c.want(`{"msg":"error","reason":"Malformed subscription","offendingMessage":{"msg":"sub","id":1,"name":"stream-room-messages"}}`)
	c.sendRaw(`{"msg":"method","id":"1","method":"login","params":{}}`)
	c.want(`{"msg":"error","reason":"Malformed method invocation","offendingMessage":{"msg":"method","id":"1","method":"login","params":{}}}`)
	m := c.call("2", "sendMessage", map[string]any{"rid": "GENERAL", "msg": "hi"})
	wantJSON(t, m["error"], `{"isClientSafe":true,"error":404,"reason":"Method 'sendMessage' not found","message":"Method 'sendMessage' not found [404]","errorType":"Meteor.Error"}`)
	c.sendRaw(`{"msg":"sub","id":"s","name":"meteor_autoupdate_clientVersions","params":[]}`)
	c.want(`{"msg":"nosub","id":"s","error":{"isClientSafe":true,"error":404,"reason":"Subscription 'meteor_autoupdate_clientVersions' not found","message":"Subscription 'meteor_autoupdate_clientVersions' not found [404]","errorType":"Meteor.Error"}}`)
	// The connection survived every error.
	c.sendRaw(`{"msg":"ping","id":"still"}`)
	c.want(`{"msg":"pong","id":"still"}`)
}

// wantJSON compares a decoded value with JSON text, key order aside.
func wantJSON(t *testing.T, got any, want string) {
	t.Helper()
	var w any
	if err := jsonUnmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	wantJSONValue(t, map[string]any{"v": got}, map[string]any{"v": w})
}

func TestRealtimeLogin(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			clock := newTestClock()
			srv := newTestServer(t, WithVersion(v), WithClock(clock.Now), WithUser(bobUser),
				WithUser(totpUser))
			bobID, tok := srv.LoginToken("bob")
			c := dialDDP(t, srv)
			c.connect()

			m := c.call("1", "login", map[string]any{"resume": "wrong"})
			wantRefusal := map[string]string{
				"3.18.7": `{"isClientSafe":true,"error":403,"reason":"You've been logged out by the server. Please log in again.","message":"You've been logged out by the server. Please log in again. [403]","errorType":"Meteor.Error"}`,
				"5.4.2":  `{"isClientSafe":true,"error":403,"reason":"You've been logged out by the server. Please log in again.","message":"You've been logged out by the server. Please log in again. [403]","errorType":"Meteor.Error"}`,
				"6.13.1": `{"isClientSafe":true,"error":403,"reason":"You've been logged out by the server. Please log in again.","message":"You've been logged out by the server. Please log in again. [403]","errorType":"Meteor.Error"}`,
				"7.10.0": `{"isClientSafe":true,"error":401,"reason":"User not found","message":"User not found [401]","errorType":"Meteor.Error"}`,
				"8.8.1":  `{"isClientSafe":true,"error":401,"reason":"Incorrect login or password","message":"Incorrect login or password [401]","errorType":"Meteor.Error"}`,
				"9.0.0":  `{"isClientSafe":true,"error":401,"reason":"Incorrect login or password","message":"Incorrect login or password [401]","errorType":"Meteor.Error"}`,
			}[v]
			wantJSON(t, m["error"], wantRefusal)

			m = c.call("2", "login", map[string]any{"resume": tok})
			expires := clock.Now().Add(90 * 24 * time.Hour).UnixMilli()
			wantJSON(t, m["result"], fmt.Sprintf(`{"id":%q,"token":%q,"tokenExpires":{"$date":%d},"type":"resume"}`, bobID, tok, expires))

			// Password logins send the SHA-256 digest.
			m = c.call("3", "login", map[string]any{"user": map[string]any{"username": "bob"}, "password": map[string]any{"digest": sha256Hex("bobpass"), "algorithm": "sha-256"}})
			res, _ := m["result"].(map[string]any)
			if res == nil || res["type"] != "password" || res["id"] != bobID || res["token"] == tok {
				t.Errorf("password login: %v", m)
			}
			m = c.call("4", "login", map[string]any{"user": map[string]any{"username": "bob"}, "password": map[string]any{"digest": sha256Hex("nope"), "algorithm": "sha-256"}})
			wantPassword := map[string]string{
				"3.18.7": `{"isClientSafe":true,"error":403,"reason":"User not found","message":"User not found [403]","errorType":"Meteor.Error"}`,
				"5.4.2":  `{"isClientSafe":true,"error":403,"reason":"User not found","message":"User not found [403]","errorType":"Meteor.Error"}`,
				"6.13.1": `{"isClientSafe":true,"error":403,"reason":"Incorrect password","message":"Incorrect password [403]","errorType":"Meteor.Error"}`,
			}[v]
			if wantPassword == "" {
				wantPassword = wantRefusal
			}
			wantJSON(t, m["error"], wantPassword)

			// A user with 2FA gets totp-required, then logs in with the
			// login wrapped in totp.
			tinaLogin := map[string]any{"user": map[string]any{"username": "tina"}, "password": map[string]any{"digest": sha256Hex("tinapass"), "algorithm": "sha-256"}}
			m = c.call("5", "login", tinaLogin)
			wantJSON(t, m["error"], `{"isClientSafe":true,"error":"totp-required","reason":"TOTP Required","details":{"method":"totp","codeGenerated":false,"availableMethods":["totp"]},"message":"TOTP Required [totp-required]","errorType":"Meteor.Error"}`)
			m = c.call("6", "login", map[string]any{"totp": map[string]any{"login": tinaLogin, "code": totpCode(t, clock.Now())}})
			if res, _ := m["result"].(map[string]any); res == nil || res["type"] != "password" {
				t.Errorf("totp login: %v", m)
			}
		})
	}
}

func TestRealtimeUpdatedOrder(t *testing.T) {
	for _, v := range []string{"6.13.1", "8.8.1"} {
		srv := newTestServer(t, WithVersion(v), WithUser(bobUser))
		_, tok := srv.LoginToken("bob")
		c := dialDDP(t, srv)
		c.connect()
		c.sendRaw(`{"msg":"method","id":"1","method":"login","params":[{"resume":"` + tok + `"}]}`)
		// The session gains a user: its document comes first.
		if m := c.read(); m["msg"] != "added" || m["collection"] != "users" || m["fields"].(map[string]any)["username"] != "bob" {
			t.Errorf("%s: first frame %v", v, m)
		}
		first := c.read()
		second := c.read()
		// Meteor 3 (7.x and later) fires the write fence before the result.
		if srv.gen.updatedFirst {
			first, second = second, first
		}
		if first["msg"] != "result" || second["msg"] != "updated" {
			t.Errorf("%s: frames %v then %v", v, first, second)
		}
	}
}

func TestRealtimeRevokedToken(t *testing.T) {
	srv := newTestServer(t, WithUser(bobUser))
	_, tok := srv.LoginToken("bob")
	c := dialDDP(t, srv)
	c.connect()
	c.resume(tok)
	srv.RevokeToken(tok)
	if code := c.wantClosed(); code != websocket.StatusNormalClosure {
		t.Errorf("closed with %d", code)
	}
	c = dialDDP(t, srv)
	c.connect()
	if m := c.call("1", "login", map[string]any{"resume": tok}); m["error"] == nil {
		t.Errorf("a revoked token logged in: %v", m)
	}
}

func TestRealtimeHeartbeat(t *testing.T) {
	srv := newTestServer(t, WithRealtimeHeartbeat(100*time.Millisecond))
	c := dialDDP(t, srv)
	c.connect()
	c.want(`{"msg":"ping"}`)
	c.sendRaw(`{"msg":"pong"}`)
	// Answered, the session lives on: the next check pings again
	// instead of closing.
	c.want(`{"msg":"ping"}`)
	// Unanswered, it ends.
	if code := c.wantClosed(); code != websocket.StatusNormalClosure {
		t.Errorf("closed with %d", code)
	}
}
