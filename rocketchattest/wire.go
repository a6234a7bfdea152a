package rocketchattest

import (
	"net/url"
	"strconv"
	"time"
)

// The rooms, messages and users of the store as the API writes them:
// the MongoDB documents, keys in the order the server stores them.

// date is a date as the REST API writes it, an ISO 8601 string, or, in
// the realtime API's frames, as EJSON's {"$date": milliseconds}.
type date struct {
	t     time.Time
	ejson bool
}

func (d date) MarshalJSON() ([]byte, error) {
	if d.ejson {
		return []byte(`{"$date":` + strconv.FormatInt(d.t.UnixMilli(), 10) + `}`), nil
	}
	return []byte(`"` + isoTime(d.t) + `"`), nil
}

func ejsonDate(t time.Time) date { return date{t, true} }

// userRefJSON is a user as messages and rooms refer to one.
type userRefJSON struct {
	ID       string `json:"_id"`
	Username string `json:"username"`
	Name     string `json:"name,omitempty"`
	// Type marks a mentioned user ("user"); @all and @here have none.
	Type string `json:"type,omitempty"`
}

func (u userRef) json() userRefJSON { return userRefJSON{ID: u.id, Username: u.username, Name: u.name} }

// messageJSON is a message as normalizeMessagesForUser returns it.
type messageJSON struct {
	ID          string        `json:"_id"`
	RoomID      string        `json:"rid"`
	Msg         string        `json:"msg"`
	TS          date          `json:"ts"`
	U           userRefJSON   `json:"u"`
	T           string        `json:"t,omitempty"`
	Alias       string        `json:"alias,omitempty"`
	Emoji       string        `json:"emoji,omitempty"`
	Avatar      string        `json:"avatar,omitempty"`
	Attachments []any         `json:"attachments,omitempty"`
	Groupable   *bool         `json:"groupable,omitempty"`
	TMID        string        `json:"tmid,omitempty"`
	UpdatedAt   date          `json:"_updatedAt"`
	URLs        []any         `json:"urls"`
	Mentions    []userRefJSON `json:"mentions"`
	Channels    []any         `json:"channels"`
	// MD is the parsed message: one paragraph of plain text. The server's
	// parser also marks mentions, emoji and links; clients that need
	// those read msg.
	MD []markdown `json:"md,omitempty"`
	*edit
	// Reactions are keyed by emoji, in the order they were first given.
	Reactions object `json:"reactions,omitempty"`
	*thread
}

type markdown struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

type edit struct {
	EditedAt date         `json:"editedAt"`
	EditedBy *userRefJSON `json:"editedBy,omitempty"`
}

// thread is what a thread's parent counts: who replied (user IDs), how
// many replies, and the time of the last one.
type thread struct {
	Replies []string `json:"replies"`
	TCount  int      `json:"tcount"`
	TLM     date     `json:"tlm"`
}

// messageDoc is a message document, its dates in EJSON for the realtime
// API.
func (s *Server) messageDoc(m *message, ejson bool) messageJSON {
	d := func(t time.Time) date { return date{t, ejson} }
	doc := messageJSON{
		ID: m.id, RoomID: m.rid, Msg: m.msg, TS: d(m.ts), U: m.u.json(),
		T: m.t, Alias: m.alias, Emoji: m.emoji, Avatar: m.avatar, Attachments: m.attachments,
		Groupable: m.groupable, TMID: m.tmid, UpdatedAt: d(m.updatedAt),
		URLs: []any{}, Mentions: make([]userRefJSON, 0, len(m.mentions)), Channels: []any{},
	}
	for _, u := range m.mentions {
		mention := u.json()
		if u.id != "all" && u.id != "here" {
			mention.Type = "user"
		}
		doc.Mentions = append(doc.Mentions, mention)
	}
	if s.gen.messageMarkdown && m.t != "rm" {
		doc.MD = []markdown{{"PARAGRAPH", []markdown{{"PLAIN_TEXT", m.msg}}}}
	}
	if !m.editedAt.IsZero() {
		doc.edit = &edit{EditedAt: d(m.editedAt)}
		if m.editedBy != nil {
			doc.edit.EditedBy = &userRefJSON{ID: m.editedBy.id, Username: m.editedBy.username}
		}
	}
	for _, r := range m.reactions {
		doc.Reactions = append(doc.Reactions, field{r.emoji, object{{"usernames", r.usernames}}})
	}
	if m.tcount > 0 {
		doc.thread = &thread{Replies: m.replies, TCount: m.tcount, TLM: d(m.tlm)}
	}
	return doc
}

// messageObject is a message as the REST API writes it.
func (s *Server) messageObject(m *message) messageJSON { return s.messageDoc(m, false) }

// roomJSON is a channel or group as rooms.info, rooms.get and the
// channels endpoints list it.
type roomJSON struct {
	ID           string       `json:"_id"`
	FName        string       `json:"fname"`
	UpdatedAt    date         `json:"_updatedAt"`
	CustomFields struct{}     `json:"customFields"`
	Topic        string       `json:"topic,omitempty"`
	Description  string       `json:"description,omitempty"`
	Announcement string       `json:"announcement,omitempty"`
	Broadcast    bool         `json:"broadcast"`
	Encrypted    bool         `json:"encrypted"`
	Name         string       `json:"name"`
	T            string       `json:"t"`
	Msgs         int          `json:"msgs"`
	UsersCount   int          `json:"usersCount"`
	U            *userRefJSON `json:"u,omitempty"`
	TS           date         `json:"ts"`
	RO           bool         `json:"ro"`
	Default      bool         `json:"default"`
	SysMes       bool         `json:"sysMes"`
	*lastMessage
}

// directRoomJSON is a direct room, whose document has its own fields
// in its own order.
type directRoomJSON struct {
	ID         string   `json:"_id"`
	T          string   `json:"t"`
	Usernames  []string `json:"usernames"`
	UsersCount int      `json:"usersCount"`
	Msgs       int      `json:"msgs"`
	TS         date     `json:"ts"`
	UIDs       []string `json:"uids"`
	Default    bool     `json:"default"`
	RO         bool     `json:"ro"`
	SysMes     bool     `json:"sysMes"`
	UpdatedAt  date     `json:"_updatedAt"`
	*lastMessage
}

type lastMessage struct {
	LastMessage messageJSON `json:"lastMessage"`
	LM          date        `json:"lm"`
}

// roomObject is a room document: a roomJSON or a directRoomJSON.
func (s *Server) roomObject(r *room) any {
	var last *lastMessage
	if r.lastMessage != nil {
		last = &lastMessage{s.messageObject(r.lastMessage), date{t: r.lastMessage.ts}}
	}
	if r.t == "d" {
		usernames := make([]string, 0, len(r.members))
		for _, id := range r.members {
			if a := s.userByIDLocked(id); a != nil {
				usernames = append(usernames, a.Username)
			}
		}
		return directRoomJSON{ID: r.id, T: "d", Usernames: usernames, UsersCount: len(r.members), Msgs: r.msgs,
			TS: date{t: r.ts}, UIDs: r.members, SysMes: true, UpdatedAt: date{t: r.updatedAt}, lastMessage: last}
	}
	doc := roomJSON{ID: r.id, FName: r.name, UpdatedAt: date{t: r.updatedAt},
		Topic: r.topic, Description: r.description, Announcement: r.announcement,
		Name: r.name, T: r.t, Msgs: r.msgs, UsersCount: s.usersCountLocked(r),
		TS: date{t: r.ts}, RO: r.ro, Default: r.isDefault, SysMes: true, lastMessage: last}
	if r.owner != nil {
		owner := r.owner.json()
		doc.U = &owner
	}
	return doc
}

func (s *Server) usersCountLocked(r *room) int {
	if r.isDefault {
		return len(s.users)
	}
	return len(r.members)
}

// userInfoJSON is a user as users.info and users.list show another
// user: the public fields, plus emails and roles for callers who may see
// everything about other users, and for oneself.
type userInfoJSON struct {
	ID        string      `json:"_id"`
	Username  string      `json:"username"`
	Emails    []emailJSON `json:"emails,omitempty"`
	Type      string      `json:"type"`
	Status    string      `json:"status"`
	Active    bool        `json:"active"`
	Roles     *[]string   `json:"roles,omitempty"`
	Name      string      `json:"name"`
	UTCOffset float64     `json:"utcOffset"`
	// NameInsensitive is the lowercased name users.list adds.
	NameInsensitive *string `json:"nameInsensitive,omitempty"`
}

type emailJSON struct {
	Address  string `json:"address"`
	Verified bool   `json:"verified"`
}

func (s *Server) userInfoObject(a *account, full bool) userInfoJSON {
	doc := userInfoJSON{ID: a.ID, Username: a.Username, Type: "user", Status: a.Status, Active: !a.Inactive,
		Name: a.Name, UTCOffset: a.UTCOffset}
	if a.ID == rocketCat.ID {
		doc.Type = "bot"
	}
	if full {
		if a.Email != "" {
			doc.Emails = []emailJSON{{a.Email, a.EmailVerified}}
		}
		doc.Roles = &a.Roles
	}
	return doc
}

// pageParams is getPaginationItems: offset from 0; count 50 by default
// (API_Default_Count), at most 100 (API_Upper_Count_Limit), and 0 for
// everything (API_Allow_Infinite_Count). Unreadable values read as
// absent.
func pageParams(q url.Values) (offset, count int) {
	offset, _ = strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	count = 50
	if v := q.Get("count"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			count = min(n, 100)
		}
	}
	return offset, count
}

// page slices items by offset and count (0: all).
func page[T any](items []T, offset, count int) []T {
	if offset >= len(items) {
		return []T{}
	}
	items = items[offset:]
	if count > 0 && count < len(items) {
		items = items[:count]
	}
	return items
}

// parseDate reads a date parameter as JavaScript's new Date(string) does
// for the ISO forms clients send.
func parseDate(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
