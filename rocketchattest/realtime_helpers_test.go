package rocketchattest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// ddpClient is a minimal DDP client for the tests: it sends frames and
// reads them one at a time, so that a test synchronises on what the
// server sent rather than on time.
type ddpClient struct {
	t  testing.TB
	ws *websocket.Conn
}

// readWait bounds one read, so that a missing frame fails the test
// instead of hanging it.
const readWait = 10 * time.Second

// dialDDP opens a WebSocket on the server's /websocket.
func dialDDP(t testing.TB, srv *Server) *ddpClient {
	t.Helper()
	return dialDDPURL(t, srv, "ws"+strings.TrimPrefix(srv.URL, "http")+"/websocket")
}

func dialDDPURL(t testing.TB, srv *Server, url string) *ddpClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readWait)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	ws.SetReadLimit(-1)
	t.Cleanup(func() { ws.CloseNow() })
	return &ddpClient{t: t, ws: ws}
}

// sendRaw sends a text frame as it is.
func (c *ddpClient) sendRaw(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readWait)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("send %s: %v", s, err)
	}
}

// send sends v encoded as JSON.
func (c *ddpClient) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(b))
}

// readRaw reads the next frame; it fails the test if the connection
// ends.
func (c *ddpClient) readRaw() string {
	c.t.Helper()
	s, err := c.tryRead()
	if err != nil {
		c.t.Fatalf("reading a frame: %v", err)
	}
	return s
}

func (c *ddpClient) tryRead() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), readWait)
	defer cancel()
	_, b, err := c.ws.Read(ctx)
	return string(b), err
}

// read reads the next frame as a JSON object.
func (c *ddpClient) read() map[string]any {
	c.t.Helper()
	raw := c.readRaw()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		c.t.Fatalf("frame is not a JSON object: %v: %s", err, raw)
	}
	return m
}

// want reads the next frame and checks it is exactly want.
func (c *ddpClient) want(want string) {
	c.t.Helper()
	if got := c.readRaw(); got != want {
		c.t.Errorf("frame\n got  %s\n want %s", got, want)
	}
}

// wantClosed reads until the connection ends and returns its close
// status (-1 when it ended without a close frame).
func (c *ddpClient) wantClosed() websocket.StatusCode {
	c.t.Helper()
	for {
		s, err := c.tryRead()
		if err == nil {
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) {
			c.t.Fatalf("the connection did not end; last frame %q", s)
		}
		return websocket.CloseStatus(err)
	}
}

// connect runs the handshake, skipping the 3.x welcome frame.
func (c *ddpClient) connect() {
	c.t.Helper()
	c.sendRaw(`{"msg":"connect","version":"1","support":["1","pre2","pre1"]}`)
	m := c.read()
	if m["server_id"] == "0" {
		m = c.read()
	}
	if m["msg"] != "connected" {
		c.t.Fatalf("connect answered %v", m)
	}
}

// call sends a method call and returns its result frame, once the
// updated frame, on either side of it, has come too.
func (c *ddpClient) call(id, method string, params ...any) map[string]any {
	c.t.Helper()
	c.send(map[string]any{"msg": "method", "id": id, "method": method, "params": params})
	var result map[string]any
	updated := false
	for result == nil || !updated {
		m := c.read()
		switch m["msg"] {
		case "updated":
			updated = true
		case "added":
		case "result":
			if m["id"] != id {
				c.t.Fatalf("result of %v while waiting for %s", m["id"], id)
			}
			result = m
		default:
			c.t.Fatalf("unexpected frame while waiting for the result of %s: %v", id, m)
		}
	}
	return result
}

// resume logs in with a token and fails the test if it is refused.
func (c *ddpClient) resume(token string) {
	c.t.Helper()
	if m := c.call("login", "login", map[string]any{"resume": token}); m["error"] != nil {
		c.t.Fatalf("resume login refused: %v", m["error"])
	}
}

// sub subscribes and returns the next frame's raw text (ready, nosub or
// added).
func (c *ddpClient) sub(id, name string, params ...any) string {
	c.t.Helper()
	c.send(map[string]any{"msg": "sub", "id": id, "name": name, "params": params})
	return c.readRaw()
}

// noOptions is the subscription options every client sends.
var noOptions = map[string]any{"useCollection": false, "args": []any{}}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// sha256Hex is the password digest Meteor clients send.
func sha256Hex(password string) string {
	sum := sha256.Sum256([]byte(password))
	return hex.EncodeToString(sum[:])
}
