package rocketchattest

import (
	"context"
	"net/http"
	"strings"
)

// routes registers the generation's REST endpoints, one line each: the
// method and path, and the endpoint's action wrapped in the checks the
// server runs before it (guard). An endpoint is its line here and its
// action, a method of Server in the file of its resource; Endpoints and
// the fake server's -endpoints flag list it from here.
func (s *Server) routes(handle func(pattern string, h http.Handler)) {
	handle("GET /api/info", s.guard(checks{identify: true}, s.serveInfo))
	if s.gen.infoV1 {
		handle("GET /api/v1/info", s.guard(checks{identify: true, limited: true}, s.serveInfo))
	}
	handle("POST /api/v1/login", s.guard(checks{limited: true}, s.serveLogin))
	handle("GET /api/v1/logout", s.authed(s.serveLogout))
	handle("POST /api/v1/logout", s.authed(s.serveLogout))
	handle("GET /api/v1/me", s.authed(s.serveMe))

	handle("POST /api/v1/chat.postMessage", s.authed(s.servePostMessage))
	handle("GET /api/v1/chat.getMessage", s.authed(s.serveGetMessage))
	handle("POST /api/v1/chat.update", s.authed(s.serveUpdateMessage))
	handle("POST /api/v1/chat.delete", s.authed(s.serveDeleteMessage))
	handle("POST /api/v1/chat.react", s.authed(s.serveReact))
	handle("GET /api/v1/chat.syncMessages", s.authed(s.serveSyncMessages))

	handle("GET /api/v1/rooms.info", s.authed(s.serveRoomInfo))
	handle("GET /api/v1/rooms.get", s.authed(s.serveRoomsGet))
	handle("GET /api/v1/channels.list", s.authedWith(permViewC, s.serveChannelsList))
	handle("POST /api/v1/channels.create", s.authed(s.serveChannelsCreate))
	handle("GET /api/v1/channels.history", s.authed(s.serveChannelsHistory))
	handle("GET /api/v1/groups.history", s.authed(s.serveGroupsHistory))
	handle("GET /api/v1/im.history", s.authed(s.serveIMHistory))
	handle("GET /api/v1/dm.history", s.authed(s.serveIMHistory))
	handle("POST /api/v1/im.create", s.authed(s.serveIMCreate))
	handle("POST /api/v1/dm.create", s.authed(s.serveIMCreate))

	handle("GET /api/v1/users.info", s.authed(s.serveUsersInfo))
	if s.gen.ajvParams {
		// users.list asks for view-d-room since the endpoint's rewrite.
		handle("GET /api/v1/users.list", s.authedWith(permViewD, s.serveUsersList))
	} else {
		handle("GET /api/v1/users.list", s.authed(s.serveUsersList))
	}
	handle("GET /api/v1/statistics", s.authed(s.serveStatistics))
	if s.gen.hasInstances {
		handle("GET /api/v1/instances.get", s.authedWith(permViewStatistics, s.serveInstances))
	}
}

// newMux builds the router: the generation's endpoints and, for every
// other path, the generation's answer to an unknown one. It records the
// patterns for Endpoints.
func (s *Server) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	s.routes(func(pattern string, h http.Handler) {
		mux.Handle(pattern, h)
		s.patterns = append(s.patterns, pattern)
	})
	mux.HandleFunc("/", s.serveUnknown)
	return mux
}

// serveUnknown answers a path or method no endpoint serves: Restivus (up
// to 5.x) answers 405 for a known path called with another method; every
// generation answers 404 for the rest.
func (s *Server) serveUnknown(w http.ResponseWriter, r *http.Request) {
	if s.gen.restivus {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			probe := &http.Request{Method: m, URL: r.URL, Host: r.Host}
			if _, pattern := s.mux.Handler(probe); pattern != "/" {
				allow = append(allow, m)
			}
		}
		if allow != nil {
			writeMethodNotAllowed(w, strings.Join(allow, ", "))
			return
		}
	}
	s.gen.writeNotFound(w)
}

// checks are the route options the server checks before an endpoint's
// action.
type checks struct {
	// authRequired answers 401 without valid credentials.
	authRequired bool
	// identify reads the credentials when they are valid even though
	// none are required (/api/info shows more to privileged callers).
	identify bool
	// permission is permissionsRequired: 403 without it.
	permission string
	// limited endpoints go through the rate limiter (every v1 endpoint;
	// the unversioned API.default ones such as /api/info are not limited).
	limited bool
}

// endpointFunc is an endpoint's action; rc holds what the checks
// learned about the request.
type endpointFunc func(w http.ResponseWriter, r *http.Request, rc *requestContext)

// requestContext is what serveHTTP and the checks learned about a
// request.
type requestContext struct {
	key   string // endpoint, e.g. "v1/me"
	call  *Call  // the request's record in Calls
	user  *account
	token string
	ip    string
}

type requestContextKey struct{}

func withRequestContext(r *http.Request, rc *requestContext) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), requestContextKey{}, rc))
}

// authed is the common v1 endpoint: credentials required, rate limited.
func (s *Server) authed(action endpointFunc) http.Handler {
	return s.guard(checks{authRequired: true, limited: true}, action)
}

// authedWith is authed with a permission required.
func (s *Server) authedWith(permission string, action endpointFunc) http.Handler {
	return s.guard(checks{authRequired: true, limited: true, permission: permission}, action)
}

// guard wraps an action in the checks the server runs before it, in the
// server's order:
//
//   - authentication (401),
//   - from 8.0, the permissions middleware (403),
//   - the rate limiter (429), which also sets the X-RateLimit headers,
//   - before 8.0, the permission check (403),
//   - the second factor for endpoints that require it (400).
func (s *Server) guard(c checks, action endpointFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := r.Context().Value(requestContextKey{}).(*requestContext)
		if c.authRequired || c.identify {
			rc.user, rc.token = s.authenticate(r)
		}
		if rc.user != nil {
			s.mu.Lock()
			rc.call.UserID = rc.user.ID
			s.mu.Unlock()
			r = withCaller(r, rc.user)
		}
		if c.authRequired && rc.user == nil {
			writeJSON(w, http.StatusUnauthorized, s.gen.unauthorizedBody())
			return
		}
		if s.gen.permissionsFirst && !s.permitted(rc, c.permission) {
			writeJSON(w, http.StatusForbidden, s.gen.forbiddenBody())
			return
		}
		if c.limited && !s.allow(w, r.Method, rc) {
			return
		}
		if !s.gen.permissionsFirst && !s.permitted(rc, c.permission) {
			writeJSON(w, http.StatusForbidden, s.gen.forbiddenBody())
			return
		}
		if c.authRequired {
			if err := s.checkTwoFactor(r, rc); err != nil {
				writeAPIError(w, err)
				return
			}
		}
		action(w, r, rc)
	})
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

func (s *Server) permitted(rc *requestContext, permission string) bool {
	if permission == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return rc.user != nil && rc.user.hasPermission(permission)
}
