package rocketchat_test

// Every way a user builds, wraps or mocks the HTTP underneath a client,
// written as the user would: gock.New before or after NewClient, with no
// *http.Client or with http.DefaultClient or a client of their own, and a
// wrapper installed on http.DefaultTransport. gock is global: no
// t.Parallel here.

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/h2non/gock.v1"

	"github.com/go-rocketchat/rocketchat"
)

var recipeCreds = rocketchat.WithCredentials(rocketchat.Credentials{UserID: "u1", Token: "t1"})

// mockInstances has gock answer instances.get on rc.example with the real
// 8.x answer.
func mockInstances(t *testing.T) {
	t.Helper()
	gock.New("http://rc.example").
		Get("/api/v1/instances.get").
		MatchHeader("X-Auth-Token", "^t1$").
		Reply(200).
		File("testdata/instances_8x.json")
}

func wantInstances(t *testing.T, c *rocketchat.Client) {
	t.Helper()
	instances, err := c.Instances(context.Background())
	if err != nil {
		t.Fatalf("Instances: %v", err)
	}
	if len(instances) != 4 || instances[0].Host != "10.20.0.11" {
		t.Errorf("Instances gave %d members, want the 4 of the 8.x answer", len(instances))
	}
}

// TestRecipes covers each way of building the client, each with gock
// installed before NewClient and after it.
func TestRecipes(t *testing.T) {
	recipes := map[string]func() (*rocketchat.Client, error){
		"no http client": func() (*rocketchat.Client, error) {
			return rocketchat.NewClient("http://rc.example", recipeCreds)
		},
		"http.DefaultClient": func() (*rocketchat.Client, error) {
			return rocketchat.NewClient("http://rc.example", recipeCreds, rocketchat.WithHTTPClient(http.DefaultClient))
		},
		"a client with a timeout": func() (*rocketchat.Client, error) {
			return rocketchat.NewClient("http://rc.example", recipeCreds, rocketchat.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
		},
	}
	for name, build := range recipes {
		t.Run(name+"/gock.New first", func(t *testing.T) {
			defer gock.Off()
			mockInstances(t)
			c, err := build()
			if err != nil {
				t.Fatal(err)
			}
			wantInstances(t, c)
			if !gock.IsDone() {
				t.Error("the mock was not called")
			}
		})
		t.Run(name+"/client built before the mock", func(t *testing.T) {
			c, err := build()
			if err != nil {
				t.Fatal(err)
			}
			defer gock.Off()
			mockInstances(t)
			wantInstances(t, c)
			if !gock.IsDone() {
				t.Error("the mock was not called")
			}
		})
	}
}

// TestRecipeGockInterceptClient: gock's other way, on a client of one's
// own, leaves http.DefaultTransport alone.
func TestRecipeGockInterceptClient(t *testing.T) {
	defer gock.Off()
	hc := &http.Client{}
	gock.InterceptClient(hc)
	mockInstances(t)
	c, err := rocketchat.NewClient("http://rc.example", recipeCreds, rocketchat.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	wantInstances(t, c)
	if !gock.IsDone() {
		t.Error("the mock was not called")
	}
}

// TestRecipeGockAfterOff: once gock.Off restores the standard transport,
// a client built while gock was on reaches a real (loopback) server.
func TestRecipeGockAfterOff(t *testing.T) {
	srv := instancesServer(t)
	gock.New("http://rc.example").Get("/").Reply(200)
	c, err := rocketchat.NewClient(srv.URL, recipeCreds)
	gock.Off()
	if err != nil {
		t.Fatal(err)
	}
	wantInstances(t, c)
}

func instancesServer(t *testing.T) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile("testdata/instances_8x.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRecipeWrappedDefaultTransport: a program wraps
// http.DefaultTransport for tracing (the otelhttp pattern), before or
// after building the client. The wrapper sees every call.
func TestRecipeWrappedDefaultTransport(t *testing.T) {
	srv := instancesServer(t)
	before, err := rocketchat.NewClient(srv.URL, recipeCreds)
	if err != nil {
		t.Fatal(err)
	}

	orig := http.DefaultTransport
	var traced atomic.Int64
	http.DefaultTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		traced.Add(1)
		return orig.RoundTrip(r)
	})
	t.Cleanup(func() { http.DefaultTransport = orig })

	after, err := rocketchat.NewClient(srv.URL, recipeCreds)
	if err != nil {
		t.Fatal(err)
	}
	defaultClient, err := rocketchat.NewClient(srv.URL, recipeCreds, rocketchat.WithHTTPClient(http.DefaultClient))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*rocketchat.Client{before, after, defaultClient} {
		wantInstances(t, c)
	}
	if n := traced.Load(); n != 3 {
		t.Errorf("the wrapper saw %d calls, want 3", n)
	}
}

// TestRecipeOwnTransportReusesConnections: with http.DefaultTransport
// untouched, two clients of the same server make rounds of 32 calls at
// once. The first round opens 32 connections; the later rounds find them
// idle in the shared, tuned transport. (The standard transport keeps 2
// idle connections per host and would open 30 new ones each round.)
func TestRecipeOwnTransportReusesConnections(t *testing.T) {
	const parallel, rounds = 32, 3
	body, err := os.ReadFile("testdata/instances_8x.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	waiting, gate := 0, make(chan struct{})
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hold each call until the whole round has arrived, so that a
		// round needs 32 connections at once.
		mu.Lock()
		g := gate
		if waiting++; waiting == parallel {
			close(gate)
			waiting, gate = 0, make(chan struct{})
		}
		mu.Unlock()
		<-g
		w.Write(body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	var clients [2]*rocketchat.Client
	for i := range clients {
		if clients[i], err = rocketchat.NewClient(srv.URL, recipeCreds); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range rounds {
		var wg sync.WaitGroup
		for i := range parallel {
			wg.Go(func() {
				if _, err := clients[i%2].Instances(ctx); err != nil {
					t.Errorf("Instances: %v", err)
				}
			})
		}
		wg.Wait()
	}
	if n := conns.Load(); n != parallel {
		t.Errorf("%d connections for %d rounds of %d calls, want %d", n, rounds, parallel, parallel)
	}
}
