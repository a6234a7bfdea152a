package rocketchattest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRoomsAndChannels(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			srv, clock := chatServer(t, v)
			bob := auth(srv.PersonalAccessToken("bob"))
			carol := auth(srv.PersonalAccessToken("carol"))

			got := call(t, srv, http.MethodGet, "v1/rooms.info?roomName=general", "", carol...)
			if got.status != http.StatusOK || !strings.HasPrefix(got.body, `{"room":{"_id":"GENERAL","fname":"general",`) ||
				!strings.Contains(got.body, `"usersCount":4,"u":{"_id":"rocket.cat","username":"rocket.cat","name":"Rocket.Cat"}`) {
				t.Errorf("rooms.info general: %d %s", got.status, got.body)
			}
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/rooms.info?roomId=nope", "", carol...), http.StatusBadRequest,
				`{"success":false,"error":"The required \"roomId\" or \"roomName\" param provided does not match any channel [error-room-not-found]","errorType":"error-room-not-found"}`)
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/rooms.info", "", carol...), http.StatusBadRequest,
				`{"success":false,"error":"The parameter \"roomId\" or \"roomName\" is required [error-roomid-param-not-provided]","errorType":"error-roomid-param-not-provided"}`)
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/rooms.info?roomName=secret", "", carol...), http.StatusBadRequest,
				`{"success":false,"error":"not-allowed","errorType":"Not Allowed"}`)

			// channels.create, then it lists; 120 channels page 100 at most.
			got = postJSON(t, srv, "v1/channels.create", map[string]any{"name": "dev", "members": []string{"carol"}}, bob)
			if got.status != http.StatusOK || !strings.Contains(got.body, `"name":"dev","t":"c","msgs":0,"usersCount":2,"u":{"_id":"`+srv.UserID("bob")) {
				t.Errorf("channels.create: %d %s", got.status, got.body)
			}
			wantAnswer(t, postJSON(t, srv, "v1/channels.create", map[string]any{"name": "dev"}, bob), http.StatusBadRequest,
				`{"success":false,"error":"A channel with name 'dev' exists [error-duplicate-channel-name]","errorType":"error-duplicate-channel-name","details":{"function":"RocketChat.createRoom","channel_name":"dev"}}`)
			wantAnswer(t, postJSON(t, srv, "v1/channels.create", map[string]any{"name": "a b"}, bob), http.StatusBadRequest,
				`{"success":false,"error":"a b is not a valid room name [error-invalid-room-name]","errorType":"error-invalid-room-name","details":{"function":"RocketChat.createRoom","channel_name":"a b"}}`)
			for i := 0; i < 118; i++ {
				srv.AddRoom(Room{Name: fmt.Sprintf("c%03d", i)})
			}
			for _, tc := range []struct {
				query                string
				count, offset, total int
				first                string
			}{
				{"", 50, 0, 120, "c000"},
				{"?count=500", 100, 0, 120, "c000"},
				{"?count=0", 120, 0, 120, "c000"},
				{"?offset=110&count=20", 10, 110, 120, "c110"},
			} {
				b := decode(t, call(t, srv, http.MethodGet, "v1/channels.list"+tc.query, "", bob...).body)
				chans := b["channels"].([]any)
				if len(chans) != tc.count || b["count"] != float64(tc.count) || b["offset"] != float64(tc.offset) || b["total"] != float64(tc.total) ||
					chans[0].(map[string]any)["name"] != tc.first {
					t.Errorf("channels.list%s: %d channels, count %v offset %v total %v first %v", tc.query, len(chans), b["count"], b["offset"], b["total"], chans[0].(map[string]any)["name"])
				}
			}

			// rooms.get: bob's rooms (general, his group, dev).
			b := decode(t, call(t, srv, http.MethodGet, "v1/rooms.get", "", bob...).body)
			if n := len(b["update"].([]any)); n != 3 {
				t.Errorf("rooms.get: %d rooms", n)
			}

			// History: newest first, paged.
			dev := srv.RoomID("dev")
			for i := 0; i < 25; i++ {
				srv.AddMessage(Message{RoomID: dev, Username: "carol", Text: fmt.Sprint("m", i)})
				clock.Advance(time.Second)
			}
			b = decode(t, call(t, srv, http.MethodGet, "v1/channels.history?roomName=dev", "", bob...).body)
			msgs := b["messages"].([]any)
			want := 20
			if srv.gen.paginatedHistory {
				want = 25
			}
			if len(msgs) != want || msgs[0].(map[string]any)["msg"] != "m24" || len(b) != 2 {
				t.Errorf("channels.history: %d messages, first %v, keys %d", len(msgs), msgs[0].(map[string]any)["msg"], len(b))
			}
			b = decode(t, call(t, srv, http.MethodGet, "v1/channels.history?roomId="+dev+"&count=10&offset=20", "", bob...).body)
			if msgs := b["messages"].([]any); len(msgs) != 5 || msgs[4].(map[string]any)["msg"] != "m0" {
				t.Errorf("channels.history page 3: %v", msgs)
			}
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/channels.history?roomName=secret", "", bob...), http.StatusBadRequest,
				`{"success":false,"error":"The required \"roomId\" or \"roomName\" param provided does not match any channel [error-room-not-found]","errorType":"error-room-not-found"}`)

			// im.create
			got = postJSON(t, srv, "v1/im.create", map[string]any{"username": "carol"}, bob)
			dm := directRoomID([]string{srv.UserID("bob"), srv.UserID("carol")})
			// Every generation adds _id: room.rid to the room.
			wantAnswer(t, got, http.StatusOK, `{"room":{"t":"d","rid":"`+dm+`","usernames":["bob","carol"],"_id":"`+dm+`"},"success":true}`)
			wantAnswer(t, postJSON(t, srv, "v1/im.create", map[string]any{"username": "ghost"}, bob), http.StatusBadRequest,
				`{"success":false,"error":"Invalid user [error-invalid-user]","errorType":"error-invalid-user","details":{"method":"createDirectMessage"}}`)
		})
	}
}

func TestUsersAndStatistics(t *testing.T) {
	for _, v := range allVersions {
		t.Run(v, func(t *testing.T) {
			srv, clock := chatServer(t, v)
			bob := auth(srv.PersonalAccessToken("bob"))
			admin := auth(srv.PersonalAccessToken("admin"))

			got := call(t, srv, http.MethodGet, "v1/users.info?username=carol", "", bob...)
			wantAnswer(t, got, http.StatusOK, `{"user":{"_id":"`+srv.UserID("carol")+`","username":"carol","type":"user","status":"offline","active":true,"name":"Carol","utcOffset":0},"success":true}`)
			got = call(t, srv, http.MethodGet, "v1/users.info?userId="+srv.UserID("bob"), "", admin...)
			if !strings.Contains(got.body, `"emails":[{"address":"bob@example.com","verified":false}]`) || !strings.Contains(got.body, `"roles":["user"]`) {
				t.Errorf("users.info for an admin: %s", got.body)
			}
			wantAnswer(t, call(t, srv, http.MethodGet, "v1/users.info?username=ghost", "", bob...), http.StatusBadRequest, `{"success":false,"error":"User not found."}`)

			b := decode(t, call(t, srv, http.MethodGet, "v1/users.list?count=2&offset=1", "", bob...).body)
			users := b["users"].([]any)
			if len(users) != 2 || b["total"] != float64(4) || users[0].(map[string]any)["username"] != "bob" {
				t.Errorf("users.list: %v", b)
			}

			wantAnswer(t, call(t, srv, http.MethodGet, "v1/statistics", "", bob...), http.StatusBadRequest, `{"success":false,"error":"error-not-allowed"}`)
			srv.AddMessage(Message{RoomID: "GENERAL", Username: "bob", Text: "x"})
			clock.Advance(90 * time.Second)
			b = decode(t, call(t, srv, http.MethodGet, "v1/statistics", "", admin...).body)
			for k, want := range map[string]any{
				"version": srv.Version(), "totalUsers": float64(4), "activeUsers": float64(3), "onlineUsers": float64(1), "offlineUsers": float64(3),
				"totalRooms": float64(2), "totalChannels": float64(1), "totalPrivateGroups": float64(1), "totalDirect": float64(0),
				"totalMessages": float64(1), "instanceCount": float64(len(srv.Instances())), "createdAt": isoTime(clock.Now()), "success": true,
			} {
				if b[k] != want {
					t.Errorf("statistics %s = %v, want %v", k, b[k], want)
				}
			}
			if up := b["process"].(map[string]any)["uptime"]; up != float64(90) {
				t.Errorf("process uptime %v, want 90", up)
			}
		})
	}
}
