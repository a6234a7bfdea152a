package rocketchattest

import (
	"net/http"
	"runtime"
	"slices"
	"strings"
)

// serveUsersInfo is GET /api/v1/users.info?userId= or ?username=.
// Callers holding view-full-other-user-info, and a user asking about
// themself, also see emails and roles.
func (s *Server) serveUsersInfo(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	q := r.URL.Query()
	id, name := q.Get("userId"), q.Get("username")
	if id == "" && name == "" {
		writeInvalidParams(w, "must have required property 'userId'", "must have required property 'username'",
			"must have required property 'importId'", "must match a schema in anyOf")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var a *account
	if id != "" {
		a = s.userByIDLocked(id)
	} else {
		a = s.userByUsernameLocked(name)
	}
	if a == nil {
		writePlainFailure(w, "User not found.")
		return
	}
	full := a == rc.user || rc.user.hasPermission(permViewFullUser)
	writeJSON(w, http.StatusOK, object{{"user", s.userInfoObject(a, full)}, {"success", true}})
}

// serveUsersList is GET /api/v1/users.list: every user by username, a
// page at a time.
func (s *Server) serveUsersList(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	offset, count := pageParams(r.URL.Query())
	s.mu.Lock()
	defer s.mu.Unlock()
	all := slices.Clone(s.users)
	slices.SortStableFunc(all, func(a, b *account) int { return strings.Compare(a.Username, b.Username) })
	full := rc.user.hasPermission(permViewFullUser)
	items := []userInfoJSON{}
	for _, a := range page(all, offset, count) {
		doc := s.userInfoObject(a, full || a == rc.user)
		lower := strings.ToLower(a.Name)
		doc.NameInsensitive = &lower
		items = append(items, doc)
	}
	writeJSON(w, http.StatusOK, object{{"users", items}, {"count", len(items)}, {"offset", offset}, {"total", len(all)}, {"success", true}})
}

// serveStatistics is GET /api/v1/statistics (getLastStatistics): callers
// without view-statistics get the plain Error the function throws. The
// figures are counted afresh on every call, as ?refresh=true does.
func (s *Server) serveStatistics(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !rc.user.hasPermission(permViewStatistics) {
		writePlainFailure(w, "error-not-allowed")
		return
	}
	var active, inactive, online, away, busy, offline, apps int
	for _, a := range s.users {
		if a.Inactive {
			inactive++
		} else if a.ID != rocketCat.ID {
			active++
		}
		switch a.Status {
		case "online":
			online++
		case "away":
			away++
		case "busy":
			busy++
		default:
			offline++
		}
	}
	rooms := map[string]int{}
	for _, room := range s.store.rooms {
		rooms[room.t]++
	}
	now := s.now()
	var local *object
	for _, m := range s.instances {
		if m.Local {
			os := object{{"type", m.OS.Type}, {"platform", m.OS.Platform}, {"arch", m.OS.Arch}, {"release", m.OS.Release},
				{"uptime", m.OS.Uptime.Seconds()}, {"loadavg", m.OS.LoadAvg}, {"totalmem", m.OS.TotalMem}, {"freemem", m.OS.FreeMem},
				{"cpus", make([]object, 0)}}
			local = &os
		}
	}
	if local == nil {
		os := object{{"type", "Linux"}, {"platform", runtime.GOOS}, {"arch", "x64"}, {"release", "5.15.0-105-generic"},
			{"uptime", 0}, {"loadavg", []float64{0, 0, 0}}, {"totalmem", 0}, {"freemem", 0}, {"cpus", []object{}}}
		local = &os
	}
	total := len(s.store.rooms)
	body := object{
		{"_id", meteorID("statistics-" + isoTime(now))},
		{"wizard", object{}},
		{"uniqueId", instanceID(generation{}, 0)},
		{"installedAt", isoTime(s.started)},
		{"version", s.gen.version},
		{"totalUsers", len(s.users)},
		{"activeUsers", active},
		{"activeGuests", 0},
		{"nonActiveUsers", inactive},
		{"appUsers", apps},
		{"onlineUsers", online},
		{"awayUsers", away},
		{"busyUsers", busy},
		{"totalConnectedUsers", online + away + busy},
		{"offlineUsers", offline},
		{"totalRooms", total},
		{"totalChannels", rooms["c"]},
		{"totalPrivateGroups", rooms["p"]},
		{"totalDirect", rooms["d"]},
		{"totalLivechat", 0},
		{"totalDiscussions", 0},
		{"totalThreads", 0},
		{"totalChannelMessages", s.store.messageCount("c")},
		{"totalPrivateGroupMessages", s.store.messageCount("p")},
		{"totalDirectMessages", s.store.messageCount("d")},
		{"totalLivechatMessages", 0},
		{"totalMessages", s.store.messageCount("")},
		{"os", *local},
		{"process", object{{"nodeVersion", s.gen.nodeVersion}, {"pid", 1}, {"uptime", now.Sub(s.started).Seconds()}}},
		{"deploy", object{{"method", "docker"}, {"platform", "selfinstall"}}},
		{"instanceCount", len(s.instances)},
		{"createdAt", isoTime(now)},
		{"_updatedAt", isoTime(now)},
		{"success", true},
	}
	writeJSON(w, http.StatusOK, body)
}
