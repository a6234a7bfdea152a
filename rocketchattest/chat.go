package rocketchattest

import (
	"cmp"
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
	var p struct {
		Channel     string `json:"channel"`
		RoomID      string `json:"roomId"`
		Text        string `json:"text"`
		Msg         string `json:"msg"`
		Alias       string `json:"alias"`
		Username    string `json:"username"`
		Avatar      string `json:"avatar"`
		IconURL     string `json:"icon_url"`
		Emoji       string `json:"emoji"`
		IconEmoji   string `json:"icon_emoji"`
		TMID        string `json:"tmid"`
		Attachments []any  `json:"attachments"`
	}
	decodeParams(r, &p)
	if p.Channel == "" && p.RoomID == "" && s.gen.ajvParams {
		writeInvalidParams(w, "must have required property 'roomId'", "must have required property 'channel'", "must match exactly one schema in oneOf")
		return
	}
	text := cmp.Or(p.Text, p.Msg)
	if utf8.RuneCountInString(text) > maxMessageSize {
		writePlainFailure(w, "error-message-size-exceeded")
		return
	}
	target := cmp.Or(p.Channel, p.RoomID)

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
	m.alias = cmp.Or(p.Alias, p.Username)
	m.avatar = cmp.Or(p.Avatar, p.IconURL)
	if m.avatar == "" {
		m.emoji = cmp.Or(p.Emoji, p.IconEmoji)
	}
	m.tmid = p.TMID
	m.attachments = p.Attachments
	s.insertMessageLocked(room, m)
	writeJSON(w, http.StatusOK, object{{"ts", s.now().UnixMilli()}, {"channel", target}, {"message", s.messageObject(m)}, {"success", true}})
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
	var p struct {
		RoomID *string `json:"roomId"`
		MsgID  *string `json:"msgId"`
		Text   *string `json:"text"`
	}
	decodeParams(r, &p)
	if s.gen.ajvParams {
		// The schema's check names the first missing property.
		missing := ""
		switch {
		case p.RoomID == nil:
			missing = "roomId"
		case p.MsgID == nil:
			missing = "msgId"
		case p.Text == nil:
			missing = "text"
		}
		if missing != "" {
			writeInvalidParams(w, "must have required property '"+missing+"'")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, room, err := s.messageInRoom(value(p.MsgID), value(p.RoomID))
	if err != nil {
		writeAPIError(w, err)
		return
	}
	if p.Text != nil && *p.Text != m.msg {
		text := *p.Text
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
	var p struct {
		RoomID string `json:"roomId"`
		MsgID  string `json:"msgId"`
		AsUser bool   `json:"asUser"`
	}
	decodeParams(r, &p)
	if s.gen.ajvParams && p.MsgID == "" {
		writeInvalidParams(w, "must have required property 'msgId'")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, room, err := s.messageInRoom(p.MsgID, p.RoomID)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	a := rc.user
	if p.AsUser && m.u.id != a.ID && !a.hasRoomPermission(permForceDelete, room) {
		writePlainFailure(w, `Unauthorized. You must have the permission "force-delete-message" to delete other's message as them.`)
		return
	}
	if p.AsUser {
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
		{"message", object{{"_id", m.id}, {"rid", m.rid}, {"u", m.u.json()}}},
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
	var p struct {
		MessageID   string `json:"messageId"`
		Emoji       string `json:"emoji"`
		Reaction    string `json:"reaction"`
		ShouldReact *bool  `json:"shouldReact"`
	}
	decodeParams(r, &p)
	if s.gen.ajvParams && p.MessageID == "" {
		writeInvalidParams(w, "must have required property 'messageId'")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.store.messageByID(p.MessageID)
	if m == nil {
		writeMeteorError(w, "error-message-not-found", `The provided "messageId" does not match any existing message.`, nil)
		return
	}
	emoji := cmp.Or(p.Emoji, p.Reaction)
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
	should := !reacted
	if p.ShouldReact != nil {
		should = *p.ShouldReact
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
// and chat.delete, or returns the server's refusal. The caller holds
// s.mu.
func (s *Server) messageInRoom(msgID, roomID string) (*message, *room, *apiError) {
	m := s.store.messageByID(msgID)
	if m == nil {
		return nil, nil, plainFailure(`No message found with the id of "` + msgID + `".`)
	}
	if roomID != m.rid {
		return nil, nil, plainFailure("The room id provided does not match where the message is from.")
	}
	return m, s.store.roomByID(m.rid), nil
}
