package rocketchattest

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// findRoomLocked is findRoomByIdOrName (rooms.ts) and its channel and
// group variants: the roomId or roomName parameter names a room of one
// of the types; the refusal is returned when there is none.
func (s *Server) findRoomLocked(q url.Values, paramCode, what string, types ...string) (*room, *apiError) {
	id, name := q.Get("roomId"), q.Get("roomName")
	if strings.TrimSpace(id) == "" && strings.TrimSpace(name) == "" {
		return nil, meteorError(paramCode, `The parameter "roomId" or "roomName" is required`, nil)
	}
	var r *room
	if id != "" {
		r = s.store.roomByID(id)
	} else {
		r = s.store.roomByName(name)
	}
	if r == nil || !slices.Contains(types, r.t) {
		return nil, meteorError("error-room-not-found", `The required "roomId" or "roomName" param provided does not match any `+what, nil)
	}
	return r, nil
}

// serveRoomInfo is GET /api/v1/rooms.info?roomId= or ?roomName=.
func (s *Server) serveRoomInfo(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.mu.Lock()
	defer s.mu.Unlock()
	room, err := s.findRoomLocked(r.URL.Query(), "error-roomid-param-not-provided", "channel", "c", "p", "d")
	if err != nil {
		writeAPIError(w, err)
		return
	}
	if !canAccess(rc.user, room) {
		// API.v1.failure('not-allowed', 'Not Allowed'): the code in error,
		// the words in errorType.
		writeJSON(w, http.StatusBadRequest, object{{"success", false}, {"error", "not-allowed"}, {"errorType", "Not Allowed"}})
		return
	}
	writeJSON(w, http.StatusOK, object{{"room", s.roomObject(room)}, {"success", true}})
}

// serveRoomsGet is GET /api/v1/rooms.get: the rooms the caller belongs
// to, all as updates; with updatedSince, only those whose document
// changed after it (a new last message moves a room's _updatedAt).
// Rooms are never deleted here, so remove stays empty.
func (s *Server) serveRoomsGet(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	var since time.Time
	if v := r.URL.Query().Get("updatedSince"); v != "" {
		t, ok := parseDate(v)
		if !ok {
			writeMeteorError(w, "error-updatedSince-param-invalid", `The "updatedSince" query parameter must be a valid date.`, nil)
			return
		}
		since = t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	update := []any{}
	for _, room := range s.store.rooms {
		if room.isMember(rc.user) && room.updatedAt.After(since) {
			update = append(update, s.roomObject(room))
		}
	}
	writeJSON(w, http.StatusOK, object{{"update", update}, {"remove", []any{}}, {"success", true}})
}

// serveChannelsList is GET /api/v1/channels.list: every public channel
// by name, a page at a time.
func (s *Server) serveChannelsList(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	offset, count := pageParams(r.URL.Query())
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*room
	for _, room := range s.store.rooms {
		if room.t == "c" {
			all = append(all, room)
		}
	}
	slices.SortStableFunc(all, func(a, b *room) int { return strings.Compare(a.name, b.name) })
	items := []any{}
	for _, room := range page(all, offset, count) {
		items = append(items, s.roomObject(room))
	}
	writeJSON(w, http.StatusOK, object{{"channels", items}, {"count", len(items)}, {"offset", offset}, {"total", len(all)}, {"success", true}})
}

// roomNameRule is UTF8_Channel_Names_Validation's default.
var roomNameRule = regexp.MustCompile(`^[0-9a-zA-Z-_.]+$`)

// serveChannelsCreate is POST /api/v1/channels.create (createRoom): the
// caller becomes the owner; members join.
func (s *Server) serveChannelsCreate(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	var p struct {
		Name     string   `json:"name"`
		Members  []string `json:"members"`
		ReadOnly bool     `json:"readOnly"`
	}
	decodeParams(r, &p)
	name := p.Name
	if name == "" {
		writePlainFailure(w, `Body param "name" is required`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !rc.user.hasPermission(permCreateC) {
		writeJSON(w, http.StatusForbidden, object{{"success", false}, {"error", s.gen.forbiddenWord}})
		return
	}
	details := object{{"function", "RocketChat.createRoom"}, {"channel_name", name}}
	if !roomNameRule.MatchString(name) {
		writeMeteorError(w, "error-invalid-room-name", name+" is not a valid room name", details)
		return
	}
	if s.store.roomByName(name) != nil {
		writeMeteorError(w, "error-duplicate-channel-name", "A channel with name '"+name+"' exists", details)
		return
	}
	// Unknown members are skipped, as createRoom does; so are members
	// that are not strings, read as "", which no username is.
	var known []string
	for _, m := range p.Members {
		if s.userByUsernameLocked(m) != nil {
			known = append(known, m)
		}
	}
	id, err := s.addRoomLocked(Room{ID: s.store.nextID("room"), Type: "c", Name: name, ReadOnly: p.ReadOnly, Creator: rc.user.Username, Members: known})
	if err != nil {
		writeMeteorError(w, "error-duplicate-channel-name", "A channel with name '"+name+"' exists", details)
		return
	}
	writeJSON(w, http.StatusOK, object{{"channel", s.roomObject(s.store.roomByID(id))}, {"success", true}})
}

// writeHistoryLocked answers a history endpoint for the room: messages
// newest first, between oldest and latest (now by default), a page at a
// time.
func (s *Server) writeHistoryLocked(w http.ResponseWriter, q url.Values, room *room) {
	latest, hasLatest := parseDate(q.Get("latest"))
	oldest, hasOldest := parseDate(q.Get("oldest"))
	inclusive := q.Get("inclusive") == "true"
	var offset, count int
	if s.gen.paginatedHistory {
		offset, count = pageParams(q)
	} else {
		offset, _ = strconv.Atoi(q.Get("offset"))
		offset = max(offset, 0)
		count = 20
		if n, err := strconv.Atoi(q.Get("count")); err == nil && n > 0 {
			count = n
		}
	}
	var list []*message
	for _, m := range s.store.roomMessages(room.id) {
		if hasLatest && (m.ts.After(latest) || !inclusive && m.ts.Equal(latest)) {
			continue
		}
		if hasOldest && (m.ts.Before(oldest) || !inclusive && m.ts.Equal(oldest)) {
			continue
		}
		list = append(list, m)
	}
	items := []messageJSON{}
	for _, m := range page(list, offset, count) {
		items = append(items, s.messageObject(m))
	}
	writeJSON(w, http.StatusOK, object{{"messages", items}, {"success", true}})
}

// serveChannelsHistory is GET /api/v1/channels.history.
func (s *Server) serveChannelsHistory(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	room, err := s.findRoomLocked(q, "error-roomid-param-not-provided", "channel", "c")
	if err != nil {
		writeAPIError(w, err)
		return
	}
	if !canAccess(rc.user, room) {
		writeJSON(w, http.StatusForbidden, object{{"success", false}, {"error", s.gen.forbiddenWord}})
		return
	}
	s.writeHistoryLocked(w, q, room)
}

// serveGroupsHistory is GET /api/v1/groups.history: private groups the
// caller is in; others read as missing.
func (s *Server) serveGroupsHistory(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	room, err := s.findRoomLocked(q, "error-room-param-not-provided", "group", "p")
	if err != nil {
		writeAPIError(w, err)
		return
	}
	if !room.isMember(rc.user) {
		writeMeteorError(w, "error-room-not-found", `The required "roomId" or "roomName" param provided does not match any group`, nil)
		return
	}
	s.writeHistoryLocked(w, q, room)
}

// serveIMHistory is GET /api/v1/im.history and its alias dm.history
// (findDirectMessageRoom): roomId names a direct room, or a user whose
// direct room with the caller it is.
func (s *Server) serveIMHistory(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	q := r.URL.Query()
	target := q.Get("roomId")
	if target == "" {
		target = q.Get("username")
	}
	if target == "" {
		if s.gen.ajvParams {
			writeInvalidParams(w, "must have required property 'roomId'")
		} else {
			writeMeteorError(w, "error-room-param-not-provided", `Body param "roomId" or "username" is required`, nil)
		}
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	room := s.store.roomByID(target)
	if room == nil {
		room = s.directRoomLocked(rc.user, s.userByIDOrNameLocked(target), true)
	}
	if room == nil {
		writeMeteorError(w, "invalid-channel", "", nil)
		return
	}
	if room.t != "d" || !room.isMember(rc.user) {
		writeMeteorError(w, "error-room-not-found", `The required "roomId" or "username" param provided does not match any direct message`, nil)
		return
	}
	s.writeHistoryLocked(w, q, room)
}

// serveIMCreate is POST /api/v1/im.create (createDirectMessage) with
// username, or usernames separated by commas for a group conversation.
func (s *Server) serveIMCreate(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	var p struct {
		Usernames string `json:"usernames"`
		Username  string `json:"username"`
	}
	decodeParams(r, &p)
	var names []string
	if p.Usernames != "" {
		for _, n := range strings.Split(p.Usernames, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	} else if p.Username != "" {
		names = []string{p.Username}
	}
	if len(names) == 0 {
		writeInvalidParams(w, "must have required property 'usernames'", "must have required property 'username'", "must match exactly one schema in oneOf")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !rc.user.hasPermission(permCreateD) {
		writeMeteorError(w, "error-not-allowed", "Not allowed", object{{"method", "createDirectMessage"}})
		return
	}
	ids := []string{rc.user.ID}
	for _, n := range names {
		a := s.userByUsernameLocked(n)
		if a == nil {
			writeMeteorError(w, "error-invalid-user", "Invalid user", object{{"method", "createDirectMessage"}})
			return
		}
		ids = append(ids, a.ID)
	}
	id := directRoomID(ids)
	dm := s.store.roomByID(id)
	if dm == nil {
		now := s.now().Truncate(time.Millisecond)
		dm = &room{id: id, t: "d", ts: now, updatedAt: now}
		for _, uid := range ids {
			if !slices.Contains(dm.members, uid) {
				dm.members = append(dm.members, uid)
			}
		}
		s.store.rooms = append(s.store.rooms, dm)
		s.store.changes.publish(change{kind: changeRoomCreated, room: dm})
	}
	usernames := make([]string, 0, len(dm.members))
	for _, uid := range dm.members {
		usernames = append(usernames, s.userByIDLocked(uid).Username)
	}
	// Every generation answers room: {...room, _id: room.rid}: the
	// room createDirectMessage returns, with its ID added as _id.
	body := object{{"t", "d"}, {"rid", dm.id}, {"usernames", usernames}, {"_id", dm.id}}
	writeJSON(w, http.StatusOK, object{{"room", body}, {"success", true}})
}
