package main

import (
	"net/http"
	"strings"
	"sync"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// demo is the built-in demo server, an in-process fake Rocket.Chat with
// the bot and alice, who says "!ping" in #general once the bot listens.
type demo struct {
	*rocketchattest.Server
	alice *rocketchat.Client
	once  sync.Once
}

func startDemo() *demo {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "bot", Password: "demo", Name: "Demo Bot", Roles: []string{"bot"}}),
		rocketchattest.WithUser(rocketchattest.User{Username: "alice", Password: "demo", Name: "Alice"}),
	)
	id, token := srv.PersonalAccessToken("alice")
	alice, err := rocketchat.NewClient(srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}))
	if err != nil {
		panic(err) // the demo server's own URL
	}
	return &demo{Server: srv, alice: alice}
}

// RoundTrip is the bot's transport. Listen hears every message posted
// after it started, so alice speaks once the bot dials the realtime API.
func (d *demo) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && strings.HasSuffix(r.URL.Path, "/websocket") {
		d.once.Do(func() {
			_, err = d.alice.PostMessage(r.Context(), rocketchat.NewMessage{Channel: "#general", Text: "!ping"})
		})
		if err != nil {
			resp.Body.Close()
			return nil, err
		}
	}
	return resp, err
}
