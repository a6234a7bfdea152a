// Command bot answers "!ping" with "pong" as soon as someone says it, in
// the same room, and in the same thread when it was said in one. It
// listens over Rocket.Chat's realtime API (Client.Listen) and answers
// through the REST API.
//
//	ROCKETCHAT_URL=https://chat.example.com \
//	ROCKETCHAT_USER_ID=... ROCKETCHAT_AUTH_TOKEN=... go run ./examples/bot
//
// It runs until interrupted. A dropped connection or a server restart is
// repaired inside Listen, and a "!ping" said meanwhile is answered once.
//
// With no URL configured it starts the built-in demo server, an
// in-process fake of Rocket.Chat where alice says "!ping" in #general,
// and ends once it has answered her.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/go-rocketchat/rocketchat"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bot:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serverURL := fs.String("url", os.Getenv("ROCKETCHAT_URL"), "server URL (ROCKETCHAT_URL); empty: the built-in demo server")
	userID := fs.String("user-id", os.Getenv("ROCKETCHAT_USER_ID"), "the bot's user ID (ROCKETCHAT_USER_ID)")
	token := fs.String("token", os.Getenv("ROCKETCHAT_AUTH_TOKEN"), "auth or personal access token (ROCKETCHAT_AUTH_TOKEN)")
	rooms := fs.String("rooms", "", "comma-separated IDs of the rooms to listen to; empty: every room the bot has joined")
	answers := fs.Int("answers", 0, "stop after this many answers; 0: run until interrupted (1 with the demo server)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h, -help, --help: the usage is the answer
		}
		return err
	}

	var hc *http.Client
	if *serverURL == "" {
		demo := startDemo()
		defer demo.Close()
		*serverURL = demo.URL
		*userID, *token = demo.PersonalAccessToken("bot")
		hc = &http.Client{Transport: demo} // alice says "!ping" once the bot listens
		if *answers == 0 {
			*answers = 1
		}
		fmt.Fprintf(stderr, "No ROCKETCHAT_URL set: talking to the built-in demo server (a fake Rocket.Chat %s at %s).\n", demo.Version(), demo.URL)
	}

	opts := []rocketchat.Option{rocketchat.WithCredentials(rocketchat.Credentials{UserID: *userID, Token: *token})}
	if hc != nil {
		opts = append(opts, rocketchat.WithHTTPClient(hc))
	}
	c, err := rocketchat.NewClient(*serverURL, opts...)
	if err != nil {
		return err
	}
	var ids []string
	if *rooms != "" {
		ids = strings.Split(*rooms, ",")
	}
	return explain(answerPings(ctx, c, ids, *answers, stdout, stderr))
}

// answerPings answers what Listen yields until ctx ends or, when max is
// above 0, after max answers. A failed answer is reported and the bot
// carries on; only what Listen cannot repair ends it.
func answerPings(ctx context.Context, c *rocketchat.Client, rooms []string, max int, stdout, stderr io.Writer) error {
	answered := 0
	for ev, err := range c.Listen(ctx, rooms...) {
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted: the normal end of a bot
			}
			return err // the token or a room was refused
		}
		reply, err := answer(ctx, c, ev)
		if err != nil {
			fmt.Fprintln(stderr, "bot: answering:", explain(err))
			continue
		}
		if reply == nil {
			continue
		}
		fmt.Fprintf(stdout, "@%s: %s\n@%s: %s\n", ev.Message.Sender.Username, ev.Message.Text, reply.Sender.Username, reply.Text)
		if answered++; answered == max {
			return nil
		}
	}
	return nil
}

// answer answers a "!ping" someone else just posted with "pong", in its
// thread when it is in one. It returns the answer, or nil when the event
// needs none: edits, reactions and deletes come as other kinds, and
// MessagePosted comes once per message, reconnects included.
func answer(ctx context.Context, c *rocketchat.Client, ev rocketchat.MessageEvent) (*rocketchat.Message, error) {
	m := ev.Message
	if ev.Kind != rocketchat.MessagePosted || m.Sender.ID == c.Credentials().UserID || strings.TrimSpace(m.Text) != "!ping" {
		return nil, nil
	}
	return c.PostMessage(ctx, rocketchat.NewMessage{RoomID: m.RoomID, ThreadID: m.ThreadID, Text: "pong"})
}

// explain adds what to do about the errors people meet here.
func explain(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rocketchat.ErrUnauthorized):
		return fmt.Errorf("not logged in: check ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN (%w)", err)
	case errors.Is(err, rocketchat.ErrForbidden):
		return fmt.Errorf("the bot may not read or write there: check -rooms and the bot's memberships (%w)", err)
	case errors.Is(err, rocketchat.ErrRateLimited):
		return fmt.Errorf("rate limited by the server: try again later (%w)", err)
	}
	return err
}
