package rocketchattest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Room describes a room to create with [WithRoom] or [Server.AddRoom].
// A server starts with one room, the public #general (ID "GENERAL"),
// which every user belongs to, as a fresh workspace does.
type Room struct {
	// ID is the room's _id; empty derives a Meteor-style id from the name
	// (for a direct room, the members' IDs joined, as the server makes it).
	ID string
	// Type is "c" (public channel, the default), "p" (private group) or
	// "d" (direct messages).
	Type string
	// Name is the room's name, required for "c" and "p"; a direct room
	// has none.
	Name                         string
	Topic, Description, Announce string
	// ReadOnly rooms take messages only from users who may post in them
	// (admins and the room's creator).
	ReadOnly bool
	// Creator is the username of the owner, a member; empty means
	// "rocket.cat". A direct room has no owner.
	Creator string
	// Members are the usernames in the room besides the creator; for a
	// direct room, its one or more members.
	Members []string
}

// Message describes a message to place in a room with [WithMessage] or
// [Server.AddMessage].
type Message struct {
	// ID is the message's _id; empty derives one.
	ID string
	// RoomID is the room, e.g. "GENERAL".
	RoomID string
	// Username is the sender, who must exist (not necessarily a member).
	Username string
	Text     string
	// ThreadID makes the message a reply in that thread (tmid).
	ThreadID string
	// Timestamp is the sending time; zero means now by the server's
	// clock. History lists messages newest first by this time.
	Timestamp time.Time
}

// WithRoom creates a room at start. It may be given many times; rooms
// are created after the users, so Creator and Members may name any
// [WithUser] account.
func WithRoom(r Room) Option {
	return func(c *config) { c.rooms = append(c.rooms, r) }
}

// WithMessage places a message at start, after the rooms are made.
func WithMessage(m Message) Option {
	return func(c *config) { c.messages = append(c.messages, m) }
}

// AddRoom creates a room while the server runs and returns its ID. It
// panics on a mistake in the test: an unknown user, a taken name or ID,
// a missing name or an unknown type.
func (s *Server) AddRoom(r Room) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.addRoomLocked(r)
	if err != nil {
		panic(err)
	}
	return id
}

// AddMessage places a message while the server runs, as if its sender
// had posted it, and returns its ID. It panics on an unknown room or
// sender.
func (s *Server) AddMessage(m Message) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.addMessageLocked(m)
	if err != nil {
		panic(err)
	}
	return id
}

// RoomID returns the ID of the channel or group with that name ("general"
// gives "GENERAL"), or "" if there is none.
func (s *Server) RoomID(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.store.roomByName(strings.TrimPrefix(name, "#")); r != nil {
		return r.id
	}
	return ""
}

// Messages returns the messages of a room as the server holds them now,
// oldest first: what clients posted, edited and did not delete. A test
// reads back what the code under test sent with it or with
// [Server.Calls].
func (s *Server) Messages(roomID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.store.roomMessages(roomID) {
		if m.t == "rm" {
			continue
		}
		out = append(out, Message{ID: m.id, RoomID: m.rid, Username: m.u.username, Text: m.msg, ThreadID: m.tmid, Timestamp: m.ts})
	}
	slices.Reverse(out)
	return out
}

// userRef is the {_id, username, name} the server embeds in rooms and
// messages.
type userRef struct{ id, username, name string }

func refOf(a *account) userRef { return userRef{a.ID, a.Username, a.Name} }

// room is a room as the server holds it.
type room struct {
	id, t, name                      string
	topic, description, announcement string
	ro, isDefault                    bool
	owner                            *userRef // nil for direct rooms
	members                          []string // user IDs, in joining order
	ts, updatedAt                    time.Time
	msgs                             int
	lastMessage                      *message
}

// reaction is one emoji's reactions, in the order they were first made.
type reaction struct {
	emoji     string
	usernames []string
}

// message is a message as the server holds it.
type message struct {
	id, rid, msg    string
	u               userRef
	ts, updatedAt   time.Time
	editedAt        time.Time
	editedBy        *userRef
	alias, emoji    string
	avatar, tmid, t string
	attachments     []any
	groupable       *bool
	reactions       []reaction
	mentions        []userRef
	// A thread's parent counts its replies (tcount), the time of the
	// last one (tlm) and who replied (replies, user IDs).
	tcount  int
	tlm     time.Time
	replies []string
}

// store holds the rooms and messages, and publishes their changes.
type store struct {
	rooms    []*room
	messages []*message // in posting order
	seq      int
	// trash keeps what deleted messages leave behind, as the server's
	// rocketchat__trash collection does, for chat.syncMessages.
	trash []trashedMessage
	// changes publishes every change, for the realtime API.
	changes pubsub
}

// trashedMessage is a deleted message in the trash.
type trashedMessage struct {
	id, rid       string
	ts, deletedAt time.Time
}

// rocketCat is the bot account every workspace has; it owns #general.
var rocketCat = User{ID: "rocket.cat", Username: "rocket.cat", Name: "Rocket.Cat", Roles: []string{"bot"}, Status: "online"}

func newStore(start time.Time) store {
	start = start.Truncate(time.Millisecond)
	general := &room{
		id: "GENERAL", t: "c", name: "general", isDefault: true,
		owner: &userRef{rocketCat.ID, rocketCat.Username, rocketCat.Name},
		ts:    start, updatedAt: start,
	}
	return store{rooms: []*room{general}}
}

func (st *store) nextID(kind string) string {
	st.seq++
	return meteorID(kind + "-" + strconv.Itoa(st.seq))
}

func (st *store) roomByID(id string) *room {
	for _, r := range st.rooms {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (st *store) roomByName(name string) *room {
	for _, r := range st.rooms {
		if r.t != "d" && r.name == name {
			return r
		}
	}
	return nil
}

// roomByIDOrName is Rooms.findOneByIdOrName.
func (st *store) roomByIDOrName(v string) *room {
	if r := st.roomByID(v); r != nil {
		return r
	}
	return st.roomByName(v)
}

func (st *store) messageByID(id string) *message {
	for _, m := range st.messages {
		if m.id == id {
			return m
		}
	}
	return nil
}

// roomMessages lists a room's messages newest first, the order history
// endpoints use; messages of the same instant list the later-posted
// first.
func (st *store) roomMessages(rid string) []*message {
	var out []*message
	for _, m := range st.messages {
		if m.rid == rid {
			out = append(out, m)
		}
	}
	slices.Reverse(out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].ts.After(out[j].ts) })
	return out
}

func (st *store) removeMessage(m *message) {
	st.messages = slices.DeleteFunc(st.messages, func(x *message) bool { return x == m })
}

// isMember reports whether the user belongs to the room; every user is
// in a default room such as #general.
func (r *room) isMember(a *account) bool {
	return r.isDefault || slices.Contains(r.members, a.ID)
}

func (r *room) join(a *account) {
	if !r.isMember(a) {
		r.members = append(r.members, a.ID)
	}
}

// directRoomID is the _id the server gives a direct room: its members'
// IDs sorted and joined.
func directRoomID(ids []string) string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return strings.Join(ids, "")
}

func (s *Server) addRoomLocked(r Room) (string, error) {
	st := &s.store
	if r.Type == "" {
		r.Type = "c"
	}
	var members []*account
	for _, name := range r.Members {
		a := s.userByUsernameLocked(name)
		if a == nil {
			return "", fmt.Errorf("rocketchattest: room member %q is no user", name)
		}
		members = append(members, a)
	}
	now := s.now().Truncate(time.Millisecond)
	nr := &room{t: r.Type, topic: r.Topic, description: r.Description, announcement: r.Announce, ro: r.ReadOnly, ts: now, updatedAt: now}
	switch r.Type {
	case "c", "p":
		if r.Name == "" {
			return "", fmt.Errorf("rocketchattest: a room of type %q needs a Name", r.Type)
		}
		if st.roomByName(r.Name) != nil {
			return "", fmt.Errorf("rocketchattest: room name %q is taken", r.Name)
		}
		creator := r.Creator
		if creator == "" {
			creator = rocketCat.Username
		}
		owner := s.userByUsernameLocked(creator)
		if owner == nil {
			return "", fmt.Errorf("rocketchattest: room creator %q is no user", creator)
		}
		ref := refOf(owner)
		nr.name, nr.owner = r.Name, &ref
		nr.join(owner)
		for _, a := range members {
			nr.join(a)
		}
		nr.id = r.ID
		if nr.id == "" {
			nr.id = meteorID("room-" + r.Name)
		}
	case "d":
		if len(members) == 0 {
			return "", fmt.Errorf("rocketchattest: a direct room needs Members")
		}
		for _, a := range members {
			nr.join(a)
		}
		nr.id = r.ID
		if nr.id == "" {
			nr.id = directRoomID(nr.members)
		}
	default:
		return "", fmt.Errorf("rocketchattest: room type %q is not c, p or d", r.Type)
	}
	if st.roomByID(nr.id) != nil {
		return "", fmt.Errorf("rocketchattest: room ID %q is taken", nr.id)
	}
	st.rooms = append(st.rooms, nr)
	st.changes.publish(change{kind: changeRoomCreated, room: nr})
	return nr.id, nil
}

func (s *Server) addMessageLocked(m Message) (string, error) {
	r := s.store.roomByID(m.RoomID)
	if r == nil {
		return "", fmt.Errorf("rocketchattest: no room %q", m.RoomID)
	}
	a := s.userByUsernameLocked(m.Username)
	if a == nil {
		return "", fmt.Errorf("rocketchattest: no user %q", m.Username)
	}
	if m.ID != "" && s.store.messageByID(m.ID) != nil {
		return "", fmt.Errorf("rocketchattest: message ID %q is taken", m.ID)
	}
	ts := m.Timestamp
	if ts.IsZero() {
		ts = s.now()
	}
	msg := &message{id: m.ID, rid: r.id, msg: m.Text, u: refOf(a), tmid: m.ThreadID, ts: ts.Truncate(time.Millisecond)}
	s.insertMessageLocked(r, msg)
	return msg.id, nil
}

// insertMessageLocked stores a new message and updates its room, as
// sendMessage does.
func (s *Server) insertMessageLocked(r *room, m *message) {
	if m.id == "" {
		m.id = s.store.nextID("message")
	}
	if m.ts.IsZero() {
		m.ts = s.now().Truncate(time.Millisecond)
	}
	m.updatedAt = m.ts
	m.rid = r.id
	m.mentions = s.mentionsLocked(m.msg)
	s.store.messages = append(s.store.messages, m)
	r.msgs++
	if r.lastMessage == nil || !m.ts.Before(r.lastMessage.ts) {
		r.lastMessage = m
	}
	r.updatedAt = m.ts
	s.store.changes.publish(change{kind: changePosted, room: r, msg: m})
	if p := s.store.messageByID(m.tmid); p != nil && p.rid == m.rid {
		// The thread's parent counts the reply and is sent again, as the
		// server's message watcher does after updateThreadsCount.
		p.tcount++
		p.tlm, p.updatedAt = m.ts, m.ts
		if !slices.Contains(p.replies, m.u.id) {
			p.replies = append(p.replies, m.u.id)
		}
		s.messageChangedLocked(r, p)
	}
}

// mentionsLocked finds the @username mentions of a text, as the server's
// mention parser does: known usernames, @all and @here.
func (s *Server) mentionsLocked(text string) []userRef {
	var out []userRef
	seen := map[string]bool{}
	for _, word := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '@' || r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		name, ok := strings.CutPrefix(word, "@")
		name = strings.TrimRight(name, ".")
		if !ok || name == "" || seen[name] {
			continue
		}
		seen[name] = true
		switch name {
		case "all", "here":
			out = append(out, userRef{id: name, username: name})
			continue
		}
		if a := s.userByUsernameLocked(name); a != nil {
			out = append(out, refOf(a))
		}
	}
	return out
}

// messageCount is the number of messages a room holds, for statistics.
func (st *store) messageCount(t string) int {
	n := 0
	for _, r := range st.rooms {
		if t == "" || r.t == t {
			n += r.msgs
		}
	}
	return n
}

// messageChangedLocked records that a stored message changed (its
// _updatedAt already moved): the room's copy of its last message moves
// with it, and subscribers hear of it.
func (s *Server) messageChangedLocked(r *room, m *message) {
	if r.lastMessage == m {
		r.updatedAt = m.updatedAt
	}
	s.store.changes.publish(change{kind: changeUpdated, room: r, msg: m})
}

// deleteMessageLocked deletes a message as deleteMessage does with the
// server's default settings (Message_KeepHistory and
// Message_ShowDeletedStatus off): the message goes to the trash and the
// room's counters and last message follow. With [WithShowDeletedStatus]
// the message stays, emptied and marked t:"rm", as an update.
func (s *Server) deleteMessageLocked(r *room, m *message, by *account) {
	now := s.now().Truncate(time.Millisecond)
	if s.showDeletedStatus {
		ref := refOf(by)
		m.t, m.msg, m.attachments, m.mentions, m.reactions = "rm", "", nil, nil, nil
		m.editedAt, m.editedBy, m.updatedAt = now, &ref, now
		s.messageChangedLocked(r, m)
		return
	}
	s.store.removeMessage(m)
	s.store.trash = append(s.store.trash, trashedMessage{id: m.id, rid: m.rid, ts: m.ts, deletedAt: now})
	r.msgs--
	r.updatedAt = now
	if r.lastMessage == m {
		r.lastMessage = nil
		if rest := s.store.roomMessages(r.id); len(rest) > 0 {
			r.lastMessage = rest[0]
		}
	}
	s.store.changes.publish(change{kind: changeDeleted, room: r, msg: m})
}
