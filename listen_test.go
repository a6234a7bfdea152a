package rocketchat_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// Listen against the fake server: another user writes through REST, the
// listener hears it over the realtime API.

// listenServer starts a fake server with a listening bot and a writing
// user, alice; both bypass the rate limiter as bots do.
func listenServer(t *testing.T, opts ...rocketchattest.Option) (srv *rocketchattest.Server, bot, alice *rocketchat.Client) {
	t.Helper()
	opts = append([]rocketchattest.Option{
		rocketchattest.WithUser(rocketchattest.User{Username: "bot", Password: "botpass", Roles: []string{"bot"}}),
		rocketchattest.WithUser(rocketchattest.User{Username: "alice", Password: "alicepass", Roles: []string{"user", "bot"}}),
	}, opts...)
	srv = rocketchattest.NewServer(opts...)
	t.Cleanup(srv.Close)
	client := func(user string) *rocketchat.Client {
		id, tok := srv.PersonalAccessToken(user)
		c, err := rocketchat.NewClient(srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: tok}),
			rocketchat.WithRetry(3, time.Millisecond, 5*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return srv, client("bot"), client("alice")
}

func post(t *testing.T, c *rocketchat.Client, room, text string) *rocketchat.Message {
	t.Helper()
	m, err := c.PostMessage(t.Context(), rocketchat.NewMessage{RoomID: room, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestListenHearsPostsEditsReactionsDeletes(t *testing.T) {
	for _, version := range []string{"3.18.7", "6.13.1", "8.8.1"} {
		t.Run(version, func(t *testing.T) {
			srv, bot, alice := listenServer(t, rocketchattest.WithVersion(version))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			// A message from before Listen: its edit is not a post. It is
			// an hour old, as the server's Date header tells its clock to
			// the second only.
			oldID := srv.AddMessage(rocketchattest.Message{RoomID: "GENERAL", Username: "alice", Text: "from before", Timestamp: time.Now().Add(-time.Hour)})
			events := listen(ctx, t, bot, "GENERAL")
			nextConnected(t, bot, events, alice)

			m := post(t, alice, "GENERAL", "hello bot")
			ev := nextEvent(t, events)
			if diff := cmp.Diff(rocketchat.MessageEvent{Kind: rocketchat.MessagePosted, Message: *m}, ev); diff != "" {
				t.Errorf("posted: the stream's message differs from the REST answer (-rest +stream):\n%s", diff)
			}
			edited, err := alice.UpdateMessage(t.Context(), "GENERAL", m.ID, "hello, bot")
			if err != nil {
				t.Fatal(err)
			}
			if ev := nextEvent(t, events); ev.Kind != rocketchat.MessageEdited || ev.Message.Text != "hello, bot" || !ev.Message.EditedAt.Equal(edited.EditedAt) {
				t.Errorf("got %v %q, want MessageEdited %q", ev.Kind, ev.Message.Text, "hello, bot")
			}
			if err := alice.React(t.Context(), m.ID, ":+1:", true); err != nil {
				t.Fatal(err)
			}
			if ev := nextEvent(t, events); ev.Kind != rocketchat.MessageUpdated || len(ev.Message.Reactions[":+1:"]) != 1 {
				t.Errorf("got %v %v, want MessageUpdated with the reaction", ev.Kind, ev.Message.Reactions)
			}
			if _, err := alice.UpdateMessage(t.Context(), "GENERAL", oldID, "from before, edited"); err != nil {
				t.Fatal(err)
			}
			if ev := nextEvent(t, events); ev.Kind != rocketchat.MessageEdited || ev.Message.ID != oldID {
				t.Errorf("got %v %s, want MessageEdited of the older message", ev.Kind, ev.Message.ID)
			}
			if err := alice.DeleteMessage(t.Context(), "GENERAL", m.ID); err != nil {
				t.Fatal(err)
			}
			want := rocketchat.MessageEvent{Kind: rocketchat.MessageDeleted, Message: rocketchat.Message{ID: m.ID, RoomID: "GENERAL"}}
			if diff := cmp.Diff(want, nextEvent(t, events)); diff != "" {
				t.Errorf("deleted (-want +got):\n%s", diff)
			}
		})
	}
}

// nextConnected posts a marker and waits for the listener to hear it:
// Listen catches up from its start, so the marker arrives whether the
// subscription was ready or not.
func nextConnected(t *testing.T, _ *rocketchat.Client, events <-chan pair, alice *rocketchat.Client) {
	t.Helper()
	marker := post(t, alice, "GENERAL", "marker")
	if ev := nextEvent(t, events); ev.Message.ID != marker.ID {
		t.Fatalf("got %v %s, want the marker", ev.Kind, ev.Message.ID)
	}
}

func TestListenAllRoomsOnTheFakeServer(t *testing.T) {
	srv, bot, alice := listenServer(t,
		rocketchattest.WithRoom(rocketchattest.Room{Name: "random", Creator: "alice"}),
		rocketchattest.WithRoom(rocketchattest.Room{Name: "team", Type: "p", Creator: "alice", Members: []string{"bot"}}),
	)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := listen(ctx, t, bot)
	team := srv.RoomID("team")
	post(t, alice, team, "marker")
	if ev := nextEvent(t, events); ev.RoomType != "p" || ev.RoomName != "team" || ev.Message.Text != "marker" {
		t.Errorf("got %q in room %q %q, want the marker in p team", ev.Message.Text, ev.RoomType, ev.RoomName)
	}
	post(t, alice, srv.RoomID("random"), "not for the bot: it has not joined")
	dm, err := alice.CreateDirectMessage(t.Context(), "bot")
	if err != nil {
		t.Fatal(err)
	}
	post(t, alice, dm.ID, "psst")
	ev := nextEvent(t, events)
	if ev.Message.Text != "psst" || ev.RoomType != "d" {
		t.Errorf("got %q in a %q room, want the direct message", ev.Message.Text, ev.RoomType)
	}
}

func TestListenCatchesUpAfterDrop(t *testing.T) {
	fastListen(t)
	srv, bot, alice := listenServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := listen(ctx, t, bot, "GENERAL")
	nextConnected(t, bot, events, alice)
	first := post(t, alice, "GENERAL", "before the drop")
	if ev := nextEvent(t, events); ev.Message.ID != first.ID {
		t.Fatalf("got %s, want %s", ev.Message.ID, first.ID)
	}
	srv.DropRealtime()
	during := post(t, alice, "GENERAL", "while the socket may be down")
	ev := nextEvent(t, events)
	if ev.Message.ID != during.ID || ev.Kind != rocketchat.MessagePosted {
		t.Fatalf("got %v %s, want the message posted during the drop", ev.Kind, ev.Message.ID)
	}
	after := post(t, alice, "GENERAL", "after")
	for {
		ev := nextEvent(t, events)
		if ev.Message.ID == during.ID {
			t.Fatalf("the message posted during the drop came twice (missed=%v)", ev.Missed)
		}
		if ev.Message.ID == after.ID {
			break
		}
	}
	if len(srv.Calls("v1/chat.syncMessages")) == 0 {
		t.Error("no catch-up after the drop")
	}
}

func TestListenSilentServer(t *testing.T) {
	rocketchat.SetListenTuning(t, rocketchat.ListenTuning{
		PingAfter: 20 * time.Millisecond, DeadAfter: 100 * time.Millisecond,
		BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond,
	})
	srv, bot, alice := listenServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := listen(ctx, t, bot, "GENERAL")
	nextConnected(t, bot, events, alice)
	srv.SilenceRealtime(true)
	m := post(t, alice, "GENERAL", "said to a dead peer")
	ev := nextEvent(t, events)
	if ev.Message.ID != m.ID || !ev.Missed {
		t.Errorf("got %s missed=%v, want %s caught up", ev.Message.ID, ev.Missed, m.ID)
	}
}

func TestListenRevokedToken(t *testing.T) {
	fastListen(t)
	srv, bot, alice := listenServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := listen(ctx, t, bot, "GENERAL")
	nextConnected(t, bot, events, alice)
	srv.RevokeToken(bot.Credentials().Token)
	for p := range events {
		if p.err != nil {
			if !errors.Is(p.err, rocketchat.ErrUnauthorized) {
				t.Errorf("got %v, want an error matching ErrUnauthorized", p.err)
			}
			return
		}
	}
	t.Error("the iterator ended without an error")
}

// TestListenChaos posts, edits and deletes messages while the socket is
// dropped at random moments: the listener sees each message posted
// exactly once, every edit and every delete, and nothing else.
func TestListenChaos(t *testing.T) {
	fastListen(t)
	const n, drops = 60, 12
	srv, bot, alice := listenServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := listen(ctx, t, bot, "GENERAL")
	nextConnected(t, bot, events, alice)
	rng := rand.New(rand.NewPCG(20, 1))
	dropAt := map[int]bool{}
	for len(dropAt) < drops {
		dropAt[rng.IntN(3*n)] = true
	}
	step := 0
	maybeDrop := func() {
		if dropAt[step] {
			srv.DropRealtime()
		}
		step++
	}
	got := map[string][]rocketchat.EventKind{}
	collect := func(want int) {
		t.Helper()
		for seen := 0; seen < want; {
			ev := nextEvent(t, events)
			got[ev.Message.ID] = append(got[ev.Message.ID], ev.Kind)
			seen++
		}
	}
	// Posts, then edits of every other message, then deletes of every
	// third: each phase is heard in full before the next starts, so that
	// no message is edited twice or deleted before anyone could see it.
	var ids []string
	for i := range n {
		ids = append(ids, post(t, alice, "GENERAL", fmt.Sprint("message ", i)).ID)
		maybeDrop()
	}
	collect(n)
	edits := 0
	for i, id := range ids {
		if i%2 == 0 {
			if _, err := alice.UpdateMessage(t.Context(), "GENERAL", id, fmt.Sprint("edited ", i)); err != nil {
				t.Fatal(err)
			}
			edits++
		}
		maybeDrop()
	}
	collect(edits)
	deletes := 0
	for i, id := range ids {
		if i%3 == 0 {
			if err := alice.DeleteMessage(t.Context(), "GENERAL", id); err != nil {
				t.Fatal(err)
			}
			deletes++
		}
		maybeDrop()
	}
	collect(deletes)
	// A last message heard proves nothing else is on its way.
	last := post(t, alice, "GENERAL", "the end")
	for {
		ev := nextEvent(t, events)
		if ev.Message.ID == last.ID {
			break
		}
		got[ev.Message.ID] = append(got[ev.Message.ID], ev.Kind)
	}
	for i, id := range ids {
		want := []rocketchat.EventKind{rocketchat.MessagePosted}
		if i%2 == 0 {
			want = append(want, rocketchat.MessageEdited)
		}
		if i%3 == 0 {
			want = append(want, rocketchat.MessageDeleted)
		}
		if diff := cmp.Diff(want, got[id]); diff != "" {
			t.Errorf("message %d (-want +got):\n%s", i, diff)
		}
		delete(got, id)
	}
	if len(got) != 0 {
		t.Errorf("events of other messages: %v", got)
	}
}
