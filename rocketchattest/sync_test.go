package rocketchattest

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestSyncMessages(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			srv, clock := chatServer(t, v)
			bobID, bobTok := srv.LoginToken("bob")
			bob := auth(bobID, bobTok)
			start := clock.Now()
			old := srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "old"})
			gone := srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "gone"})
			clock.Advance(time.Second)
			since := clock.Now()
			clock.Advance(time.Second)
			fresh := srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "fresh"})
			postJSON(t, srv, "v1/chat.delete", map[string]any{"roomId": "GENERAL", "msgId": gone}, bob)
			deletedAt := clock.Now()
			sync := func(q string) answer {
				return call(t, srv, http.MethodGet, "v1/chat.syncMessages"+q, "", bob...)
			}

			got := sync("?roomId=GENERAL&lastUpdate=" + url.QueryEscape(isoTime(since)))
			body := decode(t, got.body)
			res := body["result"].(map[string]any)
			updated := res["updated"].([]any)
			if got.status != http.StatusOK || body["success"] != true || len(updated) != 1 || updated[0].(map[string]any)["_id"] != fresh {
				t.Errorf("sync since %s: %d %s", since, got.status, got.body)
			}
			wantJSON(t, res["deleted"], fmt.Sprintf(`[{"_id":%q,"_deletedAt":%q}]`, gone, isoTime(deletedAt)))

			// From the start: every message, newest first.
			got = sync("?roomId=GENERAL&lastUpdate=" + url.QueryEscape(isoTime(start.Add(-time.Millisecond))))
			updated = decode(t, got.body)["result"].(map[string]any)["updated"].([]any)
			if len(updated) != 2 || updated[0].(map[string]any)["_id"] != fresh || updated[1].(map[string]any)["_id"] != old {
				t.Errorf("sync from the start: %s", got.body)
			}

			// An edit moves a message into the next sync.
			clock.Advance(time.Second)
			since = clock.Now()
			clock.Advance(time.Second)
			postJSON(t, srv, "v1/chat.update", map[string]any{"roomId": "GENERAL", "msgId": old, "text": "older"}, bob)
			got = sync("?roomId=GENERAL&lastUpdate=" + url.QueryEscape(isoTime(since)))
			updated = decode(t, got.body)["result"].(map[string]any)["updated"].([]any)
			if len(updated) != 1 || updated[0].(map[string]any)["msg"] != "older" {
				t.Errorf("sync after an edit: %s", got.body)
			}

			errBody := func(code, reason, details string) string {
				if srv.gen.syncErrorsPlain {
					return fmt.Sprintf(`{"success":false,"error":"%s [%s]"}`, reason, code)
				}
				return fmt.Sprintf(`{"success":false,"error":"%s [%s]","errorType":%q%s}`, reason, code, code, details)
			}
			wantAnswer(t, sync("?lastUpdate=2020-01-01T00:00:00.000Z"), http.StatusBadRequest,
				errBody("error-roomId-param-not-provided", `The required \"roomId\" query param is missing.`, ""))
			wantAnswer(t, sync("?roomId=GENERAL"), http.StatusBadRequest,
				errBody("error-lastUpdate-param-not-provided", `The required \"lastUpdate\" query param is missing.`, ""))
			wantAnswer(t, sync("?roomId=GENERAL&lastUpdate=yesterday"), http.StatusBadRequest,
				errBody("error-roomId-param-invalid", `The \"lastUpdate\" query parameter must be a valid date.`, ""))
			secret := srv.RoomID("secret")
			carol := auth(srv.PersonalAccessToken("carol"))
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/chat.syncMessages?roomId="+secret+"&lastUpdate=2020-01-01T00:00:00.000Z", "", carol...),
				http.StatusBadRequest, errBody("error-not-allowed", "Not allowed", `,"details":{"method":"messages/get"}`))
		})
	}
}

func TestRoomsGetUpdatedSince(t *testing.T) {
	srv, clock := chatServer(t, "8.8.1")
	bob := auth(srv.PersonalAccessToken("bob"))
	secret := srv.RoomID("secret")
	clock.Advance(time.Second)
	since := clock.Now()
	rooms := func(q string) []string {
		t.Helper()
		got := call(t, srv, http.MethodGet, "v1/rooms.get"+q, "", bob...)
		if got.status != http.StatusOK {
			t.Fatalf("rooms.get%s: %d %s", q, got.status, got.body)
		}
		body := decode(t, got.body)
		if r := body["remove"].([]any); len(r) != 0 {
			t.Errorf("remove %v", r)
		}
		var ids []string
		for _, r := range body["update"].([]any) {
			ids = append(ids, r.(map[string]any)["_id"].(string))
		}
		return ids
	}
	if ids := rooms(""); len(ids) != 2 {
		t.Errorf("all rooms: %v", ids)
	}
	if ids := rooms("?updatedSince=" + url.QueryEscape(isoTime(since))); len(ids) != 0 {
		t.Errorf("nothing changed, yet %v", ids)
	}
	clock.Advance(time.Second)
	srv.AddMessage(Message{RoomID: secret, Username: "bob", Text: "news"})
	if ids := rooms("?updatedSince=" + url.QueryEscape(isoTime(since))); len(ids) != 1 || ids[0] != secret {
		t.Errorf("after a post: %v", ids)
	}
	wantAnswer(t, call(t, srv, http.MethodGet, "v1/rooms.get?updatedSince=soon", "", bob...), http.StatusBadRequest,
		`{"success":false,"error":"The \"updatedSince\" query parameter must be a valid date. [error-updatedSince-param-invalid]","errorType":"error-updatedSince-param-invalid"}`)
}
