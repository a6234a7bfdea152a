package rocketchat_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/go-rocketchat/rocketchat"
)

// TestAnswersDecodeEmptyAsNil sends the real answers of every typed call
// (the OpenAPI examples of testdata/answers, many with "mentions":[] or
// "customFields":{}) and finds no empty but non-nil list or map anywhere
// in what the calls return: values written by hand compare equal to them
// without options.
func TestAnswersDecodeEmptyAsNil(t *testing.T) {
	ctx := context.Background()
	calls := []struct {
		file, endpoint string // answer file, and the endpoint that serves it
		call           func(c *rocketchat.Client) (any, error)
	}{
		{"chat.getMessage_200.json", "v1/chat.getMessage", func(c *rocketchat.Client) (any, error) { return c.Message(ctx, "CeXwh5eBbdrtvnqG6") }},
		{"chat.postMessage_200.json", "v1/chat.postMessage", func(c *rocketchat.Client) (any, error) {
			return c.PostMessage(ctx, rocketchat.NewMessage{Channel: "#general", Text: "hi"})
		}},
		{"chat.update_200.json", "v1/chat.update", func(c *rocketchat.Client) (any, error) { return c.UpdateMessage(ctx, "r", "m", "text") }},
		{"groups.history_200.json", "v1/groups.history", func(c *rocketchat.Client) (any, error) { return collect(c.History(ctx, "66ed2dba40141d95f32c292b")) }},
		{"rooms.info_200.json", "v1/rooms.info", func(c *rocketchat.Client) (any, error) { return c.Room(ctx, "66ed2dba40141d95f32c292b") }},
		{"rooms.get_200.json", "v1/rooms.get", func(c *rocketchat.Client) (any, error) { return c.Rooms(ctx) }},
		{"channels.list_200.json", "v1/channels.list", func(c *rocketchat.Client) (any, error) { return collect(c.Channels(ctx)) }},
		{"dm.create_200.json", "v1/im.create", func(c *rocketchat.Client) (any, error) { return c.CreateDirectMessage(ctx, "rocket.cat") }},
		{"users.info_200.json", "v1/users.info", func(c *rocketchat.Client) (any, error) { return c.User(ctx, "u1") }},
		{"users.list_200.json", "v1/users.list", func(c *rocketchat.Client) (any, error) { return collect(c.Users(ctx)) }},
		{"me_200.json", "v1/me", func(c *rocketchat.Client) (any, error) { return c.Me(ctx) }},
		{"login_200.json", "v1/login", func(c *rocketchat.Client) (any, error) { return c.Login(ctx, "alice", "pw") }},
	}
	empties := 0
	for _, tt := range calls {
		t.Run(tt.file, func(t *testing.T) {
			f := newFakeAPI(t)
			body := corpusBody(t, tt.file)
			empties += strings.Count(string(body), "[]") + strings.Count(string(body), "{}")
			f.handle(tt.endpoint, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, body) })
			if tt.endpoint == "v1/groups.history" {
				room := corpusBody(t, "rooms.info_200.json") // a private group: "t":"p"
				f.handle("v1/rooms.info", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, room) })
			}
			got, err := tt.call(f.client())
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			for _, path := range emptyButNotNil(reflect.ValueOf(got), fmt.Sprintf("%T", got)) {
				t.Errorf("%s is empty but not nil", path)
			}
		})
	}
	if empties < 10 {
		t.Errorf("the answers hold %d empty lists and objects; the test needs them to mean anything", empties)
	}
}

// collect ranges over a walk.
func collect[T any](seq func(func(T, error) bool)) ([]T, error) {
	var all []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		all = append(all, v)
	}
	return all, nil
}

// emptyButNotNil lists the paths of the empty, non-nil slices and maps in
// v. The values of untyped members (map[string]any) are the server's own
// JSON and are not looked into.
func emptyButNotNil(v reflect.Value, path string) []string {
	var found []string
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			found = emptyButNotNil(v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				found = append(found, emptyButNotNil(v.Field(i), path+"."+v.Type().Field(i).Name)...)
			}
		}
	case reflect.Slice, reflect.Map:
		if !v.IsNil() && v.Len() == 0 {
			return []string{path}
		}
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				found = append(found, emptyButNotNil(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
			}
		} else {
			for it := v.MapRange(); it.Next(); {
				found = append(found, emptyButNotNil(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()))...)
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			found = append(found, emptyButNotNil(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return found
}
