package rocketchattest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxMessageSize is Message_MaxAllowedSize.
const maxMessageSize = 5000

// canAccess is canAccessRoom: anyone allowed to view public channels
// reads a public channel; other rooms are for their members.
func canAccess(a *account, r *room) bool {
	if r.t == "c" && a.hasPermission(permViewC) {
		return true
	}
	return r.isMember(a)
}

// servePostMessage is POST /api/v1/chat.postMessage (processWebhookMessage):
// the room is "#name" (a public channel joins the caller), "@username"
// (the direct room with that user, made if needed), or a room ID or name.
func (s *Server) servePostMessage(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	p := readParams(r)
	channel, _ := p["channel"].(string)
	roomID, _ := p["roomId"].(string)
	if channel == "" && roomID == "" && s.gen.ajvParams {
		writeInvalidParams(w, "must have required property 'roomId'", "must have required property 'channel'", "must match exactly one schema in oneOf")
		return
	}
	text, _ := p["text"].(string)
	if text == "" {
		text, _ = p["msg"].(string)
	}
	if utf8.RuneCountInString(text) > maxMessageSize {
		writePlainFailure(w, "error-message-size-exceeded")
		return
	}
	target := channel
	if target == "" {
		target = roomID
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	room := s.resolveChannelLocked(rc.user, target)
	if room == nil {
		writeMeteorError(w, "invalid-channel", "", nil)
		return
	}
	if !canAccess(rc.user, room) {
		writePlainFailure(w, "error-not-allowed")
		return
	}
	if room.ro && !rc.user.hasRoomPermission(permPostReadonly, room) {
		writePlainFailure(w, "You can't send messages because the room is readonly.")
		return
	}
	groupable := false
	m := &message{msg: strings.TrimSpace(text), u: refOf(rc.user), groupable: &groupable}
	m.alias = firstString(p, "alias", "username")
	m.avatar = firstString(p, "avatar", "icon_url")
	if m.avatar == "" {
		m.emoji = firstString(p, "emoji", "icon_emoji")
	}
	m.tmid, _ = p["tmid"].(string)
	if atts, ok := p["attachments"].([]any); ok {
		m.attachments = atts
	}
	s.insertMessageLocked(room, m)
	writeJSON(w, http.StatusOK, object{{"ts", s.now().UnixMilli()}, {"channel", target}, {"message", s.messageObject(m)}, {"success", true}})
}

// firstString returns the first non-empty string parameter of keys.
func firstString(p map[string]any, keys ...string) string {
	for _, k := range keys {
		if v, _ := p[k].(string); v != "" {
			return v
		}
	}
	return ""
}

// resolveChannelLocked is getRoomByNameOrIdWithOptionToJoin as
// processWebhookMessage calls it; nil answers invalid-channel.
func (s *Server) resolveChannelLocked(a *account, target string) *room {
	if target == "" {
		return nil
	}
	var r *room
	switch target[0] {
	case '#':
		r = s.store.roomByIDOrName(target[1:])
	case '@':
		return s.directRoomLocked(a, s.userByIDOrNameLocked(target[1:]), true)
	default:
		if r = s.store.roomByIDOrName(target); r == nil {
			return s.directRoomLocked(a, s.userByIDLocked(target), true)
		}
	}
	if r != nil && r.t == "c" && !r.isMember(a) {
		r.join(a)
		s.store.changes.publish(change{kind: changeJoined, room: r, users: []string{a.ID}})
	}
	return r
}

func (s *Server) userByIDOrNameLocked(v string) *account {
	if a := s.userByIDLocked(v); a != nil {
		return a
	}
	return s.userByUsernameLocked(v)
}

// directRoomLocked finds the direct room of a and other, making it when
// create is set; nil when other is nil.
func (s *Server) directRoomLocked(a, other *account, create bool) *room {
	if other == nil {
		return nil
	}
	id := directRoomID([]string{a.ID, other.ID})
	if r := s.store.roomByID(id); r != nil {
		return r
	}
	if !create {
		return nil
	}
	now := s.now().Truncate(time.Millisecond)
	r := &room{id: id, t: "d", ts: now, updatedAt: now}
	r.join(a)
	r.join(other)
	s.store.rooms = append(s.store.rooms, r)
	s.store.changes.publish(change{kind: changeRoomCreated, room: r})
	return r
}

// serveGetMessage is GET /api/v1/chat.getMessage.
func (s *Server) serveGetMessage(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	id := r.URL.Query().Get("msgId")
	if id == "" {
		writePlainFailure(w, `The "msgId" query parameter must be provided.`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.store.messageByID(id)
	if m == nil {
		// API.v1.failure() without arguments.
		writeJSON(w, http.StatusBadRequest, object{{"success", false}})
		return
	}
	if room := s.store.roomByID(m.rid); room == nil || !canAccess(rc.user, room) {
		writeMeteorError(w, "error-not-allowed", "Not allowed", object{{"method", "getSingleMessage"}})
		return
	}
	writeJSON(w, http.StatusOK, object{{"message", s.messageObject(m)}, {"success", true}})
}

// serveUpdateMessage is POST /api/v1/chat.update (the updateMessage
// method): the author may edit their message (Message_AllowEditing is on
// by default, with no time limit), holders of edit-message any message.
func (s *Server) serveUpdateMessage(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	p := readParams(r)
	roomID, _ := p["roomId"].(string)
	msgID, _ := p["msgId"].(string)
	text, hasText := p["text"].(string)
	if s.gen.ajvParams {
		// The schema's check names the first missing property.
		for _, k := range []string{"roomId", "msgId", "text"} {
			if _, ok := p[k].(string); !ok {
				writeInvalidParams(w, "must have required property '"+k+"'")
				return
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, room := s.messageInRoom(w, msgID, roomID)
	if m == nil {
		return
	}
	if hasText && text != m.msg {
		if m.u.id != rc.user.ID && !rc.user.hasRoomPermission(permEditAny, room) {
			writeMeteorError(w, "error-action-not-allowed", "Message editing not allowed",
				object{{"method", "updateMessage"}, {"action", "Message_editing"}})
			return
		}
		if !canAccess(rc.user, room) {
			writePlainFailure(w, "error-not-allowed")
			return
		}
		if room.ro && !rc.user.hasRoomPermission(permPostReadonly, room) {
			writePlainFailure(w, "You can't send messages because the room is readonly.")
			return
		}
		now := s.now().Truncate(time.Millisecond)
		ref := refOf(rc.user)
		m.msg, m.editedAt, m.editedBy, m.updatedAt = text, now, &ref, now
		m.mentions = s.mentionsLocked(text)
		s.messageChangedLocked(room, m)
	}
	writeJSON(w, http.StatusOK, object{{"message", s.messageObject(m)}, {"success", true}})
}

// serveDeleteMessage is POST /api/v1/chat.delete (canDeleteMessage):
// force-delete-message deletes anything; otherwise deleting is allowed
// (Message_AllowDeleting, no time limit) to holders of delete-message,
// and to the author holding delete-own-message; in a read-only room only
// those who may post there.
func (s *Server) serveDeleteMessage(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	p := readParams(r)
	roomID, _ := p["roomId"].(string)
	msgID, _ := p["msgId"].(string)
	asUser, _ := p["asUser"].(bool)
	if s.gen.ajvParams && msgID == "" {
		writeInvalidParams(w, "must have required property 'msgId'")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, room := s.messageInRoom(w, msgID, roomID)
	if m == nil {
		return
	}
	a := rc.user
	if asUser && m.u.id != a.ID && !a.hasRoomPermission(permForceDelete, room) {
		writePlainFailure(w, `Unauthorized. You must have the permission "force-delete-message" to delete other's message as them.`)
		return
	}
	if asUser {
		if author := s.userByIDLocked(m.u.id); author != nil {
			a = author
		} else {
			writePlainFailure(w, "User not found")
			return
		}
	}
	if !a.hasRoomPermission(permForceDelete, room) {
		if !a.hasRoomPermission(permDeleteAny, room) && !(m.u.id == a.ID && a.hasRoomPermission(permDeleteOwn, room)) {
			writeMeteorError(w, "error-action-not-allowed", "Not allowed", nil)
			return
		}
		if room.ro && !a.hasRoomPermission(permPostReadonly, room) {
			writePlainFailure(w, "You can't delete messages because the room is readonly.")
			return
		}
	}
	s.deleteMessageLocked(room, m, a)
	writeJSON(w, http.StatusOK, object{
		{"_id", m.id},
		{"ts", strconv.FormatInt(s.now().UnixMilli(), 10)},
		{"message", object{{"_id", m.id}, {"rid", m.rid}, {"u", m.u.object()}}},
		{"success", true},
	})
}

// emojiNames are the emoji chat.react accepts: a common part of the
// server's emoji list (emoji.list); reacting with any other answers
// "Invalid emoji provided.".
var emojiNames = []string{
	"+1", "-1", "100", "clap", "eyes", "fire", "grinning", "heart", "heavy_check_mark", "joy",
	"laughing", "ok_hand", "pray", "rocket", "slight_smile", "smile", "smiley", "smirk", "tada",
	"thinking", "thumbsdown", "thumbsup", "warning", "wave", "white_check_mark", "x",
}

// serveReact is POST /api/v1/chat.react (executeSetReaction): with
// shouldReact true or false it sets the caller's reaction; without it,
// it toggles.
func (s *Server) serveReact(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	p := readParams(r)
	msgID, _ := p["messageId"].(string)
	if s.gen.ajvParams && msgID == "" {
		writeInvalidParams(w, "must have required property 'messageId'")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.store.messageByID(msgID)
	if m == nil {
		writeMeteorError(w, "error-message-not-found", `The provided "messageId" does not match any existing message.`, nil)
		return
	}
	emoji := firstString(p, "emoji", "reaction")
	if emoji == "" {
		writeMeteorError(w, "error-emoji-param-not-provided", `The required "emoji" param is missing.`, nil)
		return
	}
	name := strings.ReplaceAll(emoji, ":", "")
	if !slices.Contains(emojiNames, name) {
		writeMeteorError(w, "error-not-allowed", "Invalid emoji provided.", object{{"method", "setReaction"}})
		return
	}
	key := ":" + name + ":"
	i := slices.IndexFunc(m.reactions, func(x reaction) bool { return x.emoji == key })
	reacted := i >= 0 && slices.Contains(m.reactions[i].usernames, rc.user.Username)
	should, ok := p["shouldReact"].(bool)
	if !ok {
		should = !reacted
	}
	if should == reacted {
		writeJSON(w, http.StatusOK, object{{"success", true}})
		return
	}
	room := s.store.roomByID(m.rid)
	if room == nil || !canAccess(rc.user, room) {
		writeMeteorError(w, "not-authorized", "Not Authorized", object{{"method", "setReaction"}})
		return
	}
	if room.ro && !rc.user.hasRoomPermission(permPostReadonly, room) {
		writePlainFailure(w, "You can't send messages because the room is readonly.")
		return
	}
	if should {
		if i < 0 {
			m.reactions = append(m.reactions, reaction{emoji: key})
			i = len(m.reactions) - 1
		}
		m.reactions[i].usernames = append(m.reactions[i].usernames, rc.user.Username)
	} else {
		m.reactions[i].usernames = slices.DeleteFunc(m.reactions[i].usernames, func(u string) bool { return u == rc.user.Username })
		if len(m.reactions[i].usernames) == 0 {
			m.reactions = slices.Delete(m.reactions, i, i+1)
		}
	}
	m.updatedAt = s.now().Truncate(time.Millisecond)
	s.messageChangedLocked(room, m)
	writeJSON(w, http.StatusOK, object{{"success", true}})
}

// messageInRoom finds the message msgID in room roomID for chat.update
// and chat.delete, or writes the server's refusal and returns nil. The
// caller holds s.mu.
func (s *Server) messageInRoom(w http.ResponseWriter, msgID, roomID string) (*message, *room) {
	m := s.store.messageByID(msgID)
	if m == nil {
		writePlainFailure(w, `No message found with the id of "`+msgID+`".`)
		return nil, nil
	}
	if roomID != m.rid {
		writePlainFailure(w, "The room id provided does not match where the message is from.")
		return nil, nil
	}
	return m, s.store.roomByID(m.rid)
}
