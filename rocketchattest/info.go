package rocketchattest

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
)

// serveInfo is GET /api/info (apps/meteor/app/api/server/lib/
// getServerInfo.ts). Anyone gets the version, trimmed to major.minor
// since 4.0; a caller holding view-statistics also gets the full version
// and the build information. Up to 3.x the server checked the admin role
// and sent an admin only {"info":{...}}, with the version inside.
func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.mu.Lock()
	privileged := rc.user != nil && rc.user.hasPermission(permViewStatistics)
	s.mu.Unlock()

	g := s.gen
	var body object
	switch {
	case !g.infoAdminVersion && privileged:
		body = object{{"info", s.buildInfo()}}
	case !g.infoTrimmed:
		body = object{{"version", g.version}}
	case privileged:
		body = object{{"version", g.version}, {"info", s.buildInfo()}}
	default:
		body = object{{"version", g.trimmedVersion()}}
	}
	if g.minimumClientVersions {
		body = append(body, field{"minimumClientVersions", object{{"desktop", "3.9.6"}, {"mobile", "4.39.0"}}})
	}
	writeJSON(w, http.StatusOK, append(body, field{"success", true}))
}

// buildInfo is the server's Info object (rocketchat.info): the version,
// how it was built and from which commit. The commit is derived from the
// version so that it is the same on every run.
func (s *Server) buildInfo() object {
	g := s.gen
	sum := sha1.Sum([]byte("Rocket.Chat " + g.version))
	return object{
		{"version", g.version},
		{"build", object{
			{"date", "2025-01-01T00:00:00.000Z"},
			{"nodeVersion", g.nodeVersion},
			{"arch", "x64"},
			{"platform", "linux"},
			{"osRelease", "5.15.0-105-generic"},
			{"totalMemory", uint64(16_777_216_000)},
			{"freeMemory", uint64(2_147_483_648)},
			{"cpus", 4},
		}},
		{"marketplaceApiVersion", "1.59.0"},
		{"commit", object{
			{"hash", hex.EncodeToString(sum[:])},
			{"date", "Wed Jan 1 00:00:00 2025 +0000"},
			{"author", "Rocket.Chat"},
			{"subject", "Release " + g.version},
			{"tag", g.version},
			{"branch", "HEAD"},
		}},
	}
}
