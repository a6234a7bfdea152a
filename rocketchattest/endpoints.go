package rocketchattest

import (
	"slices"
	"strings"
)

// Endpoints lists the REST endpoints the server answers, for its
// generation, as "METHOD name" with the names [Server.Calls] and
// [Server.Fail] take ("GET v1/chat.syncMessages", "GET info"), sorted by
// name. An endpoint added with [Server.Handle] answers every method and
// is listed by its name alone. The realtime API is at /websocket.
func (s *Server) Endpoints() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, p := range s.patterns {
		method, path, _ := strings.Cut(p, " ")
		name := strings.TrimPrefix(path, "/api/")
		if _, replaced := s.added[name]; !replaced {
			out = append(out, method+" "+name)
		}
	}
	for name := range s.added {
		out = append(out, name)
	}
	slices.SortFunc(out, func(a, b string) int {
		_, na, _ := strings.Cut(a, " ")
		_, nb, _ := strings.Cut(b, " ")
		if c := strings.Compare(na, nb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}
