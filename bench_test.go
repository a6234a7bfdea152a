package rocketchat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/go-rocketchat/rocketchat"
)

// The benchmarks below compare Client.Instances with the bare program a
// user would otherwise write (net/http plus encoding/json v1 into plain
// structs), side by side in one process against one loopback server, so
// that benchstat can pair them by name:
//
//	BenchmarkInstances/n=3/impl=sdk           BenchmarkInstances/n=3/impl=baseline
//	BenchmarkInstancesParallel/n=500/impl=sdk ...
//	BenchmarkErrorPath/401/impl=sdk           BenchmarkErrorPath/401/impl=baseline (and impl=baseline-timeout)
//	BenchmarkPeakHeap/n=500/impl=sdk          (reports peak-B/op)
//
// The server serves pre-encoded bodies from memory, so that its cost is
// as small as it can be and the same for both sides. Run one after
// another, these sub-benchmarks favour whichever follows the lighter one
// (the encoding/json baseline leaves 1.5 MB of garbage per call for the
// next to collect): they are for profiling one side (-cpuprofile,
// -memprofile). The ratios BENCHMARKS.md reports come from
// BenchmarkCompare (bench_compare_test.go), which interleaves the sides
// round by round. The decode-only benchmarks per server generation are in
// instances_decode_bench_test.go.

const (
	benchUserID = "bench-user"
	benchToken  = "bench-token-0123456789"
)

// benchPlainInstance mirrors the 6.0+ wire form of one instances.get item
// with plain Go types, the way a hand-written client would declare it for
// encoding/json.
type benchPlainInstance struct {
	Address       string `json:"address"`
	CurrentStatus struct {
		Connected         bool    `json:"connected"`
		LastHeartbeatTime float64 `json:"lastHeartbeatTime"`
		Local             bool    `json:"local"`
	} `json:"currentStatus"`
	InstanceRecord struct {
		ID               string    `json:"_id"`
		CreatedAt        time.Time `json:"_createdAt"`
		UpdatedAt        time.Time `json:"_updatedAt"`
		ExtraInformation struct {
			Host    string `json:"host"`
			Port    string `json:"port"`
			TCPPort int    `json:"tcpPort"`
			OS      struct {
				Type     string     `json:"type"`
				Platform string     `json:"platform"`
				Arch     string     `json:"arch"`
				Release  string     `json:"release"`
				Uptime   float64    `json:"uptime"`
				LoadAvg  [3]float64 `json:"loadavg"`
				TotalMem uint64     `json:"totalmem"`
				FreeMem  uint64     `json:"freemem"`
				CPUs     int        `json:"cpus"`
			} `json:"os"`
			NodeVersion string `json:"nodeVersion"`
			Conns       int    `json:"conns"`
		} `json:"extraInformation"`
		Name string `json:"name"`
		PID  int    `json:"pid"`
	} `json:"instanceRecord"`
	BroadcastAuth bool `json:"broadcastAuth"`
}

// benchPlainAnswer is the whole instances.get answer for the baseline.
type benchPlainAnswer struct {
	Instances []benchPlainInstance `json:"instances"`
	Success   bool                 `json:"success"`
}

// benchPlainError is a failure answer for the baseline: both envelope
// families' members, as a hand-written client would read them.
type benchPlainError struct {
	Success   bool   `json:"success"`
	Status    string `json:"status"`
	Error     string `json:"error"`
	ErrorType string `json:"errorType"`
	Message   string `json:"message"`
}

// benchMembers returns n cluster members of a 6.x cluster, each with its
// own id, addresses and figures, as a real cluster reports them.
func benchMembers(n int) []rocketchat.Instance {
	created := time.Date(2024, 5, 22, 11, 14, 11, 845e6, time.UTC)
	updated := time.Date(2024, 7, 5, 2, 55, 0, 0, time.UTC)
	members := make([]rocketchat.Instance, n)
	for i := range members {
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		members[i] = rocketchat.Instance{
			ID:          fmt.Sprintf("871f8be4-5fdb-45a8-868f-%012x", i),
			Name:        "rocket.chat",
			PID:         1,
			CreatedAt:   created,
			UpdatedAt:   updated.Add(time.Duration(i%60)*time.Second + time.Duration(i%1000)*time.Millisecond),
			Host:        ip,
			Port:        3000,
			TCPPort:     30000 + i,
			NodeVersion: "v14.21.3",
			Conns:       i % 300,
			OS: rocketchat.OS{
				Type:     "Linux",
				Platform: "linux",
				Arch:     "x64",
				Release:  "5.10.165-143.735.amzn2.x86_64",
				Uptime:   time.Duration(8455403+i)*time.Second + time.Duration(i%100)*10*time.Millisecond,
				LoadAvg:  [3]float64{float64(i%100) / 100, float64((i+7)%100) / 100, float64((i+13)%100) / 100},
				TotalMem: 34359738368,
				FreeMem:  uint64(198479872 + i*4096),
				CPUs:     8,
			},
			Address:       ip,
			Connected:     true,
			Local:         i == 0,
			ProcessUptime: time.Duration(16+i) * time.Second,
			BroadcastAuth: true,
		}
	}
	return members
}

// benchAnswer is the body of a successful instances.get of n members in
// the 6.0+ wire form, written by Instance's own encoder (which the codec
// tests hold to the server's form).
func benchAnswer(tb testing.TB, n int) []byte {
	items, err := json.Marshal(benchMembers(n))
	if err != nil {
		tb.Fatal(err)
	}
	body := append([]byte(`{"instances":`), items...)
	return append(body, `,"success":true}`...)
}

// benchServer is the loopback server of both sides. Under a prefix it
// answers /api/v1/instances.get: /n3 and /n500 with n members, /e401 and
// /e429 with Rocket.Chat's failure answers.
type benchServer struct {
	*httptest.Server
	bodies map[string][]byte // by prefix
	conns  atomic.Int64      // connections accepted
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	s := &benchServer{bodies: map[string][]byte{
		"/n3":   benchAnswer(b, 3),
		"/n500": benchAnswer(b, 500),
		"/e401": readFile(b, "testdata/error_401_7x.json"),
		"/e429": readFile(b, "testdata/error_429.json"),
	}}
	handlers := map[string]http.HandlerFunc{}
	for prefix, body := range s.bodies {
		status := http.StatusOK
		switch prefix {
		case "/e401":
			status = http.StatusUnauthorized
		case "/e429":
			status = http.StatusTooManyRequests
		}
		length := strconv.Itoa(len(body))
		handlers[prefix+"/api/v1/instances.get"] = func(w http.ResponseWriter, r *http.Request) {
			if status == http.StatusOK && (r.Header.Get("X-User-Id") != benchUserID || r.Header.Get("X-Auth-Token") != benchToken) {
				http.Error(w, "missing credentials", http.StatusInternalServerError)
				return
			}
			h := w.Header()
			h["Content-Type"] = []string{"application/json"}
			h["Content-Length"] = []string{length}
			if status == http.StatusTooManyRequests {
				h["X-Ratelimit-Limit"] = []string{"10"}
				h["X-Ratelimit-Remaining"] = []string{"0"}
				h["X-Ratelimit-Reset"] = []string{strconv.FormatInt(time.Now().Add(23*time.Second).UnixMilli(), 10)}
			}
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := handlers[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	b.Cleanup(s.Close)
	return s
}

// checkReuse fails the benchmark when its calls opened more than two
// connections per goroutine: a body left unread or unclosed costs a new
// connection per call. (Two, not one: when calls overlap, net/http may
// dial a connection for a call that an idle one then serves first.) It
// returns the function to defer.
func (s *benchServer) checkReuse(b *testing.B, goroutines int) func() {
	before := s.conns.Load()
	return func() {
		if opened := s.conns.Load() - before; opened > 2*int64(goroutines) {
			b.Errorf("%d calls opened %d connections with %d goroutines: connections are not reused", b.N, opened, goroutines)
		}
	}
}

func readFile(b *testing.B, name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// sdkClient is a Client of the server under prefix, with the defaults a
// user gets; retries are off for the error path so that it measures the
// mapping of the answer, not the waiting.
func (s *benchServer) sdkClient(b *testing.B, prefix string, opts ...rocketchat.Option) *rocketchat.Client {
	b.Helper()
	opts = append(opts, rocketchat.WithCredentials(rocketchat.Credentials{UserID: benchUserID, Token: benchToken}))
	c, err := rocketchat.NewClient(s.URL+prefix, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// baseline is the bare program: an *http.Client whose transport is
// cloned as the SDK's is (http.DefaultTransport, 64 idle connections per
// host), the same headers, encoding/json v1 into plain structs, the body
// drained and closed. It sets no client Timeout; the SDK bounds each
// attempt (30 s) with a deadline on the request's context, a timer per
// call that the baseline does not pay and baseline-v2-timeout does.
type baseline struct {
	hc  *http.Client
	url string
	// v2 decodes with encoding/json/v2 (json.UnmarshalRead into the same
	// plain structs, default options) instead of encoding/json.
	v2 bool
}

func (s *benchServer) baseline(b *testing.B, prefix string) *baseline {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	b.Cleanup(t.CloseIdleConnections)
	return &baseline{hc: &http.Client{Transport: t}, url: s.URL + prefix + "/api/v1/instances.get"}
}

var errBaseline = errors.New("baseline: call failed")

// instances is what a bare client's Instances looks like.
func (bl *baseline) instances(ctx context.Context) ([]benchPlainInstance, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, bl.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", rocketchat.DefaultUserAgent)
	req.Header.Set("X-User-Id", benchUserID)
	req.Header.Set("X-Auth-Token", benchToken)
	resp, err := bl.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		var e benchPlainError
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return nil, fmt.Errorf("%w: %d %s%s", errBaseline, resp.StatusCode, e.ErrorType, e.Error)
	}
	var out benchPlainAnswer
	if bl.v2 {
		err = jsonv2.UnmarshalRead(resp.Body, &out)
	} else {
		err = json.NewDecoder(resp.Body).Decode(&out)
	}
	if err != nil {
		return nil, err
	}
	if !out.Success {
		return nil, errBaseline
	}
	return out.Instances, nil
}

// baselines are the bare clients: encoding/json (v1) and
// encoding/json/v2 into the same plain structs, and the latter with the
// SDK's default per-attempt timeout, which costs a deadline context, a
// timer and a body wrapper per call.
var baselines = []struct {
	name    string
	v2      bool
	timeout bool // the SDK's default per-attempt timeout, as http.Client.Timeout
}{
	{"baseline", false, false},
	{"baseline-v2", true, false},
	{"baseline-v2-timeout", true, true},
}

// use configures bl as the baseline named impl.
func (bl *baseline) use(impl struct {
	name    string
	v2      bool
	timeout bool
}) *baseline {
	bl.v2 = impl.v2
	if impl.timeout {
		bl.hc.Timeout = rocketchat.DefaultTimeout
	}
	return bl
}

// benchSizes are the answers compared: a small cluster and a large one
// (about 295 kB).
var benchSizes = []struct {
	name, prefix string
	n            int
}{
	{"n=3", "/n3", 3},
	{"n=500", "/n500", 500},
}

func BenchmarkInstances(b *testing.B) {
	srv := newBenchServer(b)
	ctx := context.Background()
	for _, size := range benchSizes {
		b.Run(size.name+"/impl=sdk", func(b *testing.B) {
			c := srv.sdkClient(b, size.prefix)
			defer srv.checkReuse(b, 1)()
			b.ReportAllocs()
			b.SetBytes(int64(len(srv.bodies[size.prefix])))
			for b.Loop() {
				got, err := c.Instances(ctx)
				if err != nil || len(got) != size.n {
					b.Fatal(len(got), err)
				}
			}
		})
		for _, impl := range baselines {
			b.Run(size.name+"/impl="+impl.name, func(b *testing.B) {
				bl := srv.baseline(b, size.prefix).use(impl)
				defer srv.checkReuse(b, 1)()
				b.ReportAllocs()
				b.SetBytes(int64(len(srv.bodies[size.prefix])))
				for b.Loop() {
					got, err := bl.instances(ctx)
					if err != nil || len(got) != size.n {
						b.Fatal(len(got), err)
					}
				}
			})
		}
	}
}

func BenchmarkInstancesParallel(b *testing.B) {
	srv := newBenchServer(b)
	ctx := context.Background()
	for _, size := range benchSizes {
		b.Run(size.name+"/impl=sdk", func(b *testing.B) {
			c := srv.sdkClient(b, size.prefix)
			defer srv.checkReuse(b, runtime.GOMAXPROCS(0))()
			b.ReportAllocs()
			b.SetBytes(int64(len(srv.bodies[size.prefix])))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					got, err := c.Instances(ctx)
					if err != nil || len(got) != size.n {
						b.Error(len(got), err)
						return
					}
				}
			})
		})
		for _, impl := range baselines {
			b.Run(size.name+"/impl="+impl.name, func(b *testing.B) {
				bl := srv.baseline(b, size.prefix).use(impl)
				defer srv.checkReuse(b, runtime.GOMAXPROCS(0))()
				b.ReportAllocs()
				b.SetBytes(int64(len(srv.bodies[size.prefix])))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						got, err := bl.instances(ctx)
						if err != nil || len(got) != size.n {
							b.Error(len(got), err)
							return
						}
					}
				})
			})
		}
	}
}

// BenchmarkErrorPath measures a failure answer turned into an error: a
// 401 and a 429 (retries off, so the mapping is measured, not the wait).
func BenchmarkErrorPath(b *testing.B) {
	srv := newBenchServer(b)
	ctx := context.Background()
	for _, tc := range []struct {
		name, prefix string
		sentinel     error
	}{
		{"401", "/e401", rocketchat.ErrUnauthorized},
		{"429", "/e429", rocketchat.ErrRateLimited},
	} {
		b.Run(tc.name+"/impl=sdk", func(b *testing.B) {
			c := srv.sdkClient(b, tc.prefix, rocketchat.WithRetry(0, 0, 0))
			defer srv.checkReuse(b, 1)()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Instances(ctx); !errors.Is(err, tc.sentinel) {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/impl=baseline", func(b *testing.B) {
			bl := srv.baseline(b, tc.prefix)
			defer srv.checkReuse(b, 1)()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bl.instances(ctx); !errors.Is(err, errBaseline) {
					b.Fatal(err)
				}
			}
		})
		// The same bare client with the SDK's default per-attempt
		// timeout (http.Client.Timeout, 30 s): on this path, where the
		// body is tiny, that timer is most of what the SDK costs more.
		b.Run(tc.name+"/impl=baseline-timeout", func(b *testing.B) {
			bl := srv.baseline(b, tc.prefix)
			bl.hc.Timeout = rocketchat.DefaultTimeout
			defer srv.checkReuse(b, 1)()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bl.instances(ctx); !errors.Is(err, errBaseline) {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPeakHeap reports, as peak-B/op, how far one call raises the
// heap above its idle level: before each call the heap is collected
// (runtime.GC) and collection is then turned off (debug.SetGCPercent(-1))
// until the call returns, so that nothing the call allocates is freed
// during it; the growth of the heap's object bytes (runtime/metrics
// /memory/classes/heap/objects:bytes) is then the highest the call took
// the heap, the result included. With collection on, the real peak can
// only be lower. The same in-process server answers both sides, so its
// own share (a few kB per request) is in both figures. ns/op of this
// benchmark is not meaningful.
func BenchmarkPeakHeap(b *testing.B) {
	srv := newBenchServer(b)
	ctx := context.Background()
	for _, size := range benchSizes {
		b.Run(size.name+"/impl=sdk", func(b *testing.B) {
			c := srv.sdkClient(b, size.prefix)
			measurePeakHeap(b, func() {
				got, err := c.Instances(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != size.n {
					b.Fatal(len(got))
				}
			})
		})
		for _, impl := range baselines {
			b.Run(size.name+"/impl="+impl.name, func(b *testing.B) {
				bl := srv.baseline(b, size.prefix).use(impl)
				measurePeakHeap(b, func() {
					got, err := bl.instances(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if len(got) != size.n {
						b.Fatal(len(got))
					}
				})
			})
		}
	}
}

func measurePeakHeap(b *testing.B, call func()) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	call() // warm: a connection in the pool, as in a running program
	var total uint64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		debug.SetGCPercent(-1)
		before := heap()
		b.StartTimer()
		call()
		b.StopTimer()
		total += heap() - before
		debug.SetGCPercent(100)
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/float64(b.N), "peak-B/op")
}
