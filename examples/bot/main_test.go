package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

// TestConversation runs the bot against a server that answers each
// endpoint with a real Rocket.Chat answer (the OpenAPI examples in the
// module's testdata/), and checks what the bot asked and printed.
func TestConversation(t *testing.T) {
	files := map[string]string{
		"/api/v1/chat.postMessage": "chat_postMessage.json",
		"/api/v1/chat.getMessage":  "chat_getMessage.json",
		"/api/v1/chat.update":      "chat_update.json",
		"/api/v1/channels.history": "channels_history.json",
		"/api/v1/chat.react":       "",
		"/api/v1/rooms.info":       "",
	}
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.Path+" "+r.URL.RawQuery+string(body))
		mu.Unlock()
		if r.Header.Get("X-User-Id") != "bot-id" || r.Header.Get("X-Auth-Token") != "bot-token" {
			http.Error(w, `{"status":"error","message":"You must be logged in to do this."}`, http.StatusUnauthorized)
			return
		}
		file, ok := files[r.URL.Path]
		var answer []byte
		switch {
		case !ok:
			http.NotFound(w, r)
			return
		case r.URL.Path == "/api/v1/chat.react":
			answer = []byte(`{"success":true}`)
		case r.URL.Path == "/api/v1/rooms.info":
			answer = []byte(`{"room":{"_id":"GENERAL","t":"c","name":"general","usersCount":6,"msgs":6},"success":true}`)
		default:
			var err error
			if answer, err = os.ReadFile("../../testdata/" + file); err != nil {
				t.Error(err)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()

	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-user-id", "bot-id", "-token", "bot-token", "-history", "3"}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	wantAsked := []string{
		`POST /api/v1/chat.postMessage {"channel":"#general","text":"Hello from the Go bot!"}`,
		`GET /api/v1/chat.getMessage msgId=jC9chsFddTvsbFQG7`,
		`POST /api/v1/chat.react {"messageId":"jC9chsFddTvsbFQG7","emoji":":thumbsup:","shouldReact":true}`,
		`POST /api/v1/chat.update {"roomId":"GENERAL","msgId":"jC9chsFddTvsbFQG7","text":"Hello from the Go bot! (edited)"}`,
		`GET /api/v1/rooms.info roomId=GENERAL`,
		`GET /api/v1/channels.history count=100&offset=0&roomId=GENERAL`,
	}
	if diff := cmp.Diff(wantAsked, asked); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	// The answers are the server's examples, not one conversation: each
	// line shows what its call returned.
	wantOut := `posted jC9chsFddTvsbFQG7 in room GENERAL: "This is a test!"
read back: "s" by @marc.pow
reacted with :thumbsup:
edited: "Updated list of links! https://google.com https://hola.org/ https://www.usepayday.com/ https://www.getbumpa.com/ https://www.atlassian.com/software/jira http://localhost:3000/"
the 3 newest messages:
  2016-12-09 12:50:51 @testing: hi
  2016-12-08 15:41:37 @testing2: (joined)
  2016-12-07 15:47:49 @testing1: (joined)
`
	if diff := cmp.Diff(wantOut, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// TestDemoMode runs the bot against the built-in demo server.
func TestDemoMode(t *testing.T) {
	t.Setenv("ROCKETCHAT_URL", "")
	var out, errOut bytes.Buffer
	err := run(context.Background(), nil, &out, &errOut)
	if errors.Is(err, rocketchat.ErrNotFound) {
		t.Skip("the demo server (rocketchattest) does not serve the chat endpoints yet:", err)
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(errOut.String(), "built-in demo server") {
		t.Errorf("stderr does not say it uses the demo server: %q", errOut.String())
	}
	for _, want := range []string{`posted `, `read back: "Hello from the Go bot!" by @bot`, "reacted with :thumbsup:",
		`edited: "Hello from the Go bot! (edited)"`, "@bot: Hello from the Go bot! (edited)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestBadCredentialsAreExplained: one line naming what to check, no token.
func TestBadCredentialsAreExplained(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"status":"error","message":"You must be logged in to do this.","success":false,"error":"You must be logged in to do this."}`))
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-user-id", "x", "-token", "secret-token"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "ROCKETCHAT_AUTH_TOKEN") || strings.Contains(err.Error(), "secret-token") || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %v; want one line naming the credentials, without the token", err)
	}
}
