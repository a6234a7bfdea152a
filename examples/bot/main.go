// Command bot does what a chat bot does on a Rocket.Chat server: it posts
// a message, reads it back, reacts to it, edits it, and pages through
// the channel's history, newest first.
//
//	ROCKETCHAT_URL=https://chat.example.com \
//	ROCKETCHAT_USER_ID=... ROCKETCHAT_AUTH_TOKEN=... go run ./examples/bot -channel '#bots'
//
// With no URL configured it starts the built-in demo server, an
// in-process fake of Rocket.Chat, and talks to its #general.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
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
	channel := fs.String("channel", "#general", `where to post: "#room" or "@username"`)
	text := fs.String("text", "Hello from the Go bot!", "the message to post")
	emoji := fs.String("emoji", ":thumbsup:", "the reaction to add")
	history := fs.Int("history", 10, "how many of the newest messages to list")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit for the whole run, retries included")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h, -help, --help: the usage is the answer
		}
		return err
	}

	if *serverURL == "" {
		demo := startDemo()
		defer demo.Close()
		*serverURL = demo.URL
		*userID, *token = demo.PersonalAccessToken("bot")
		fmt.Fprintf(stderr, "No ROCKETCHAT_URL set: talking to the built-in demo server (a fake Rocket.Chat %s at %s).\n", demo.Version(), demo.URL)
	}

	c, err := rocketchat.NewClient(*serverURL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: *userID, Token: *token}))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	return explain(converse(ctx, c, stdout, *channel, *text, *emoji, *history))
}

// converse is the bot's work: post, read back, react, edit, list.
func converse(ctx context.Context, c *rocketchat.Client, w io.Writer, channel, text, emoji string, history int) error {
	posted, err := c.PostMessage(ctx, rocketchat.NewMessage{Channel: channel, Text: text})
	if err != nil {
		return fmt.Errorf("posting: %w", err)
	}
	fmt.Fprintf(w, "posted %s in room %s: %q\n", posted.ID, posted.RoomID, posted.Text)

	read, err := c.Message(ctx, posted.ID)
	if err != nil {
		return fmt.Errorf("reading it back: %w", err)
	}
	fmt.Fprintf(w, "read back: %q by @%s\n", read.Text, read.Sender.Username)

	if err := c.React(ctx, posted.ID, emoji, true); err != nil {
		return fmt.Errorf("reacting: %w", err)
	}
	fmt.Fprintf(w, "reacted with %s\n", emoji)

	edited, err := c.UpdateMessage(ctx, posted.RoomID, posted.ID, text+" (edited)")
	if err != nil {
		return fmt.Errorf("editing: %w", err)
	}
	fmt.Fprintf(w, "edited: %q\n", edited.Text)

	fmt.Fprintf(w, "the %d newest messages:\n", history)
	n := 0
	for m, err := range c.History(ctx, posted.RoomID) {
		if err != nil {
			return fmt.Errorf("reading the history: %w", err)
		}
		if n == history {
			break // no further page is fetched
		}
		n++
		fmt.Fprintf(w, "  %s @%s: %s\n", m.Timestamp.UTC().Format(time.DateTime), m.Sender.Username, describe(m))
	}
	return nil
}

// describe is a message's text, or what a system message means.
func describe(m rocketchat.Message) string {
	switch m.Type {
	case "":
		return m.Text
	case "uj":
		return "(joined)"
	case "ul":
		return "(left)"
	}
	return "(" + m.Type + ")"
}

// startDemo starts the in-process fake server with a bot account.
func startDemo() *rocketchattest.Server {
	return rocketchattest.NewServer(rocketchattest.WithUser(rocketchattest.User{
		Username: "bot", Password: "demo", Name: "Demo Bot", Roles: []string{"bot"},
	}))
}

// explain adds what to do about the errors people meet here.
func explain(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rocketchat.ErrUnauthorized):
		return fmt.Errorf("not logged in: check ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN (%w)", err)
	case errors.Is(err, rocketchat.ErrForbidden):
		return fmt.Errorf("the bot lacks a permission for this (%w)", err)
	case errors.Is(err, rocketchat.ErrRateLimited):
		return fmt.Errorf("rate limited by the server: try again later (%w)", err)
	}
	return err
}
