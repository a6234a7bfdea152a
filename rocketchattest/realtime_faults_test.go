package rocketchattest

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
)

func TestDropRealtime(t *testing.T) {
	srv := newTestServer(t, WithUser(bobUser))
	_, tok := srv.LoginToken("bob")
	a, b := dialDDP(t, srv), dialDDP(t, srv)
	a.connect()
	b.connect()
	b.resume(tok)
	srv.DropRealtime()
	// No closing handshake, as when the server's process goes away.
	for _, c := range []*ddpClient{a, b} {
		if code := c.wantClosed(); code != -1 {
			t.Errorf("closed with status %d, want none", code)
		}
	}
	// The server takes new WebSockets, and the token still logs in.
	c := dialDDP(t, srv)
	c.connect()
	c.resume(tok)
}

func TestSilenceRealtime(t *testing.T) {
	srv := newTestServer(t, WithUser(bobUser))
	// The test learns when the server has read a frame of a silenced
	// socket, which answers nothing.
	readWhileSilent := make(chan struct{}, 10)
	srv.rt.afterFrame = func(c *rtConn) {
		if c.silenced.Load() {
			readWhileSilent <- struct{}{}
		}
	}
	_, tok := srv.LoginToken("bob")
	c := dialDDP(t, srv)
	c.connect()
	c.resume(tok)
	c.sub("s", "stream-room-messages", "GENERAL", false)
	srv.SilenceRealtime(true)
	// A socket opened while others are silent is served.
	fresh := dialDDP(t, srv)
	fresh.connect()
	c.sendRaw(`{"msg":"ping","id":"lost"}`)
	srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "unheard"})
	// The silent socket still reads: this sub is registered even though
	// its ready is never sent.
	c.send(map[string]any{"msg": "sub", "id": "quiet", "name": "stream-room-messages", "params": []any{"__my_messages__", false}})
	fresh.sendRaw(`{"msg":"ping","id":"fresh"}`)
	fresh.want(`{"msg":"pong","id":"fresh"}`)
	<-readWhileSilent
	<-readWhileSilent
	srv.SilenceRealtime(false)
	c.sendRaw(`{"msg":"ping","id":"heard"}`)
	// Nothing sent while silent comes late: the next frame is the pong
	// of the ping sent after.
	c.want(`{"msg":"pong","id":"heard"}`)
	srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "heard"})
	for _, want := range []string{"GENERAL", "__my_messages__"} {
		if m := c.read(); m["fields"].(map[string]any)["eventName"] != want {
			t.Errorf("after the silence: %v, want an event of %s", m, want)
		}
	}
}

// smallBuffers is a listener whose connections have small kernel send
// buffers, so that a client that does not read fills them quickly.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}

func TestRealtimeSlowConsumer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, WithUser(bobUser), WithRealtimeSendQueue(4), WithListener(smallBuffers{l}))
	_, tok := srv.LoginToken("bob")
	c := dialDDP(t, srv)
	c.connect()
	c.resume(tok)
	c.sub("s", "stream-room-messages", "GENERAL", false)
	// The client reads nothing while the server posts more than the
	// socket's buffers and the queue hold; the server never blocks on it
	// and drops the connection.
	text := strings.Repeat("x", 16<<10)
	const most = 2000
	posted := 0
	for ; posted < most && len(srv.rt.snapshot()) > 0; posted++ {
		srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: text})
	}
	if posted == most {
		t.Fatalf("the connection outlived %d unread messages", posted)
	}
	c.wantClosed()
	// The server goes on serving the others.
	d := dialDDP(t, srv)
	d.connect()
}

func TestRealtimeCloseWithOpenSockets(t *testing.T) {
	srv := NewServer(WithUser(bobUser))
	_, tok := srv.LoginToken("bob")
	c := dialDDP(t, srv)
	c.connect()
	c.resume(tok)
	c.sub("s", "stream-room-messages", "GENERAL", false)
	srv.Close()
	c.wantClosed()
}

// TestWaitSubscribed: it waits for a ready room-messages subscription of
// the user, not for a connection, a login or another user's, and not for
// one DropRealtime closed.
func TestWaitSubscribed(t *testing.T) {
	srv := newTestServer(t, WithUser(bobUser), WithUser(User{Username: "carol"}))
	// With a done context, WaitSubscribed only says whether bob is
	// subscribed now.
	done, cancel := context.WithCancel(t.Context())
	cancel()
	subscribed := func() bool {
		err := srv.WaitSubscribed(done, "bob")
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("WaitSubscribed: %v", err)
		}
		return err == nil
	}
	waited := make(chan error, 1)
	go func() { waited <- srv.WaitSubscribed(t.Context(), "bob") }()

	_, carol := srv.LoginToken("carol")
	other := dialDDP(t, srv)
	other.connect()
	other.resume(carol)
	other.sub("c", "stream-room-messages", "GENERAL", false)
	_, bob := srv.LoginToken("bob")
	c := dialDDP(t, srv)
	c.connect()
	c.resume(bob)
	c.sub("n", "stream-notify-room", "GENERAL/deleteMessage", false)
	if subscribed() {
		t.Fatal("subscribed before bob subscribed to messages")
	}
	c.sub("m", "stream-room-messages", "__my_messages__", false)
	if !subscribed() {
		t.Fatal("not subscribed once the subscription is ready")
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}

	srv.DropRealtime()
	if subscribed() {
		t.Error("still subscribed after DropRealtime")
	}
}
