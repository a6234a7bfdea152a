package rocketchat

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/h2non/gock.v1"
)

// gockClient returns a client under a sub-path whose transport gock
// intercepts. gock is global: no t.Parallel here.
func gockClient(t *testing.T) *Client {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}}
	gock.InterceptClient(hc)
	t.Cleanup(gock.Off)
	c, err := NewClient("https://chat.example.com/chat",
		WithHTTPClient(hc),
		WithRetry(1, time.Millisecond, time.Millisecond),
		WithCredentials(Credentials{UserID: "u1", Token: "t1"}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestInstancesGolden serves each generation's golden answer and compares
// what Instances returns with the instances the file holds.
func TestInstancesGolden(t *testing.T) {
	for name, want := range goldenInstances(t) {
		t.Run(name, func(t *testing.T) {
			c := gockClient(t)
			gock.New("https://chat.example.com").Get("/chat/api/v1/instances.get").
				MatchHeader("X-User-Id", "^u1$").MatchHeader("X-Auth-Token", "^t1$").
				Reply(200).SetHeader("Content-Type", "application/json").Body(bytes.NewReader(readGolden(t, name)))
			got, err := c.Instances(context.Background())
			if err != nil {
				t.Fatalf("Instances: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Instances (-want +got):\n%s", diff)
			}
			if !gock.IsDone() {
				t.Errorf("the request was not made")
			}
		})
	}
}

// TestInstancesErrorForms serves each golden failure answer to Instances.
func TestInstancesErrorForms(t *testing.T) {
	tests := []struct {
		file   string
		status int
		is     error
		typ    string
	}{
		{"error_401_5x.json", 401, ErrUnauthorized, ""},
		{"error_401_7x.json", 401, ErrUnauthorized, ""},
		{"error_401_9x.json", 401, ErrUnauthorized, ""},
		{"error_403_5x.json", 403, ErrForbidden, "unauthorized"},
		{"error_403_8x.json", 403, ErrForbidden, "error-unauthorized"},
		{"error_404.json", 404, ErrNotFound, ""},
		{"error_429.json", 429, ErrRateLimited, "error-too-many-requests"},
		{"error_totp_required_endpoint.json", 400, ErrTwoFactorRequired, "totp-required"},
		{"error_502_nginx.html", 502, nil, ""},
		{"error_500.json", 500, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := gockClient(t)
			// Repeated failures (429, 5xx) answer twice: the first try and
			// the one retry this client allows.
			gock.New("https://chat.example.com").Get("/chat/api/v1/instances.get").Times(2).
				Reply(tt.status).Body(bytes.NewReader(readTestdata(t, tt.file)))
			got, err := c.Instances(context.Background())
			var e *Error
			if !errors.As(err, &e) || got != nil {
				t.Fatalf("Instances = %v, %v; want nil and *Error", got, err)
			}
			if e.StatusCode != tt.status || e.Type != tt.typ || e.Endpoint != "/chat/api/v1/instances.get" || e.Method != "GET" {
				t.Errorf("got %+v", e)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestInstancesRejectsWrongBodies(t *testing.T) {
	for name, body := range map[string]string{
		"no instances":         `{"success":true}`,
		"instances not a list": `{"instances":{},"success":true}`,
		"a list":               `[]`,
		"truncated":            `{"instances":[{"_id":"a"`,
		"wrong item":           `{"instances":["a"],"success":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := gockClient(t)
			gock.New("https://chat.example.com").Get("/chat/api/v1/instances.get").Reply(200).BodyString(body)
			if got, err := c.Instances(context.Background()); !errors.Is(err, ErrInvalidResponse) || got != nil {
				t.Errorf("Instances = %v, %v; want ErrInvalidResponse", got, err)
			}
		})
	}
}

// TestInstancesRefusesItemsWithoutID: an item of a server's answer
// without an _id is not an instance (an Instance decoded from a
// program's own JSON may have none).
func TestInstancesRefusesItemsWithoutID(t *testing.T) {
	for name, item := range map[string]string{
		"empty item":             `{}`,
		"null item":              `null`,
		"empty wrapper":          `{"instanceRecord":{}}`,
		"wrapper without record": `{"address":"10.0.0.1","currentStatus":{"connected":true,"local":true},"broadcastAuth":true}`,
		"null _id":               `{"instanceRecord":{"_id":null,"pid":1}}`,
		"raw record without _id": `{"name":"rocket.chat","pid":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			c := gockClient(t)
			gock.New("https://chat.example.com").Get("/chat/api/v1/instances.get").Reply(200).
				BodyString(`{"instances":[{"_id":"a"},` + item + `],"success":true}`)
			got, err := c.Instances(context.Background())
			if !errors.Is(err, ErrInvalidResponse) || got != nil || !strings.Contains(err.Error(), "item 1: an item without an _id") {
				t.Errorf("Instances = %v, %v; want ErrInvalidResponse for item 1 without an _id", got, err)
			}
		})
	}
}

// TestInstancesInvalidUTF8 decodes invalid UTF-8 as U+FFFD, as the other
// endpoints do, so that the value round-trips through JSON.
func TestInstancesInvalidUTF8(t *testing.T) {
	c := gockClient(t)
	gock.New("https://chat.example.com").Get("/chat/api/v1/instances.get").Reply(200).
		BodyString("{\"instances\":[{\"_id\":\"a\xffb\",\"name\":\"x\\u00e9\xfe\"}],\"success\":true}")
	got, err := c.Instances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ID != "a\uFFFDb" || got[0].Name != "xé\uFFFD" {
		t.Errorf("ID %q, Name %q; want U+FFFD in place of the invalid bytes", got[0].ID, got[0].Name)
	}
}
