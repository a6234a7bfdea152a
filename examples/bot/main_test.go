package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// The bot against the fake server: alice writes through REST, the bot
// hears her over the realtime API and answers through REST.

// pingServer starts a fake server with the bot and alice, and a client
// for each; both bypass the rate limiter as bots do.
func pingServer(t *testing.T) (srv *rocketchattest.Server, bot, alice *rocketchat.Client, dialed <-chan struct{}) {
	t.Helper()
	srv = rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "bot", Roles: []string{"bot"}}),
		rocketchattest.WithUser(rocketchattest.User{Username: "alice", Roles: []string{"user", "bot"}}),
	)
	t.Cleanup(srv.Close)
	d := &dialSignal{dialed: make(chan struct{})}
	client := func(user string, opts ...rocketchat.Option) *rocketchat.Client {
		id, token := srv.PersonalAccessToken(user)
		c, err := rocketchat.NewClient(srv.URL, append(opts, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}))...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return srv, client("bot", rocketchat.WithHTTPClient(&http.Client{Transport: d})), client("alice"), d.dialed
}

// dialSignal closes dialed when its client first dials the realtime API:
// Listen has started, so it hears every message posted from then on.
type dialSignal struct {
	once   sync.Once
	dialed chan struct{}
}

func (d *dialSignal) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/websocket") {
		d.once.Do(func() { close(d.dialed) })
	}
	return http.DefaultTransport.RoundTrip(r)
}

// lines hands each write of the bot's output to the test: one per answer.
type lines chan string

func (l lines) Write(p []byte) (int, error) {
	l <- string(p)
	return len(p), nil
}

// startBot runs the bot on rooms until the test ends, once it listens.
func startBot(t *testing.T, bot *rocketchat.Client, dialed <-chan struct{}, rooms ...string) (answers lines) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	answers = make(lines, 16) // room for answers nobody waits for, which the test then counts
	var stderr bytes.Buffer
	done := make(chan error)
	go func() { done <- answerPings(ctx, bot, rooms, 0, answers, &stderr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("answerPings: %v", err)
		}
		if stderr.Len() > 0 {
			t.Errorf("the bot complained: %s", stderr.String())
		}
	})
	select {
	case <-dialed:
	case err := <-done:
		t.Fatalf("the bot stopped before listening: %v", err)
	}
	return answers
}

// nextAnswer waits for the bot's next answer and returns what it printed.
func nextAnswer(t *testing.T, answers lines) string {
	t.Helper()
	select {
	case s := <-answers:
		return s
	case <-t.Context().Done():
		t.Fatal("no answer before the test's end")
	}
	return ""
}

func post(t *testing.T, c *rocketchat.Client, m rocketchat.NewMessage) *rocketchat.Message {
	t.Helper()
	posted, err := c.PostMessage(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	return posted
}

// answeredInThread waits for the bot's answers until one in thread and
// returns how many pongs the room then holds. The bot answers in order,
// so an answer to any earlier message, wanted or not, is there by then.
func answeredInThread(t *testing.T, srv *rocketchattest.Server, answers lines, thread string) int {
	t.Helper()
	for {
		nextAnswer(t, answers)
		all := pongs(srv, "GENERAL")
		for _, m := range all {
			if m.ThreadID == thread {
				return len(all)
			}
		}
	}
}

// pongs lists the bot's answers as the server holds them, by thread.
func pongs(srv *rocketchattest.Server, room string) []rocketchattest.Message {
	var out []rocketchattest.Message
	for _, m := range srv.Messages(room) {
		if m.Username == "bot" && m.Text == "pong" {
			out = append(out, rocketchattest.Message{RoomID: m.RoomID, Username: m.Username, Text: m.Text, ThreadID: m.ThreadID})
		}
	}
	return out
}

func TestAnswersPingOnce(t *testing.T) {
	srv, bot, alice, dialed := pingServer(t)
	answers := startBot(t, bot, dialed, "GENERAL")
	post(t, alice, rocketchat.NewMessage{RoomID: "GENERAL", Text: "!ping"})
	if got, want := nextAnswer(t, answers), "@alice: !ping\n@bot: pong\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	want := []rocketchattest.Message{{RoomID: "GENERAL", Username: "bot", Text: "pong"}}
	if diff := cmp.Diff(want, pongs(srv, "GENERAL")); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	calls := srv.Calls("v1/chat.postMessage")
	if len(calls) != 2 || calls[1].UserID != srv.UserID("bot") || string(calls[1].Body) != `{"roomId":"GENERAL","text":"pong"}` {
		t.Errorf("chat.postMessage calls: %+v; want alice's, then the bot's answer", calls)
	}
}

func TestAnswersInTheThread(t *testing.T) {
	srv, bot, alice, dialed := pingServer(t)
	answers := startBot(t, bot, dialed) // every joined room
	root := post(t, alice, rocketchat.NewMessage{RoomID: "GENERAL", Text: "is the bot up?"})
	post(t, alice, rocketchat.NewMessage{RoomID: "GENERAL", ThreadID: root.ID, Text: "!ping"})
	nextAnswer(t, answers)
	want := []rocketchattest.Message{{RoomID: "GENERAL", Username: "bot", Text: "pong", ThreadID: root.ID}}
	if diff := cmp.Diff(want, pongs(srv, "GENERAL")); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

// TestIgnoresItsOwnAndEdits: the bot's own "!ping" and an edit of
// alice's are not answered. Alice's last "!ping" proves it: the bot
// answers in order, so an answer to either would have come first.
func TestIgnoresItsOwnAndEdits(t *testing.T) {
	srv, bot, alice, dialed := pingServer(t)
	answers := startBot(t, bot, dialed, "GENERAL")
	post(t, bot, rocketchat.NewMessage{RoomID: "GENERAL", Text: "!ping"})
	first := post(t, alice, rocketchat.NewMessage{RoomID: "GENERAL", Text: "!ping"})
	nextAnswer(t, answers)
	if _, err := alice.UpdateMessage(t.Context(), "GENERAL", first.ID, " !ping"); err != nil {
		t.Fatal(err)
	}
	// The last "!ping" is said in first's thread, so that its answer
	// stands out.
	post(t, alice, rocketchat.NewMessage{RoomID: "GENERAL", ThreadID: first.ID, Text: "!ping"})
	if n := answeredInThread(t, srv, answers, first.ID); n != 2 {
		t.Errorf("%d answers, want 2: to alice's two messages only", n)
	}
}

// TestAnswersOnceAcrossARestart: a "!ping" said while the server dropped
// every WebSocket is answered once the listener repaired itself, once.
func TestAnswersOnceAcrossARestart(t *testing.T) {
	srv, bot, alice, dialed := pingServer(t)
	answers := startBot(t, bot, dialed, "GENERAL")
	first := post(t, alice, rocketchat.NewMessage{RoomID: "GENERAL", Text: "!ping"})
	nextAnswer(t, answers)
	srv.DropRealtime()
	post(t, alice, rocketchat.NewMessage{RoomID: "GENERAL", Text: "!ping"})
	nextAnswer(t, answers)
	// The last "!ping" is said in first's thread, so that its answer
	// stands out.
	post(t, alice, rocketchat.NewMessage{RoomID: "GENERAL", ThreadID: first.ID, Text: "!ping"})
	if n := answeredInThread(t, srv, answers, first.ID); n != 3 {
		t.Errorf("%d answers, want 3", n)
	}
	if len(srv.Calls("v1/chat.syncMessages")) < 2 {
		t.Error("no catch-up after the drop")
	}
}

// TestDemoMode runs the bot against the built-in demo server: alice says
// "!ping", the bot answers and the run ends.
func TestDemoMode(t *testing.T) {
	t.Setenv("ROCKETCHAT_URL", "")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	if err := run(ctx, nil, &out, &errOut); err != nil {
		t.Fatalf("run: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the demo did not end by itself")
	}
	if !strings.Contains(errOut.String(), "built-in demo server") {
		t.Errorf("stderr does not say it uses the demo server: %q", errOut.String())
	}
	if got, want := out.String(), "@alice: !ping\n@bot: pong\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
}

// TestBadCredentialsAreExplained: a refused token ends the bot with one
// line naming what to check, without the token.
func TestBadCredentialsAreExplained(t *testing.T) {
	srv := rocketchattest.NewServer(rocketchattest.WithUser(rocketchattest.User{Username: "bot", Roles: []string{"bot"}}))
	defer srv.Close()
	err := run(t.Context(), []string{"-url", srv.URL, "-user-id", srv.UserID("bot"), "-token", "secret-token"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ROCKETCHAT_AUTH_TOKEN") || strings.Contains(err.Error(), "secret-token") || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %v; want one line naming the credentials, without the token", err)
	}
}
