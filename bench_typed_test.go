package rocketchat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/go-rocketchat/rocketchat"
)

// The typed calls side by side with the bare program a user would
// otherwise write (net/http plus encoding/json/v2 into plain structs),
// against one loopback server, named for benchstat as bench_test.go's:
//
//	BenchmarkPostMessage/impl=sdk   BenchmarkPostMessage/impl=baseline
//	BenchmarkMessage/impl=sdk       BenchmarkMessage/impl=baseline
//	BenchmarkUsers1000/impl=sdk     BenchmarkUsers1000/impl=baseline (10 pages of 100)
//
// The server answers the OpenAPI examples (testdata/chat_postMessage.json,
// chat_getMessage.json) and pages of users.list shaped like its example.
// As in bench_test.go, these are for profiling one side; BenchmarkCompare
// interleaves PostMessage and Message with their bare clients.

const benchUsers = 1000

// newTypedBenchServer serves the typed calls' answers from memory.
func newTypedBenchServer(b *testing.B) *benchServer {
	b.Helper()
	s := &benchServer{bodies: map[string][]byte{
		"/api/v1/chat.postMessage": readFile(b, "testdata/chat_postMessage.json"),
		"/api/v1/chat.getMessage":  readFile(b, "testdata/chat_getMessage.json"),
	}}
	pages := map[string][]byte{}
	users := userItems(benchUsers)
	for offset := 0; offset < benchUsers; offset += 100 {
		body, err := json.Marshal(map[string]any{
			"users": users[offset : offset+100], "count": 100, "offset": offset, "total": benchUsers, "success": true,
		})
		if err != nil {
			b.Fatal(err)
		}
		pages[strconv.Itoa(offset)] = body
	}
	serve := func(w http.ResponseWriter, body []byte) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		_, _ = w.Write(body)
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-User-Id") != benchUserID || r.Header.Get("X-Auth-Token") != benchToken {
			http.Error(w, "missing credentials", http.StatusInternalServerError)
			return
		}
		if r.URL.Path == "/api/v1/users.list" {
			serve(w, pages[r.URL.Query().Get("offset")])
			return
		}
		if r.Method == http.MethodPost {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		if body, ok := s.bodies[r.URL.Path]; ok {
			serve(w, body)
			return
		}
		http.NotFound(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	b.Cleanup(s.Close)
	return s
}

// The baseline's plain structs: what a hand-written client declares for
// the same answers, with encoding/json/v2's own time.Time decoding.
type (
	benchPlainUserRef struct {
		ID       string `json:"_id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	}
	benchPlainMessage struct {
		ID          string                  `json:"_id"`
		RoomID      string                  `json:"rid"`
		Text        string                  `json:"msg"`
		Sender      benchPlainUserRef       `json:"u"`
		Timestamp   time.Time               `json:"ts"`
		UpdatedAt   time.Time               `json:"_updatedAt"`
		EditedAt    time.Time               `json:"editedAt"`
		ThreadID    string                  `json:"tmid"`
		Type        string                  `json:"t"`
		Alias       string                  `json:"alias"`
		Emoji       string                  `json:"emoji"`
		Avatar      string                  `json:"avatar"`
		Attachments []rocketchat.Attachment `json:"attachments"`
		Reactions   map[string]struct {
			Usernames []string `json:"usernames"`
		} `json:"reactions"`
		Mentions []benchPlainUserRef `json:"mentions"`
	}
	benchPlainMessageAnswer struct {
		Message benchPlainMessage `json:"message"`
		Success bool              `json:"success"`
	}
	benchPlainUser struct {
		ID               string   `json:"_id"`
		Username         string   `json:"username"`
		Name             string   `json:"name"`
		Type             string   `json:"type"`
		Status           string   `json:"status"`
		StatusConnection string   `json:"statusConnection"`
		AvatarURL        string   `json:"avatarUrl"`
		Active           bool     `json:"active"`
		Roles            []string `json:"roles"`
		Emails           []struct {
			Address  string `json:"address"`
			Verified bool   `json:"verified"`
		} `json:"emails"`
		UTCOffset float64 `json:"utcOffset"`
	}
	benchPlainUsersPage struct {
		Users   []benchPlainUser `json:"users"`
		Total   int              `json:"total"`
		Success bool             `json:"success"`
	}
)

// typedBaseline is the bare client of the typed calls: net/http with a
// transport cloned as the SDK's, the same headers, encoding/json/v2.
type typedBaseline struct {
	hc   *http.Client
	base string
}

func (s *benchServer) typedBaseline(b *testing.B) *typedBaseline {
	bl := s.baseline(b, "")
	return &typedBaseline{hc: bl.hc, base: s.URL + "/api/v1/"}
}

// do sends one request and decodes the answer into out.
func (bl *typedBaseline) do(ctx context.Context, method, endpoint string, query url.Values, in, out any) error {
	u := bl.base + endpoint
	if query != nil {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		data, err := jsonv2.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", rocketchat.DefaultUserAgent)
	req.Header.Set("X-User-Id", benchUserID)
	req.Header.Set("X-Auth-Token", benchToken)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := bl.hc.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %d", errBaseline, resp.StatusCode)
	}
	return jsonv2.UnmarshalRead(resp.Body, out)
}

func (bl *typedBaseline) postMessage(ctx context.Context, m rocketchat.NewMessage) (*benchPlainMessage, error) {
	var out benchPlainMessageAnswer
	if err := bl.do(ctx, http.MethodPost, "chat.postMessage", nil, &m, &out); err != nil {
		return nil, err
	}
	if !out.Success {
		return nil, errBaseline
	}
	return &out.Message, nil
}

func (bl *typedBaseline) message(ctx context.Context, id string) (*benchPlainMessage, error) {
	var out benchPlainMessageAnswer
	if err := bl.do(ctx, http.MethodGet, "chat.getMessage", url.Values{"msgId": {id}}, nil, &out); err != nil {
		return nil, err
	}
	if !out.Success {
		return nil, errBaseline
	}
	return &out.Message, nil
}

// users pages through users.list as the SDK does and calls each.
func (bl *typedBaseline) users(ctx context.Context, each func(*benchPlainUser)) error {
	for offset := 0; ; {
		var page benchPlainUsersPage
		q := url.Values{"count": {"100"}, "offset": {strconv.Itoa(offset)}}
		if err := bl.do(ctx, http.MethodGet, "users.list", q, nil, &page); err != nil {
			return err
		}
		if !page.Success {
			return errBaseline
		}
		for i := range page.Users {
			each(&page.Users[i])
		}
		offset += len(page.Users)
		if len(page.Users) < 100 || offset >= page.Total {
			return nil
		}
	}
}

var benchNewMessage = rocketchat.NewMessage{Channel: "#general", Text: "This is a test!"}

func BenchmarkPostMessage(b *testing.B) {
	srv := newTypedBenchServer(b)
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c := srv.sdkClient(b, "")
		defer srv.checkReuse(b, 1)()
		b.ReportAllocs()
		for b.Loop() {
			if m, err := c.PostMessage(ctx, benchNewMessage); err != nil || m.ID != "jC9chsFddTvsbFQG7" {
				b.Fatal(m, err)
			}
		}
	})
	b.Run("impl=baseline", func(b *testing.B) {
		bl := srv.typedBaseline(b)
		defer srv.checkReuse(b, 1)()
		b.ReportAllocs()
		for b.Loop() {
			if m, err := bl.postMessage(ctx, benchNewMessage); err != nil || m.ID != "jC9chsFddTvsbFQG7" {
				b.Fatal(m, err)
			}
		}
	})
}

func BenchmarkMessage(b *testing.B) {
	srv := newTypedBenchServer(b)
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c := srv.sdkClient(b, "")
		defer srv.checkReuse(b, 1)()
		b.ReportAllocs()
		for b.Loop() {
			if m, err := c.Message(ctx, "CeXwh5eBbdrtvnqG6"); err != nil || m.ID != "CeXwh5eBbdrtvnqG6" {
				b.Fatal(m, err)
			}
		}
	})
	b.Run("impl=baseline", func(b *testing.B) {
		bl := srv.typedBaseline(b)
		defer srv.checkReuse(b, 1)()
		b.ReportAllocs()
		for b.Loop() {
			if m, err := bl.message(ctx, "CeXwh5eBbdrtvnqG6"); err != nil || m.ID != "CeXwh5eBbdrtvnqG6" {
				b.Fatal(m, err)
			}
		}
	})
}

// BenchmarkUsers1000 walks 1,000 users in 10 pages; allocs/op is per
// walk.
func BenchmarkUsers1000(b *testing.B) {
	srv := newTypedBenchServer(b)
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c := srv.sdkClient(b, "")
		defer srv.checkReuse(b, 1)()
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for u, err := range c.Users(ctx) {
				if err != nil || u.ID == "" {
					b.Fatal(u, err)
				}
				n++
			}
			if n != benchUsers {
				b.Fatal(n)
			}
		}
	})
	b.Run("impl=baseline", func(b *testing.B) {
		bl := srv.typedBaseline(b)
		defer srv.checkReuse(b, 1)()
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			err := bl.users(ctx, func(u *benchPlainUser) {
				if u.ID == "" {
					b.Fatal(u)
				}
				n++
			})
			if err != nil || n != benchUsers {
				b.Fatal(n, err)
			}
		}
	})
}
