package rocketchattest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestEndpointsAreServed: every endpoint listed is routed (no 404 for its
// method), and the list follows the generation.
func TestEndpointsAreServed(t *testing.T) {
	for _, version := range []string{"3.18.7", "5.4.2", "6.13.1", "8.8.1", "9.0.0"} {
		t.Run(version, func(t *testing.T) {
			srv := newTestServer(t, WithVersion(version), WithUser(User{Username: "admin", Roles: []string{"admin"}}))
			id, token := srv.PersonalAccessToken("admin")
			endpoints := srv.Endpoints()
			if !slices.Contains(endpoints, "POST v1/chat.postMessage") || !slices.Contains(endpoints, "GET v1/chat.syncMessages") {
				t.Errorf("Endpoints() = %v; want chat.postMessage and chat.syncMessages among them", endpoints)
			}
			for _, e := range endpoints {
				method, name, _ := strings.Cut(e, " ")
				path := "/api/" + name
				req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader("{}"))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-User-Id", id)
				req.Header.Set("X-Auth-Token", token)
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
					t.Errorf("%s: %d", e, resp.StatusCode)
				}
			}
		})
	}
	srv := newTestServer(t)
	srv.HandleFunc("v1/custom.hello", func(http.ResponseWriter, *http.Request) {})
	if !slices.Contains(srv.Endpoints(), "v1/custom.hello") {
		t.Errorf("an endpoint added with HandleFunc is not listed: %v", srv.Endpoints())
	}
}
