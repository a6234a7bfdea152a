package rocketchattest

import (
	"net/http"
	"slices"
	"strings"
)

// routeSpec is a registered endpoint and the checks that run before its
// action, mirroring the server's route options.
type routeSpec struct {
	// methods the route answers; nil answers every method (routes added
	// with Handle).
	methods []string
	// authRequired answers 401 without valid credentials.
	authRequired bool
	// identify reads the credentials when they are valid even though
	// none are required (/api/info shows more to privileged callers).
	identify bool
	// permission is permissionsRequired: 403 without it.
	permission string
	// limited routes go through the rate limiter (every v1 route; the
	// unversioned API.default routes such as /api/info are not limited).
	limited bool
	action  func(s *Server, w http.ResponseWriter, r *http.Request, rc *requestContext)
}

// requestContext is what the checks learned about a request.
type requestContext struct {
	key   string // endpoint, e.g. "v1/me"
	user  *account
	token string
	ip    string
}

// routes returns the endpoints the generation registers.
func (g generation) routes() map[string]routeSpec {
	rs := map[string]routeSpec{
		"info":      {methods: []string{http.MethodGet}, identify: true, action: (*Server).serveInfo},
		"v1/login":  {methods: []string{http.MethodPost}, limited: true, action: (*Server).serveLogin},
		"v1/logout": {methods: []string{http.MethodGet, http.MethodPost}, authRequired: true, limited: true, action: (*Server).serveLogout},
		"v1/me":     {methods: []string{http.MethodGet}, authRequired: true, limited: true, action: (*Server).serveMe},
	}
	get, post := []string{http.MethodGet}, []string{http.MethodPost}
	authed := func(methods []string, action func(*Server, http.ResponseWriter, *http.Request, *requestContext)) routeSpec {
		return routeSpec{methods: methods, authRequired: true, limited: true, action: action}
	}
	rs["v1/chat.postMessage"] = authed(post, (*Server).servePostMessage)
	rs["v1/chat.getMessage"] = authed(get, (*Server).serveGetMessage)
	rs["v1/chat.update"] = authed(post, (*Server).serveUpdateMessage)
	rs["v1/chat.delete"] = authed(post, (*Server).serveDeleteMessage)
	rs["v1/chat.react"] = authed(post, (*Server).serveReact)
	rs["v1/chat.syncMessages"] = authed(get, (*Server).serveSyncMessages)
	rs["v1/rooms.info"] = authed(get, (*Server).serveRoomInfo)
	rs["v1/rooms.get"] = authed(get, (*Server).serveRoomsGet)
	rs["v1/channels.list"] = routeSpec{methods: get, authRequired: true, limited: true, permission: permViewC, action: (*Server).serveChannelsList}
	rs["v1/channels.create"] = authed(post, (*Server).serveChannelsCreate)
	rs["v1/channels.history"] = authed(get, (*Server).serveChannelsHistory)
	rs["v1/groups.history"] = authed(get, (*Server).serveGroupsHistory)
	rs["v1/im.history"] = authed(get, (*Server).serveIMHistory)
	rs["v1/dm.history"] = authed(get, (*Server).serveIMHistory)
	rs["v1/im.create"] = authed(post, (*Server).serveIMCreate)
	rs["v1/dm.create"] = authed(post, (*Server).serveIMCreate)
	rs["v1/users.info"] = authed(get, (*Server).serveUsersInfo)
	rs["v1/users.list"] = authed(get, (*Server).serveUsersList)
	if g.ajvParams {
		// users.list asks for view-d-room since the endpoint's rewrite.
		rs["v1/users.list"] = routeSpec{methods: get, authRequired: true, limited: true, permission: permViewD, action: (*Server).serveUsersList}
	}
	rs["v1/statistics"] = authed(get, (*Server).serveStatistics)
	if g.infoV1 {
		rs["v1/info"] = routeSpec{methods: []string{http.MethodGet}, identify: true, limited: true, action: (*Server).serveInfo}
	}
	if g.hasInstances {
		rs["v1/instances.get"] = routeSpec{
			methods:      []string{http.MethodGet},
			authRequired: true,
			permission:   permViewStatistics,
			limited:      true,
			action:       (*Server).serveInstances,
		}
	}
	return rs
}

// route runs a request through the checks the server runs, in the
// server's order, then the endpoint's action:
//
//   - authentication (401),
//   - from 8.0, the permissions middleware (403),
//   - the rate limiter (429), which also sets the X-RateLimit headers,
//   - before 8.0, the permission check (403),
//   - the second factor for endpoints that require it (400),
//   - the action.
func (s *Server) route(w http.ResponseWriter, r *http.Request, key string, call *Call) {
	s.mu.Lock()
	spec, ok := s.routes[key]
	s.mu.Unlock()
	if !ok {
		s.gen.writeNotFound(w)
		return
	}
	if spec.methods != nil && !slices.Contains(spec.methods, r.Method) {
		if s.gen.restivus {
			writeMethodNotAllowed(w, strings.Join(spec.methods, ", "))
		} else {
			s.gen.writeNotFound(w)
		}
		return
	}
	rc := &requestContext{key: key, ip: remoteIP(r)}
	if spec.authRequired || spec.identify {
		rc.user, rc.token = s.authenticate(r)
	}
	if rc.user != nil {
		s.mu.Lock()
		call.UserID = rc.user.ID
		s.mu.Unlock()
		r = withCaller(r, rc.user)
	}
	if spec.authRequired && rc.user == nil {
		writeJSON(w, http.StatusUnauthorized, s.gen.unauthorizedBody())
		return
	}
	if s.gen.permissionsFirst && !s.permitted(rc, spec) {
		writeJSON(w, http.StatusForbidden, s.gen.forbiddenBody())
		return
	}
	if spec.limited && !s.allow(w, r.Method, rc) {
		return
	}
	if !s.gen.permissionsFirst && !s.permitted(rc, spec) {
		writeJSON(w, http.StatusForbidden, s.gen.forbiddenBody())
		return
	}
	if spec.authRequired {
		if err := s.checkTwoFactor(r, rc); err != nil {
			writeAPIError(w, err)
			return
		}
	}
	spec.action(s, w, r, rc)
}

// authenticate returns the user both credential headers name, or nil:
// a token of another user, or one header alone, is no login at all.
func (s *Server) authenticate(r *http.Request) (*account, string) {
	id, tok := r.Header.Get("X-User-Id"), r.Header.Get("X-Auth-Token")
	if id == "" || tok == "" {
		return nil, ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tok]
	if !ok || t.userID != id {
		return nil, ""
	}
	a := s.userByIDLocked(id)
	if a == nil {
		return nil, ""
	}
	return a, tok
}

func (s *Server) permitted(rc *requestContext, spec routeSpec) bool {
	if spec.permission == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return rc.user != nil && rc.user.hasPermission(spec.permission)
}
