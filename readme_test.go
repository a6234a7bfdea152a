package rocketchat_test

// The code of the README's "Testing your code" section, as it stands
// there, so that it compiles and runs with every go test. gock is global:
// no t.Parallel.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/h2non/gock.v1"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// README: rocketchattest.
func TestInstancesOnFakeServer(t *testing.T) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithVersion("8.8.1"),
		rocketchattest.WithUser(rocketchattest.User{Username: "admin", Password: "secret", Roles: []string{"admin"}}),
	)
	t.Cleanup(srv.Close)
	userID, token := srv.PersonalAccessToken("admin")

	c, err := rocketchat.NewClient(srv.URL,
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: userID, Token: token}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Instances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(srv.Instances(), got); diff != "" {
		t.Errorf("Instances (-want +got):\n%s", diff)
	}
}

// README: a bot's test against the fake alone.
func TestBotPostsWelcome(t *testing.T) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "greeter", Roles: []string{"bot"}}),
	)
	t.Cleanup(srv.Close)
	userID, token := srv.PersonalAccessToken("greeter")
	c, err := rocketchat.NewClient(srv.URL,
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: userID, Token: token}))
	if err != nil {
		t.Fatal(err)
	}

	// The code under test posts a message...
	posted, err := c.PostMessage(context.Background(), rocketchat.NewMessage{Channel: "#general", Text: "Welcome!"})
	if err != nil {
		t.Fatal(err)
	}

	// ...which reads back as it was posted...
	got, err := c.Message(context.Background(), posted.ID)
	if err != nil || got.Text != "Welcome!" || got.Sender.Username != "greeter" {
		t.Fatalf("read back %+v, %v", got, err)
	}

	// ...and the server saw exactly one post, with the text in its body.
	calls := srv.Calls("v1/chat.postMessage")
	if len(calls) != 1 || calls[0].Status != http.StatusOK || !strings.Contains(string(calls[0].Body), `"text":"Welcome!"`) {
		t.Errorf("chat.postMessage calls: %+v", calls)
	}
}

// README: listening.
// answerPings answers "!ping" with "pong", in the thread it was said in.
func answerPings(ctx context.Context, c *rocketchat.Client) error {
	for ev, err := range c.Listen(ctx) { // every room the user has joined
		if err != nil {
			return err // the token or a room was refused, or ctx ended
		}
		m := ev.Message
		if ev.Kind != rocketchat.MessagePosted || m.Sender.ID == c.Credentials().UserID || m.Text != "!ping" {
			continue // edits, reactions, deletes, and its own messages
		}
		if _, err := c.PostMessage(ctx, rocketchat.NewMessage{RoomID: m.RoomID, ThreadID: m.ThreadID, Text: "pong"}); err != nil {
			log.Print(err)
		}
	}
	return nil
}

// README: a listening bot's test.
func TestBotAnswersPing(t *testing.T) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "pingbot", Roles: []string{"bot"}}),
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
	)
	t.Cleanup(srv.Close)
	clientOf := func(username string) *rocketchat.Client {
		userID, token := srv.PersonalAccessToken(username)
		c, err := rocketchat.NewClient(srv.URL,
			rocketchat.WithCredentials(rocketchat.Credentials{UserID: userID, Token: token}))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	bot, alice := clientOf("pingbot"), clientOf("alice")

	// The bot under test listens...
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // no answer fails, not hangs
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- answerPings(ctx, bot) }()

	// ...alice says "!ping" once both listen...
	said := make(chan error, 1)
	go func() {
		err := srv.WaitSubscribed(ctx, "pingbot")
		if err == nil {
			err = srv.WaitSubscribed(ctx, "alice")
		}
		if err == nil {
			_, err = alice.PostMessage(ctx, rocketchat.NewMessage{Channel: "#general", Text: "!ping"})
		}
		if err != nil {
			cancel() // no answer will come: end the listening below
		}
		said <- err
	}()

	// ...and hears the bot answer.
	for ev, err := range alice.Listen(ctx, "GENERAL") {
		if err != nil {
			cancel() // so that saying ends too
			t.Fatalf("listening: %v; saying !ping: %v", err, <-said)
		}
		if ev.Kind == rocketchat.MessagePosted && ev.Message.Text == "pong" {
			break
		}
	}
	// The answer can arrive before alice's own post has returned:
	// cancelling now would fail her post, so wait for it first.
	if err := <-said; err != nil {
		t.Fatalf("saying !ping: %v", err)
	}
	cancel()
	if err := <-stopped; !errors.Is(err, context.Canceled) {
		t.Errorf("the bot stopped with %v", err)
	}
	calls := srv.Calls("v1/chat.postMessage")
	if len(calls) != 2 || calls[1].UserID != srv.UserID("pingbot") || string(calls[1].Body) != `{"roomId":"GENERAL","text":"pong"}` {
		t.Errorf("chat.postMessage calls: %+v; want alice's, then the bot's answer", calls)
	}
}

// README: a /me answer as Rocket.Chat sends it.
const meJSON = `{"_id":"aobEdbYhXfu5hkeqG","username":"alice","name":"Alice",
"emails":[{"address":"alice@example.com","verified":true}],"status":"online",
"statusConnection":"online","utcOffset":1,"active":true,"roles":["user"],
"settings":{"preferences":{}},"avatarUrl":"https://chat.example.com/avatar/alice","success":true}`

var wantAlice = &rocketchat.User{
	ID: "aobEdbYhXfu5hkeqG", Username: "alice", Name: "Alice",
	Emails: []rocketchat.Email{{Address: "alice@example.com", Verified: true}},
	Status: "online", StatusConnection: "online", UTCOffset: 1, Active: true,
	Roles: []string{"user"}, AvatarURL: "https://chat.example.com/avatar/alice",
}

// README: gock, global.
func TestMeWithGock(t *testing.T) {
	defer gock.Off()
	gock.New("https://chat.example.com").
		Get("/api/v1/me").
		MatchHeader("X-Auth-Token", "^my-token$").
		Reply(200).
		BodyString(meJSON)

	c, err := rocketchat.NewClient("https://chat.example.com",
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: "aobEdbYhXfu5hkeqG", Token: "my-token"}))
	if err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantAlice, me); diff != "" {
		t.Errorf("Me (-want +got):\n%s", diff)
	}
	if !gock.IsDone() {
		t.Error("the mock was not called")
	}
}

// README: gock on a client of one's own.
func TestMeWithGockClient(t *testing.T) {
	defer gock.Off()
	hc := &http.Client{}
	gock.InterceptClient(hc)
	gock.New("https://chat.example.com").Get("/api/v1/me").Reply(200).BodyString(meJSON)

	c, err := rocketchat.NewClient("https://chat.example.com", rocketchat.WithHTTPClient(hc),
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: "aobEdbYhXfu5hkeqG", Token: "my-token"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !gock.IsDone() {
		t.Error("the mock was not called")
	}
}

// README: retries and single-use mocks.
func TestUnavailableWithGock(t *testing.T) {
	defer gock.Off()
	gock.New("https://chat.example.com").Get("/api/v1/me").
		Times(4). // the first attempt and 3 repeats
		Reply(503).BodyString(`{"success":false,"error":"Service unavailable"}`)

	c, err := rocketchat.NewClient("https://chat.example.com",
		rocketchat.WithRetry(3, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Me(context.Background())
	var e *rocketchat.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("err = %v, want a 503", err)
	}
	if !gock.IsDone() {
		t.Error("not every attempt was made")
	}
}

// README: httptest.
func TestMeWithHTTPTest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/me" || r.Header.Get("X-Auth-Token") != "my-token" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, meJSON)
	}))
	t.Cleanup(srv.Close)

	c, err := rocketchat.NewClient(srv.URL,
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: "aobEdbYhXfu5hkeqG", Token: "my-token"}))
	if err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantAlice, me); diff != "" {
		t.Errorf("Me (-want +got):\n%s", diff)
	}
}

// README: values written by hand; Rocket.Chat's example answer
// (testdata/answers/chat.getMessage_200.json).
const messageJSON = `{"message":{"_id":"CeXwh5eBbdrtvnqG6","rid":"agh2Sucgb54RQ8dDo","msg":"s",
"ts":"2018-10-05T13:48:21.616Z","u":{"_id":"KPkEYwKKBKZnEEPpt","username":"marc.pow","name":"Marc Pow"},
"_updatedAt":"2018-10-05T13:48:49.535Z","reactions":{":frowning2:":{"usernames":["marcos.defendi"]}},
"mentions":[],"channels":[],"starred":{"_id":"KPkEYwKKBKZnEEPpt"}},"count":2,"offset":0,"total":2,"success":true}`

func TestMessageWithHTTPTest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/chat.getMessage" || r.URL.Query().Get("msgId") != "CeXwh5eBbdrtvnqG6" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, messageJSON)
	}))
	t.Cleanup(srv.Close)

	c, err := rocketchat.NewClient(srv.URL,
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: "aobEdbYhXfu5hkeqG", Token: "my-token"}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Message(context.Background(), "CeXwh5eBbdrtvnqG6")
	if err != nil {
		t.Fatal(err)
	}
	want := &rocketchat.Message{
		ID: "CeXwh5eBbdrtvnqG6", RoomID: "agh2Sucgb54RQ8dDo", Text: "s",
		Sender:    rocketchat.UserRef{ID: "KPkEYwKKBKZnEEPpt", Username: "marc.pow", Name: "Marc Pow"},
		Timestamp: time.Date(2018, 10, 5, 13, 48, 21, 616000000, time.UTC),
		UpdatedAt: time.Date(2018, 10, 5, 13, 48, 49, 535000000, time.UTC),
		Reactions: map[string][]string{":frowning2:": {"marcos.defendi"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Message (-want +got):\n%s", diff)
	}
}

// TestReadmeMessageIsTheExample: the answer in the README is the OpenAPI
// example as stored in testdata/answers, member for member.
func TestReadmeMessageIsTheExample(t *testing.T) {
	var inReadme, example any
	if err := json.Unmarshal([]byte(messageJSON), &inReadme); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(corpusBody(t, "chat.getMessage_200.json"), &example); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(example, inReadme); diff != "" {
		t.Errorf("README answer (-example +README):\n%s", diff)
	}
}

// TestReadmeSingleUseMockClaims checks what the README says of a mocked
// 503 without Times: the repeat finds no mock, and the call ends with
// gock's error; with WithRetry(0, 0, 0) one mock is enough.
func TestReadmeSingleUseMockClaims(t *testing.T) {
	defer gock.Off()
	mock503 := func() {
		gock.New("https://chat.example.com").Get("/api/v1/me").
			Reply(503).BodyString(`{"success":false,"error":"Service unavailable"}`)
	}
	mock503()
	c, err := rocketchat.NewClient("https://chat.example.com", rocketchat.WithRetry(3, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(context.Background()); err == nil || !strings.Contains(err.Error(), "gock: cannot match any request") {
		t.Errorf("err = %v, want gock's \"cannot match any request\"", err)
	}

	mock503()
	c, err = rocketchat.NewClient("https://chat.example.com", rocketchat.WithRetry(0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var e *rocketchat.Error
	if _, err := c.Me(context.Background()); !errors.As(err, &e) || e.StatusCode != 503 {
		t.Errorf("err = %v, want the 503", err)
	}
	if !gock.IsDone() {
		t.Error("the mock was not called")
	}
}

// README: pacing, bounded by a context deadline.
func TestReadmePacingDeadline(t *testing.T) {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
	)
	t.Cleanup(srv.Close)
	userID, token := srv.PersonalAccessToken("alice")
	c, err := rocketchat.NewClient(srv.URL,
		rocketchat.WithCredentials(rocketchat.Credentials{UserID: userID, Token: token}))
	if err != nil {
		t.Fatal(err)
	}
	msg := rocketchat.NewMessage{RoomID: "GENERAL", Text: "hello"}
	for range 10 { // the default window: 10 calls a minute
		if _, err := c.PostMessage(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	log.SetOutput(&out)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })

	postWithin5s := func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := c.PostMessage(ctx, msg)
		var e *rocketchat.Error
		if errors.As(err, &e) && errors.Is(err, rocketchat.ErrRateLimited) {
			log.Printf("rate limited: try again in %v", e.RetryAfter)
		}
	}
	postWithin5s(context.Background())
	// The window's minute, read through Date's whole seconds: up to a
	// second more.
	_, wait, _ := strings.Cut(strings.TrimSpace(out.String()), "rate limited: try again in ")
	if d, err := time.ParseDuration(wait); err != nil || d < 59*time.Second || d > 61*time.Second {
		t.Errorf("log: %q, want a wait of about a minute", out.String())
	}
	if n := srv.Requests("v1/chat.postMessage"); n != 10 {
		t.Errorf("%d posts reached the server, want 10", n)
	}
}

// unindent drops the tabs that start each line.
func unindent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\t")
	}
	return strings.Join(lines, "\n")
}

// TestReadmeCodeIsTested: every Go block of the README's listening,
// testing and pacing sections stands in this file as it is.
func TestReadmeCodeIsTested(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, heading := range []string{"## Listening", "## Testing your code", "## Pacing"} {
		_, section, ok := strings.Cut(string(readme), heading)
		if !ok {
			t.Fatalf("README.md has no section %q", heading)
		}
		section, _, _ = strings.Cut(section, "\n## ")
		blocks := strings.Split(section, "```go\n")[1:]
		if len(blocks) == 0 {
			t.Fatalf("no Go block in the section %q", heading)
		}
		for _, b := range blocks {
			code, _, _ := strings.Cut(b, "```")
			// Blocks may stand in functions here, indented deeper.
			if !strings.Contains(unindent(string(self)), unindent(code)) {
				t.Errorf("README block not in readme_test.go as it is:\n%s", code)
			}
		}
	}
}
