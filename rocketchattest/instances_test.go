package rocketchattest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-rocketchat/rocketchat"
)

// testCluster is a two-member cluster with every field set.
func testCluster() []rocketchat.Instance {
	os := rocketchat.OS{
		Type: "Linux", Platform: "linux", Arch: "x64", Release: "5.10.165-143.735.amzn2.x86_64",
		Uptime:  8455403*time.Second + 280*time.Millisecond,
		LoadAvg: [3]float64{0.41, 0.17, 0.15}, TotalMem: 4110323712, FreeMem: 198479872, CPUs: 2,
	}
	return []rocketchat.Instance{{
		ID: "871f8be4-5fdb-45a8-868f-8d3e28a39148", Name: "rocket.chat", PID: 1,
		CreatedAt: time.Date(2024, 5, 22, 11, 14, 11, 845_000_000, time.UTC),
		UpdatedAt: time.Date(2024, 7, 5, 2, 55, 40, 526_000_000, time.UTC),
		Host:      "localhost", Port: 3000, TCPPort: 46443, NodeVersion: "v14.21.3", Conns: 1, OS: os,
		Address: "localhost", Connected: true, Local: true, ProcessUptime: 16 * time.Second, BroadcastAuth: true,
	}, {
		ID: "vQZbiEj9fChaa9kjw", Name: "rocket.chat", PID: 7,
		CreatedAt: time.Date(2021, 9, 1, 18, 29, 30, 430_000_000, time.UTC),
		UpdatedAt: time.Date(2021, 9, 30, 11, 20, 44, 678_000_000, time.UTC),
		// An unknown host and port, as JavaScript writes them.
		NodeVersion: "v12.22.1", OS: os,
		Address: "10.0.0.2:3000/", Connected: true, BroadcastAuth: true,
	}}
}

func TestInstancesRawRecords(t *testing.T) {
	clock := newTestClock()
	srv := newTestServer(t, WithVersion("5.4.2"), WithClock(clock.Now), WithUser(adminUser), WithInstances(testCluster()...))
	got := call(t, srv, http.MethodGet, "v1/instances.get", "", auth(srv.PersonalAccessToken("admin"))...)
	wantAnswer(t, got, http.StatusOK, `{"instances":[`+
		`{"_id":"871f8be4-5fdb-45a8-868f-8d3e28a39148","_createdAt":"2024-05-22T11:14:11.845Z","_updatedAt":"2024-07-05T02:55:40.526Z",`+
		`"extraInformation":{"host":"localhost","port":"3000","os":{"type":"Linux","platform":"linux","arch":"x64","release":"5.10.165-143.735.amzn2.x86_64",`+
		`"uptime":8455403,"loadavg":[0.41,0.17,0.15],"totalmem":4110323712,"freemem":198479872,"cpus":2},"nodeVersion":"v14.21.3"},"name":"rocket.chat","pid":1},`+
		`{"_id":"vQZbiEj9fChaa9kjw","_createdAt":"2021-09-01T18:29:30.430Z","_updatedAt":"2021-09-30T11:20:44.678Z",`+
		`"extraInformation":{"host":"undefined","port":"undefined","os":{"type":"Linux","platform":"linux","arch":"x64","release":"5.10.165-143.735.amzn2.x86_64",`+
		`"uptime":8455403,"loadavg":[0.41,0.17,0.15],"totalmem":4110323712,"freemem":198479872,"cpus":2},"nodeVersion":"v12.22.1"},"name":"rocket.chat","pid":7,`+
		`"connection":{"address":"10.0.0.2:3000/","currentStatus":{"connected":true,"status":"connected","retryCount":0},"broadcastAuth":true}}`+
		`],"success":true}`)
}

func TestInstancesWrapped(t *testing.T) {
	for _, v := range []string{"6.0.0", "8.8.1", "9.0.0"} {
		t.Run(v, func(t *testing.T) {
			srv := newTestServer(t, WithVersion(v), WithUser(adminUser), WithInstances(testCluster()...))
			got := call(t, srv, http.MethodGet, "v1/instances.get", "", auth(srv.PersonalAccessToken("admin"))...)
			wantAnswer(t, got, http.StatusOK, `{"instances":[`+
				`{"address":"localhost","currentStatus":{"connected":true,"lastHeartbeatTime":16,"local":true},`+
				`"instanceRecord":{"_id":"871f8be4-5fdb-45a8-868f-8d3e28a39148","_createdAt":"2024-05-22T11:14:11.845Z","_updatedAt":"2024-07-05T02:55:40.526Z",`+
				`"extraInformation":{"host":"localhost","port":"3000","tcpPort":46443,"os":{"type":"Linux","platform":"linux","arch":"x64","release":"5.10.165-143.735.amzn2.x86_64",`+
				`"uptime":8455403.28,"loadavg":[0.41,0.17,0.15],"totalmem":4110323712,"freemem":198479872,"cpus":2},"nodeVersion":"v14.21.3","conns":1},"name":"rocket.chat","pid":1},"broadcastAuth":true},`+
				`{"address":"10.0.0.2:3000/","currentStatus":{"connected":true,"local":false},`+
				`"instanceRecord":{"_id":"vQZbiEj9fChaa9kjw","_createdAt":"2021-09-01T18:29:30.430Z","_updatedAt":"2021-09-30T11:20:44.678Z",`+
				`"extraInformation":{"host":"undefined","port":"undefined","os":{"type":"Linux","platform":"linux","arch":"x64","release":"5.10.165-143.735.amzn2.x86_64",`+
				`"uptime":8455403.28,"loadavg":[0.41,0.17,0.15],"totalmem":4110323712,"freemem":198479872,"cpus":2},"nodeVersion":"v12.22.1"},"name":"rocket.chat","pid":7},"broadcastAuth":true}`+
				`],"success":true}`)
		})
	}
}

func TestInstancesNoBrokerData(t *testing.T) {
	// A microservice deployment: no address, connected false, no uptime.
	srv := newTestServer(t, WithUser(adminUser), WithInstances(rocketchat.Instance{ID: "a", Name: "ddp-streamer", PID: 9}))
	got := call(t, srv, http.MethodGet, "v1/instances.get", "", auth(srv.PersonalAccessToken("admin"))...)
	if !strings.Contains(got.body, `{"currentStatus":{"connected":false},"instanceRecord":{"_id":"a",`) {
		t.Errorf("body: %s", got.body)
	}
}

func TestDefaultCluster(t *testing.T) {
	for _, v := range []string{"3.10.0", "5.4.2", "6.13.1", "8.8.1"} {
		t.Run(v, func(t *testing.T) {
			clock := newTestClock()
			srv := newTestServer(t, WithVersion(v), WithClock(clock.Now), WithUser(adminUser))
			members := srv.Instances()
			if len(members) != 3 || !members[0].Local || members[1].Local || members[2].Connected {
				t.Fatalf("default cluster: %+v", members)
			}
			got := call(t, srv, http.MethodGet, "v1/instances.get", "", auth(srv.PersonalAccessToken("admin"))...)
			items := decode(t, got.body)["instances"].([]any)
			if len(items) != 3 {
				t.Fatalf("%d items", len(items))
			}
			for i, it := range items {
				item := it.(map[string]any)
				_, wrapped := item["instanceRecord"]
				_, conn := item["connection"]
				switch {
				case v < "6" && wrapped, v >= "6" && !wrapped:
					t.Errorf("item %d: wrapped = %v in %s", i, wrapped, v)
				case v < "6" && conn != (i > 0):
					t.Errorf("item %d: connection present = %v; only the other members have one", i, conn)
				}
			}
		})
	}
}

func TestInstancesMethodAndVersion(t *testing.T) {
	for _, tc := range []struct {
		version string
		status  int
	}{
		{"3.9.0", http.StatusNotFound},         // before instances.get existed
		{"5.4.2", http.StatusMethodNotAllowed}, // Restivus rejects the method
		{"6.13.1", http.StatusNotFound},        // only GET is registered
		{"8.8.1", http.StatusNotFound},
	} {
		srv := newTestServer(t, WithVersion(tc.version), WithUser(adminUser))
		method := http.MethodPost
		if tc.version == "3.9.0" {
			method = http.MethodGet
		}
		got := call(t, srv, method, "v1/instances.get", "", auth(srv.PersonalAccessToken("admin"))...)
		if got.status != tc.status {
			t.Errorf("%s %s instances.get: %d, want %d", tc.version, method, got.status, tc.status)
		}
	}
}

func TestSetInstances(t *testing.T) {
	srv := newTestServer(t, WithUser(adminUser))
	srv.SetInstances()
	got := call(t, srv, http.MethodGet, "v1/instances.get", "", auth(srv.PersonalAccessToken("admin"))...)
	wantAnswer(t, got, http.StatusOK, `{"instances":[],"success":true}`)
}

func TestNotFound(t *testing.T) {
	for _, v := range generations {
		srv := newTestServer(t, WithVersion(v), WithBasePath("/chat"))
		for _, path := range []string{"/chat/api/v1/nope", "/chat/api/v2/x", "/api/info", "/chat/other"} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL[:len(srv.URL)-len("/chat")]+path, nil)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", v, path, resp.StatusCode)
			}
			wantType := "text/html; charset=utf-8"
			if v >= "7" {
				wantType = "text/plain; charset=UTF-8"
			}
			if ct := resp.Header.Get("Content-Type"); ct != wantType {
				t.Errorf("%s GET %s: Content-Type %q, want %q", v, path, ct, wantType)
			}
		}
	}
}

func TestInfo(t *testing.T) {
	for _, tc := range []struct {
		version, anon, admin string
	}{
		{"3.18.7", `{"version":"3.18.7","success":true}`, `{"info":{"version":"3.18.7",`},
		{"5.4.2", `{"version":"5.4","success":true}`, `{"version":"5.4.2","info":{"version":"5.4.2",`},
		{"8.8.1", `{"version":"8.8","minimumClientVersions":{"desktop":"3.9.6","mobile":"4.39.0"},"success":true}`, `{"version":"8.8.1","info":{"version":"8.8.1",`},
	} {
		t.Run(tc.version, func(t *testing.T) {
			srv := newTestServer(t, WithVersion(tc.version), WithUser(adminUser), WithUser(bobUser))
			wantAnswer(t, call(t, srv, http.MethodGet, "info", ""), http.StatusOK, tc.anon)
			// A plain user and bad credentials see what anyone sees.
			wantAnswer(t, call(t, srv, http.MethodGet, "info", "", auth(srv.PersonalAccessToken("bob"))...), http.StatusOK, tc.anon)
			wantAnswer(t, call(t, srv, http.MethodGet, "info", "", auth(srv.UserID("admin"), "bad")...), http.StatusOK, tc.anon)

			got := call(t, srv, http.MethodGet, "info", "", auth(srv.PersonalAccessToken("admin"))...)
			if got.status != http.StatusOK || !strings.HasPrefix(got.body, tc.admin) || !strings.HasSuffix(got.body, `"success":true}`) {
				t.Errorf("admin info: %d %s", got.status, got.body)
			}
			info := decode(t, got.body)["info"].(map[string]any)
			if _, ok := info["commit"]; !ok {
				t.Errorf("info has no commit: %v", info)
			}
			// /api/v1/info went away in 4.0.
			v1 := call(t, srv, http.MethodGet, "v1/info", "")
			if wantOK := tc.version < "4"; (v1.status == http.StatusOK) != wantOK {
				t.Errorf("v1/info: %d", v1.status)
			}
		})
	}
}
