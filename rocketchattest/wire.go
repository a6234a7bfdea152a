package rocketchattest

import (
	"net/url"
	"strconv"
	"time"
)

// The rooms, messages and users of the store as the REST API writes
// them: the MongoDB documents, keys in the order the server stores them.

func (u userRef) object() object {
	o := object{{"_id", u.id}, {"username", u.username}}
	if u.name != "" {
		o = append(o, field{"name", u.name})
	}
	return o
}

// messageObject is a message as normalizeMessagesForUser returns it.
func (s *Server) messageObject(m *message) object {
	return s.messageDoc(m, isoDate)
}

// isoDate writes a date as the REST API does: an ISO 8601 string.
func isoDate(t time.Time) any { return isoTime(t) }

// ejsonDate writes a date as the realtime API does: EJSON's
// {"$date": milliseconds since the epoch}.
func ejsonDate(t time.Time) any { return object{{"$date", t.UnixMilli()}} }

// messageDoc is a message document with its dates written by date.
func (s *Server) messageDoc(m *message, date func(time.Time) any) object {
	o := object{{"_id", m.id}, {"rid", m.rid}, {"msg", m.msg}, {"ts", date(m.ts)}, {"u", m.u.object()}}
	if m.t != "" {
		o = append(o, field{"t", m.t})
	}
	if m.alias != "" {
		o = append(o, field{"alias", m.alias})
	}
	if m.emoji != "" {
		o = append(o, field{"emoji", m.emoji})
	}
	if m.avatar != "" {
		o = append(o, field{"avatar", m.avatar})
	}
	if len(m.attachments) > 0 {
		o = append(o, field{"attachments", m.attachments})
	}
	if m.groupable != nil {
		o = append(o, field{"groupable", *m.groupable})
	}
	if m.tmid != "" {
		o = append(o, field{"tmid", m.tmid})
	}
	o = append(o, field{"_updatedAt", date(m.updatedAt)})
	mentions := make([]object, 0, len(m.mentions))
	for _, u := range m.mentions {
		mo := u.object()
		if u.id != "all" && u.id != "here" {
			mo = append(mo, field{"type", "user"})
		}
		mentions = append(mentions, mo)
	}
	o = append(o, field{"urls", []any{}}, field{"mentions", mentions}, field{"channels", []any{}})
	if s.gen.messageMarkdown && m.t != "rm" {
		// The parsed message: one paragraph of plain text. The server's
		// parser also marks mentions, emoji and links; clients that need
		// those read msg.
		o = append(o, field{"md", []object{{{"type", "PARAGRAPH"}, {"value", []object{{{"type", "PLAIN_TEXT"}, {"value", m.msg}}}}}}})
	}
	if !m.editedAt.IsZero() {
		o = append(o, field{"editedAt", date(m.editedAt)})
		if m.editedBy != nil {
			o = append(o, field{"editedBy", object{{"_id", m.editedBy.id}, {"username", m.editedBy.username}}})
		}
	}
	if len(m.reactions) > 0 {
		rs := make(object, 0, len(m.reactions))
		for _, r := range m.reactions {
			rs = append(rs, field{r.emoji, object{{"usernames", r.usernames}}})
		}
		o = append(o, field{"reactions", rs})
	}
	if m.tcount > 0 {
		o = append(o, field{"replies", m.replies}, field{"tcount", m.tcount}, field{"tlm", date(m.tlm)})
	}
	return o
}

// roomObject is a room document as rooms.info, rooms.get and the
// channels endpoints list it.
func (s *Server) roomObject(r *room) object {
	if r.t == "d" {
		usernames := make([]string, 0, len(r.members))
		for _, id := range r.members {
			if a := s.userByIDLocked(id); a != nil {
				usernames = append(usernames, a.Username)
			}
		}
		o := object{{"_id", r.id}, {"t", "d"}, {"usernames", usernames}, {"usersCount", len(r.members)},
			{"msgs", r.msgs}, {"ts", isoTime(r.ts)}, {"uids", r.members}, {"default", false}, {"ro", false},
			{"sysMes", true}, {"_updatedAt", isoTime(r.updatedAt)}}
		return s.withLastMessage(o, r)
	}
	o := object{{"_id", r.id}, {"fname", r.name}, {"_updatedAt", isoTime(r.updatedAt)}, {"customFields", object{}}}
	if r.topic != "" {
		o = append(o, field{"topic", r.topic})
	}
	if r.description != "" {
		o = append(o, field{"description", r.description})
	}
	if r.announcement != "" {
		o = append(o, field{"announcement", r.announcement})
	}
	o = append(o, field{"broadcast", false}, field{"encrypted", false}, field{"name", r.name}, field{"t", r.t},
		field{"msgs", r.msgs}, field{"usersCount", s.usersCountLocked(r)})
	if r.owner != nil {
		o = append(o, field{"u", r.owner.object()})
	}
	o = append(o, field{"ts", isoTime(r.ts)}, field{"ro", r.ro}, field{"default", r.isDefault}, field{"sysMes", true})
	return s.withLastMessage(o, r)
}

func (s *Server) withLastMessage(o object, r *room) object {
	if r.lastMessage == nil {
		return o
	}
	return append(o, field{"lastMessage", s.messageObject(r.lastMessage)}, field{"lm", isoTime(r.lastMessage.ts)})
}

func (s *Server) usersCountLocked(r *room) int {
	if r.isDefault {
		return len(s.users)
	}
	return len(r.members)
}

// userInfoObject is a user as users.info and users.list show another
// user: the public fields, plus emails and roles for callers who may see
// everything about other users, and for oneself.
func (s *Server) userInfoObject(a *account, full bool) object {
	o := object{{"_id", a.ID}, {"username", a.Username}}
	if full && a.Email != "" {
		o = append(o, field{"emails", []object{{{"address", a.Email}, {"verified", a.EmailVerified}}}})
	}
	typ := "user"
	if a.ID == rocketCat.ID {
		typ = "bot"
	}
	o = append(o, field{"type", typ}, field{"status", a.Status}, field{"active", !a.Inactive})
	if full {
		o = append(o, field{"roles", a.Roles})
	}
	return append(o, field{"name", a.Name}, field{"utcOffset", a.UTCOffset})
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
