package rocketchat_test

import (
	"bytes"
	stdjson "encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

// clusterReport is what a health check might keep and log: the SDK's
// values inside a program's own struct.
type clusterReport struct {
	Checked time.Time
	Primary rocketchat.Instance
	Members []rocketchat.Instance
	Latest  *rocketchat.Message
	Room    rocketchat.Room
}

// TestReportWithZeroInstanceMarshals: a report holding a zero Instance
// (nothing checked yet) marshals with encoding/json and with v2, and
// decodes back to the same report.
func TestReportWithZeroInstanceMarshals(t *testing.T) {
	report := clusterReport{
		Checked: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Members: []rocketchat.Instance{{}, {ID: "871f8be4-5fdb-45a8-868f-8d3e28a39148", Name: "rocket.chat", Port: 3000, Connected: true}},
		Latest:  &rocketchat.Message{ID: "m1", Text: "deploy done"},
	}
	t.Run("encoding/json", func(t *testing.T) {
		b, err := stdjson.Marshal(report)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var back clusterReport
		if err := stdjson.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal of %s: %v", b, err)
		}
		if diff := cmp.Diff(report, back); diff != "" {
			t.Errorf("round trip through %s (-want +got):\n%s", b, diff)
		}
	})
	t.Run("v2", func(t *testing.T) {
		b, err := jsonv2.Marshal(report)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var back clusterReport
		if err := jsonv2.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal of %s: %v", b, err)
		}
		if diff := cmp.Diff(report, back); diff != "" {
			t.Errorf("round trip through %s (-want +got):\n%s", b, diff)
		}
	})
	t.Run("slog", func(t *testing.T) {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("cluster checked", "report", report, "primary", rocketchat.Instance{})
		if strings.Contains(buf.String(), "!ERROR") {
			t.Fatalf("slog's JSON handler could not write the report: %s", buf.String())
		}
		var line struct {
			Report  clusterReport       `json:"report"`
			Primary rocketchat.Instance `json:"primary"`
		}
		if err := stdjson.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatalf("reading the log line %s: %v", buf.String(), err)
		}
		if diff := cmp.Diff(report, line.Report); diff != "" {
			t.Errorf("logged report (-want +got):\n%s", diff)
		}
	})
}

// TestValueTypesRoundTripJSON: every exported value type, zero and
// filled, marshals with encoding/json and with v2 and decodes back equal.
func TestValueTypesRoundTripJSON(t *testing.T) {
	at := time.Date(2024, 5, 22, 11, 14, 11, 845000000, time.UTC)
	values := []any{
		rocketchat.Instance{},
		rocketchat.Instance{ID: "871f8be4", Name: "rocket.chat", PID: 1, CreatedAt: at, UpdatedAt: at.Add(time.Hour),
			Host: "localhost", Port: 3000, TCPPort: 46443, NodeVersion: "v14.21.3", Conns: 1,
			OS: rocketchat.OS{Type: "Linux", Platform: "linux", Arch: "x64", Release: "5.10", Uptime: 8455403280 * time.Millisecond,
				LoadAvg: [3]float64{0.41, 0.17, 0.15}, TotalMem: 4110323712, FreeMem: 198479872, CPUs: 2},
			Address: "localhost", Connected: true, Local: true, ProcessUptime: 16 * time.Second, BroadcastAuth: true},
		rocketchat.OS{},
		rocketchat.OS{Type: "Linux", Uptime: 90*time.Minute + time.Microsecond, LoadAvg: [3]float64{1, 2, 3}, CPUs: 4},
		rocketchat.Message{},
		rocketchat.Message{ID: "m", RoomID: "GENERAL", Text: "hi", Sender: rocketchat.UserRef{ID: "u", Username: "bob", Name: "Bob"},
			Timestamp: at, UpdatedAt: at, EditedAt: at, ThreadID: "t", Type: "uj", Alias: "a", Emoji: ":smirk:", Avatar: "http://x/a.png",
			Attachments: []rocketchat.Attachment{{Title: "t", Fields: []rocketchat.AttachmentField{{Title: "k", Value: "v", Short: true}}}},
			Reactions:   map[string][]string{":smile:": {"bob"}}, Mentions: []rocketchat.UserRef{{ID: "here", Username: "here"}}},
		rocketchat.UserRef{},
		rocketchat.Attachment{},
		rocketchat.AttachmentField{},
		rocketchat.NewMessage{},
		rocketchat.NewMessage{RoomID: "GENERAL", Text: "hi", Attachments: []rocketchat.Attachment{{Text: "x"}}},
		rocketchat.Room{},
		rocketchat.Room{ID: "r", Type: "d", Usernames: []string{"alice", "bob"}, CreatedAt: at, Creator: rocketchat.UserRef{ID: "u"}},
		rocketchat.User{},
		rocketchat.User{ID: "u", Username: "bob", Roles: []string{"user"}, Emails: []rocketchat.Email{{Address: "bob@example.com", Verified: true}},
			UTCOffset: 5.75, CustomFields: map[string]any{"team": "ops"}},
		rocketchat.Email{},
		rocketchat.ServerInfo{},
		rocketchat.ServerInfo{Version: "8.8.1", Commit: "abc"},
		rocketchat.Statistics{},
		rocketchat.Statistics{Version: "8.7.0", Uptime: 36801050 * time.Second, TotalMessages: 1 << 40, CreatedAt: at},
		rocketchat.RateLimit{},
		rocketchat.RateLimit{Limit: 10, Remaining: 9, Reset: at},
		rocketchat.TwoFactorChallenge{},
		rocketchat.TwoFactorChallenge{Method: "totp", Invalid: true, AvailableMethods: []string{"totp", "email"}},
		rocketchat.Error{},
		rocketchat.Error{StatusCode: 401, Method: "POST", Endpoint: "/api/v1/login", Type: "totp-required", Message: "TOTP Required",
			Details: stdjson.RawMessage(`{"method":"totp"}`), RetryAfter: 23 * time.Second, TwoFactor: &rocketchat.TwoFactorChallenge{Method: "totp"}},
		rocketchat.Credentials{},
	}
	codecs := []struct {
		name      string
		marshal   func(any) ([]byte, error)
		unmarshal func([]byte, any) error
	}{
		{"encoding/json", stdjson.Marshal, stdjson.Unmarshal},
		{"v2", func(v any) ([]byte, error) { return jsonv2.Marshal(v) }, func(b []byte, v any) error { return jsonv2.Unmarshal(b, v) }},
	}
	for _, v := range values {
		for _, c := range codecs {
			b, err := c.marshal(v)
			if err != nil {
				t.Errorf("%s: Marshal(%#v): %v", c.name, v, err)
				continue
			}
			back := reflect.New(reflect.TypeOf(v))
			if err := c.unmarshal(b, back.Interface()); err != nil {
				t.Errorf("%s: Unmarshal(%s) into %T: %v", c.name, b, v, err)
				continue
			}
			if diff := cmp.Diff(v, back.Elem().Interface()); diff != "" {
				t.Errorf("%s: %T through %s (-want +got):\n%s", c.name, v, b, diff)
			}
		}
	}
}
