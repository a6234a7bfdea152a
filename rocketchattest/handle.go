package rocketchattest

import (
	"bytes"
	"context"
	"net/http"
	"slices"
)

// Handle serves h at the endpoint, named as [Server.Fail] takes it
// ("v1/chat.postMessage"; a leading "/api/" is accepted), behind the
// same checks as the built-in routes, in the server's order:
// authentication (401 in the generation's envelope; both X-User-Id and
// X-Auth-Token are required), the rate limiter for v1 endpoints, the
// second factor when [Server.RequireTwoFactor] names the endpoint, and
// any fault queued with [Server.Fail] before all of them. h sees every
// method; it answers what it likes, typically with [WriteSuccess] or
// [WriteFailure], and reads the caller with [CallerOf]. Calls to it are
// recorded ([Server.Calls]).
//
// Handle replaces a built-in route of the same name, and a handler added
// before. It is safe to call while requests are being served; a request
// already routed finishes with the handler it found.
func (s *Server) Handle(endpoint string, h http.Handler) {
	if h == nil {
		panic("rocketchattest: Handle with a nil handler")
	}
	key := endpointKey(endpoint)
	guarded := s.guard(checks{authRequired: true, limited: isVersioned(key)},
		func(w http.ResponseWriter, r *http.Request, _ *requestContext) { h.ServeHTTP(w, r) })
	s.mu.Lock()
	defer s.mu.Unlock()
	s.added[key] = guarded
}

// HandleFunc is [Server.Handle] with a function.
func (s *Server) HandleFunc(endpoint string, f func(http.ResponseWriter, *http.Request)) {
	if f == nil {
		panic("rocketchattest: HandleFunc with a nil function")
	}
	s.Handle(endpoint, http.HandlerFunc(f))
}

// isVersioned reports whether an endpoint belongs to a versioned API
// (v1/...), whose routes the server's rate limiter covers.
func isVersioned(key string) bool {
	return len(key) > 1 && key[0] == 'v' && bytes.IndexByte([]byte(key), '/') > 1
}

// callerKey is the request context key under which the authenticated
// caller travels to handlers.
type callerKey struct{}

// CallerOf returns, in a handler added with [Server.Handle], the user
// whose credentials the request carried, with the defaults the server
// filled in (ID, Name, Roles, Status). ok is false outside such a
// handler or when no one is authenticated.
func CallerOf(r *http.Request) (u User, ok bool) {
	u, ok = r.Context().Value(callerKey{}).(User)
	return u, ok
}

func withCaller(r *http.Request, a *account) *http.Request {
	u := a.User
	u.Roles = slices.Clone(u.Roles)
	u.Permissions = slices.Clone(u.Permissions)
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, u))
}

// WriteSuccess answers 200 with v's members plus "success":true, as the
// server's API.v1.success does: v is encoded as JSON (a struct, a map, a
// json.RawMessage...) and, when it is an object, "success":true is
// appended to it; nil answers {"success":true}. It panics if v cannot be
// encoded, a mistake in the test.
func WriteSuccess(w http.ResponseWriter, v any) {
	if v == nil {
		writeJSON(w, http.StatusOK, object{{"success", true}})
		return
	}
	b, err := marshal(v)
	if err != nil {
		panic("rocketchattest: WriteSuccess: " + err.Error())
	}
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '{' {
		inner := bytes.TrimSpace(b[1 : len(b)-1])
		out := append([]byte{'{'}, inner...)
		if len(inner) > 0 {
			out = append(out, ',')
		}
		b = append(out, `"success":true}`...)
	}
	writeRaw(w, http.StatusOK, b)
}

// WriteFailure answers an error in the API envelope, as the server's
// API.v1.failure does with a Meteor error:
// {"success":false,"error":"message [errorType]","errorType":"errorType"}.
// With errorType "" the body is {"success":false,"error":"message"}, the
// form of a plain failure. Rocket.Chat uses status 400 for most
// failures, 403 for missing permissions and 404 for unknown resources.
func WriteFailure(w http.ResponseWriter, status int, errorType, message string) {
	if errorType == "" {
		writeJSON(w, status, object{{"success", false}, {"error", message}})
		return
	}
	writeJSON(w, status, failureBody(errorType, message, nil))
}
