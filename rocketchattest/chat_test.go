package rocketchattest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chatServer is a server with an admin, bob and carol, a private group
// of bob's, and no rate limit.
func chatServer(t *testing.T, v string) (*Server, *testClock) {
	t.Helper()
	clock := newTestClock()
	srv := newTestServer(t, WithVersion(v), WithClock(clock.Now), WithoutRateLimit(),
		WithUser(adminUser), WithUser(bobUser), WithUser(User{Username: "carol", Password: "c", Name: "Carol"}),
		WithRoom(Room{Type: "p", Name: "secret", Creator: "bob"}))
	return srv, clock
}

func postJSON(t *testing.T, srv *Server, endpoint string, body any, who []string) answer {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return call(t, srv, http.MethodPost, endpoint, string(b), who...)
}

func TestChatLifecycle(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			srv, clock := chatServer(t, v)
			bob := auth(srv.PersonalAccessToken("bob"))
			carol := auth(srv.PersonalAccessToken("carol"))
			admin := auth(srv.PersonalAccessToken("admin"))

			got := postJSON(t, srv, "v1/chat.postMessage", map[string]any{"channel": "#general", "text": "hello @carol", "alias": "Bot"}, bob)
			if got.status != http.StatusOK {
				t.Fatalf("postMessage: %d %s", got.status, got.body)
			}
			body := decode(t, got.body)
			msg := body["message"].(map[string]any)
			id := msg["_id"].(string)
			if body["channel"] != "#general" || body["ts"] != float64(clock.Now().UnixMilli()) || msg["rid"] != "GENERAL" ||
				msg["msg"] != "hello @carol" || msg["alias"] != "Bot" || msg["ts"] != isoTime(clock.Now()) {
				t.Errorf("postMessage answer: %s", got.body)
			}
			if _, hasMD := msg["md"]; hasMD != srv.gen.messageMarkdown {
				t.Errorf("md present %v in %s", hasMD, v)
			}
			if m := msg["mentions"].([]any); len(m) != 1 || m[0].(map[string]any)["username"] != "carol" {
				t.Errorf("mentions %v", m)
			}

			// Read back, edit, react, delete.
			got = call(t, srv, http.MethodGet, "v1/chat.getMessage?msgId="+id, "", carol...)
			if got.status != http.StatusOK || !strings.Contains(got.body, `"msg":"hello @carol"`) {
				t.Errorf("getMessage: %d %s", got.status, got.body)
			}
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/chat.getMessage?msgId=nope", "", carol...), http.StatusBadRequest, `{"success":false}`)
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/chat.getMessage", "", carol...), http.StatusBadRequest,
				`{"success":false,"error":"The \"msgId\" query parameter must be provided."}`)

			// Carol may not edit or delete bob's message; the admin may.
			wantAnswer(t, postJSON(t, srv, "v1/chat.update", map[string]any{"roomId": "GENERAL", "msgId": id, "text": "x"}, carol), http.StatusBadRequest,
				`{"success":false,"error":"Message editing not allowed [error-action-not-allowed]","errorType":"error-action-not-allowed","details":{"method":"updateMessage","action":"Message_editing"}}`)
			wantAnswer(t, postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": "GENERAL", "msgId": id}, carol), http.StatusBadRequest,
				`{"success":false,"error":"Not allowed [error-action-not-allowed]","errorType":"error-action-not-allowed"}`)
			wantAnswer(t, postJSON(t, srv, "v1/chat.update", map[string]any{"roomId": "OTHER", "msgId": id, "text": "x"}, bob), http.StatusBadRequest,
				`{"success":false,"error":"The room id provided does not match where the message is from."}`)
			clock.Advance(time.Second)
			got = postJSON(t, srv, "v1/chat.update", map[string]any{"roomId": "GENERAL", "msgId": id, "text": "edited"}, bob)
			if !strings.Contains(got.body, `"msg":"edited"`) || !strings.Contains(got.body, `"editedAt":"`+isoTime(clock.Now())+`"`) {
				t.Errorf("update: %d %s", got.status, got.body)
			}

			for _, step := range []struct {
				body map[string]any
				want string
			}{
				{map[string]any{"messageId": id, "emoji": ":smile:"}, `"reactions":{":smile:":{"usernames":["carol"]}}`},
				{map[string]any{"messageId": id, "emoji": "smile", "shouldReact": true}, `"reactions":{":smile:":{"usernames":["carol"]}}`},
				{map[string]any{"messageId": id, "emoji": "smile"}, ``},
			} {
				wantAnswer(t, postJSON(t, srv, "v1/chat.react", step.body, carol), http.StatusOK, `{"success":true}`)
				got := call(t, srv, http.MethodGet, "v1/chat.getMessage?msgId="+id, "", carol...)
				if step.want == "" && strings.Contains(got.body, "reactions") || step.want != "" && !strings.Contains(got.body, step.want) {
					t.Errorf("after react %v: %s", step.body, got.body)
				}
			}
			wantAnswer(t, postJSON(t, srv, "v1/chat.react", map[string]any{"messageId": id, "emoji": "nosuchemoji"}, carol), http.StatusBadRequest,
				`{"success":false,"error":"Invalid emoji provided. [error-not-allowed]","errorType":"error-not-allowed","details":{"method":"setReaction"}}`)
			wantAnswer(t, postJSON(t, srv, "v1/chat.react", map[string]any{"messageId": "nope", "emoji": "smile"}, carol), http.StatusBadRequest,
				`{"success":false,"error":"The provided \"messageId\" does not match any existing message. [error-message-not-found]","errorType":"error-message-not-found"}`)

			got = postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": "GENERAL", "msgId": id}, admin)
			wantAnswer(t, got, http.StatusOK, `{"_id":"`+id+`","ts":"`+strconv.FormatInt(clock.Now().UnixMilli(), 10)+
				`","message":{"_id":"`+id+`","rid":"GENERAL","u":{"_id":"`+srv.UserID("bob")+`","username":"bob","name":"bob"}},"success":true}`)
			wantAnswer(t, postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": "GENERAL", "msgId": id}, admin), http.StatusBadRequest,
				`{"success":false,"error":"No message found with the id of \"`+id+`\"."}`)
			if len(srv.Messages("GENERAL")) != 0 {
				t.Errorf("messages left: %v", srv.Messages("GENERAL"))
			}
		})
	}
}

func TestPostMessageTargetsAndRefusals(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			srv, _ := chatServer(t, v)
			bob := auth(srv.PersonalAccessToken("bob"))
			carol := auth(srv.PersonalAccessToken("carol"))
			secret := srv.RoomID("secret")

			wantAnswer(t, postJSON(t, srv, "v1/chat.postMessage", map[string]any{"channel": "#nowhere", "text": "x"}, bob), http.StatusBadRequest,
				`{"success":false,"error":"[invalid-channel]","errorType":"invalid-channel"}`)
			wantAnswer(t, postJSON(t, srv, "v1/chat.postMessage", map[string]any{"roomId": secret, "text": "x"}, carol), http.StatusBadRequest,
				`{"success":false,"error":"error-not-allowed"}`)
			if got := postJSON(t, srv, "v1/chat.postMessage", map[string]any{"roomId": secret, "text": "mine"}, bob); got.status != http.StatusOK {
				t.Errorf("owner posting in own group: %d %s", got.status, got.body)
			}
			got := postJSON(t, srv, "v1/chat.postMessage", map[string]any{"channel": "@carol", "text": "psst"}, bob)
			dm := directRoomID([]string{srv.UserID("bob"), srv.UserID("carol")})
			if got.status != http.StatusOK || !strings.Contains(got.body, `"rid":"`+dm+`"`) {
				t.Errorf("@carol: %d %s", got.status, got.body)
			}
			if got := postJSON(t, srv, "v1/chat.postMessage", map[string]any{"text": "x"}, bob); got.status != http.StatusBadRequest {
				t.Errorf("no target: %d %s", got.status, got.body)
			}
			wantAnswer(t, postJSON(t, srv, "v1/chat.postMessage", map[string]any{"roomId": "GENERAL", "text": strings.Repeat("a", 5001)}, bob),
				http.StatusBadRequest, `{"success":false,"error":"error-message-size-exceeded"}`)

			ro := srv.AddRoom(Room{Name: "news", ReadOnly: true, Creator: "admin", Members: []string{"bob"}})
			wantAnswer(t, postJSON(t, srv, "v1/chat.postMessage", map[string]any{"roomId": ro, "text": "x"}, bob), http.StatusBadRequest,
				`{"success":false,"error":"You can't send messages because the room is readonly."}`)

			// History of the direct room reads from either side; the group's
			// only for members.
			got = call(t, srv, http.MethodGet, "v1/im.history?roomId="+dm, "", carol...)
			if got.status != http.StatusOK || !strings.Contains(got.body, `"msg":"psst"`) {
				t.Errorf("im.history: %d %s", got.status, got.body)
			}
			if got := call(t, srv, http.MethodGet, "v1/dm.history?roomId="+dm, "", bob...); got.status != http.StatusOK {
				t.Errorf("dm.history: %d", got.status)
			}
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/groups.history?roomId="+secret, "", carol...), http.StatusBadRequest,
				`{"success":false,"error":"The required \"roomId\" or \"roomName\" param provided does not match any group [error-room-not-found]","errorType":"error-room-not-found"}`)
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/im.history?roomId=nope", "", carol...), http.StatusBadRequest,
				`{"success":false,"error":"[invalid-channel]","errorType":"invalid-channel"}`)
		})
	}
}

func TestDeletePermissions(t *testing.T) {
	srv, _ := chatServer(t, DefaultVersion)
	bob := auth(srv.PersonalAccessToken("bob"))
	carol := auth(srv.PersonalAccessToken("carol"))
	room := srv.AddRoom(Room{Name: "bobs", Creator: "bob", Members: []string{"carol"}})
	id := srv.AddMessage(Message{RoomID: room, Username: "carol", Text: "hi"})
	own := srv.AddMessage(Message{RoomID: room, Username: "carol", Text: "mine"})
	// The room's owner deletes others' messages there, not elsewhere.
	if got := postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": room, "msgId": id}, bob); got.status != http.StatusOK {
		t.Errorf("owner delete: %d %s", got.status, got.body)
	}
	general := srv.AddMessage(Message{RoomID: "GENERAL", Username: "carol", Text: "x"})
	if got := postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": "GENERAL", "msgId": general}, bob); got.status != http.StatusBadRequest {
		t.Errorf("delete in someone else's room: %d %s", got.status, got.body)
	}
	wantAnswer(t, postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": "GENERAL", "msgId": general, "asUser": true}, bob), http.StatusBadRequest,
		`{"success":false,"error":"Unauthorized. You must have the permission \"force-delete-message\" to delete other's message as them."}`)
	if got := postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": room, "msgId": own}, carol); got.status != http.StatusOK {
		t.Errorf("own delete: %d %s", got.status, got.body)
	}
}
