package rocketchat_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-rocketchat/rocketchat"
)

// BenchmarkCompare measures the SDK against the bare clients in a way
// that the order of measurement cannot flatter either side. Each
// iteration is one round: for every case, each side makes the case's
// calls in turn, against the same loopback server, with the same
// transport settings and the same answers. Within a round the sides run
// in an order that changes from round to round (rotated, and reversed
// every other cycle), so that each side follows each other one equally
// often, and the heap is collected before each side, so that no side
// pays for the garbage of the one before it. The time and allocations
// of a side are per call, over its calls of the round.
//
// The report is the median over the rounds of the SDK's time divided by
// the bare client's in the same round, with the spread of those per-round
// ratios (quartiles and extremes): a noisy machine shows as a wide
// spread, not as a false ratio. Run it for many rounds:
//
//	go test -run '^$' -bench '^BenchmarkCompare$' -benchtime 40x
//
// Its ns/op is not reported: one iteration is a whole round.
func BenchmarkCompare(b *testing.B) {
	srv := newBenchServer(b)
	typed := newTypedBenchServer(b)
	if !bytes.Contains(srv.bodies["/n3"], []byte(`"port":"3000"`)) {
		b.Fatal(`the instances answer does not carry the port as the server does ("port":"3000")`)
	}
	ctx := context.Background()
	par := runtime.GOMAXPROCS(0)

	var cases []*compareCase
	for _, size := range benchSizes {
		// About 5 to 10 ms of calls per side and round on a 2-core
		// machine: short rounds, many of them.
		calls := 100
		if size.n > 100 {
			calls = 8
		}
		sides := []compareSide{{name: "sdk", call: sdkInstances(srv.sdkClient(b, size.prefix), size.n)}}
		for _, impl := range baselines {
			bl := srv.baseline(b, size.prefix).use(impl)
			sides = append(sides, compareSide{name: compareName[impl.name], call: func(ctx context.Context) error {
				got, err := bl.instances(ctx)
				if err == nil && len(got) != size.n {
					err = fmt.Errorf("%d instances, want %d", len(got), size.n)
				}
				return err
			}})
		}
		cases = append(cases,
			&compareCase{name: "Instances " + size.name, calls: calls, goroutines: 1, sides: sides},
			&compareCase{name: "Instances " + size.name + " parallel", calls: calls * 2, goroutines: par, sides: sides})
	}
	for _, tc := range []struct {
		name   string
		sdk    func(*rocketchat.Client) func(context.Context) (*rocketchat.Message, error)
		bare   func(*typedBaseline) func(context.Context) (*benchPlainMessage, error)
		wantID string
	}{
		{
			name: "PostMessage",
			sdk: func(c *rocketchat.Client) func(context.Context) (*rocketchat.Message, error) {
				return func(ctx context.Context) (*rocketchat.Message, error) { return c.PostMessage(ctx, benchNewMessage) }
			},
			bare: func(bl *typedBaseline) func(context.Context) (*benchPlainMessage, error) {
				return func(ctx context.Context) (*benchPlainMessage, error) { return bl.postMessage(ctx, benchNewMessage) }
			},
			wantID: "jC9chsFddTvsbFQG7",
		},
		{
			name: "Message",
			sdk: func(c *rocketchat.Client) func(context.Context) (*rocketchat.Message, error) {
				return func(ctx context.Context) (*rocketchat.Message, error) { return c.Message(ctx, "CeXwh5eBbdrtvnqG6") }
			},
			bare: func(bl *typedBaseline) func(context.Context) (*benchPlainMessage, error) {
				return func(ctx context.Context) (*benchPlainMessage, error) { return bl.message(ctx, "CeXwh5eBbdrtvnqG6") }
			},
			wantID: "CeXwh5eBbdrtvnqG6",
		},
	} {
		sdk := tc.sdk(typed.sdkClient(b, ""))
		sides := []compareSide{{name: "sdk", call: func(ctx context.Context) error {
			m, err := sdk(ctx)
			if err == nil && m.ID != tc.wantID {
				err = fmt.Errorf("message %q, want %q", m.ID, tc.wantID)
			}
			return err
		}}}
		for _, timeout := range []bool{false, true} {
			bl := typed.typedBaseline(b)
			name := "v2"
			if timeout {
				bl.hc.Timeout = rocketchat.DefaultTimeout
				name = "v2+timeout"
			}
			bare := tc.bare(bl)
			sides = append(sides, compareSide{name: name, call: func(ctx context.Context) error {
				m, err := bare(ctx)
				if err == nil && m.ID != tc.wantID {
					err = fmt.Errorf("message %q, want %q", m.ID, tc.wantID)
				}
				return err
			}})
		}
		cases = append(cases,
			&compareCase{name: tc.name, calls: 100, goroutines: 1, sides: sides},
			&compareCase{name: tc.name + " parallel", calls: 200, goroutines: par, sides: sides})
	}

	cases = append(cases, &compareCase{name: "Listen, per event", calls: 1, events: listenEvents, goroutines: 1, sides: newFloodServer(b).compareSides(b)})

	runCompare(b, ctx, cases, func() int64 { return srv.conns.Load() + typed.conns.Load() })
}

// runCompare runs the rounds of cases, one per iteration of b, and prints
// the report. conns counts the connections the servers have accepted:
// a side that opens more than its goroutines need fails the benchmark.
func runCompare(b *testing.B, ctx context.Context, cases []*compareCase, conns func() int64) {
	// Warm: a connection in each pool and the decoders' caches filled,
	// as in a running program.
	for _, cs := range cases {
		for _, side := range cs.sides {
			if err := side.call(ctx); err != nil {
				b.Fatalf("%s, %s: %v", cs.name, side.name, err)
			}
		}
		cs.samples = make([][]compareSample, len(cs.sides))
	}
	round := 0
	for b.Loop() {
		for _, cs := range cases {
			for _, i := range compareOrder(len(cs.sides), round) {
				before := conns()
				s, err := cs.measure(ctx, cs.sides[i])
				if err != nil {
					b.Fatalf("%s, %s: %v", cs.name, cs.sides[i].name, err)
				}
				// A body left unread costs a new connection per call.
				// (Two per goroutine, not one: when calls overlap,
				// net/http may dial for a call that an idle connection
				// then serves first.)
				if opened := conns() - before; opened > 2*int64(cs.goroutines) {
					b.Fatalf("%s, %s: %d calls opened %d connections: connections are not reused", cs.name, cs.sides[i].name, cs.calls, opened)
				}
				cs.samples[i] = append(cs.samples[i], s)
			}
		}
		round++
	}
	b.ReportMetric(0, "ns/op") // a round, not a call
	// To standard output: the testing package cuts a benchmark's log
	// to a few lines.
	fmt.Print(compareReport(cases, round, runtime.GOMAXPROCS(0)))
}

// compareName is the short name of each bare client in the report.
var compareName = map[string]string{
	"baseline":            "v1",
	"baseline-v2":         "v2",
	"baseline-v2-timeout": "v2+timeout",
}

func sdkInstances(c *rocketchat.Client, n int) func(context.Context) error {
	return func(ctx context.Context) error {
		got, err := c.Instances(ctx)
		if err == nil && len(got) != n {
			err = fmt.Errorf("%d instances, want %d", len(got), n)
		}
		return err
	}
}

// compareSide is one client doing a case's call; the first side of a
// case is the SDK, which the others are compared with.
type compareSide struct {
	name string
	call func(context.Context) error
}

type compareCase struct {
	name       string
	calls      int // per side and round
	events     int // per call, when a call is many events (Listen)
	goroutines int // 1: one call after another
	sides      []compareSide
	samples    [][]compareSample // by side, one per round
}

// compareSample is one side's round, per call: wall time, CPU time of
// the process (client and server), allocations and bytes allocated.
type compareSample struct {
	ns, cpu, allocs, bytes float64
	cpuOK                  bool
}

// compareOrder is the order of n sides in a round: rotated by one each
// round, and reversed every other cycle of n rounds, so that over 2n
// rounds each side runs right after each other one equally often.
func compareOrder(n, round int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = (i + round) % n
	}
	if (round/n)%2 == 1 {
		slices.Reverse(order)
	}
	return order
}

// measure collects the heap, then times the case's calls by side,
// spread over the case's goroutines, and counts the allocations the
// process made meanwhile (the in-process server's share included, the
// same for every side).
func (cs *compareCase) measure(ctx context.Context, side compareSide) (compareSample, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var (
		next     atomic.Int64
		firstErr atomic.Pointer[error]
		wg       sync.WaitGroup
	)
	cpuStart, cpuOK := processCPU()
	start := time.Now()
	for range cs.goroutines {
		wg.Go(func() {
			for next.Add(1) <= int64(cs.calls) {
				if err := side.call(ctx); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpuEnd, _ := processCPU()
	runtime.ReadMemStats(&after)
	if err := firstErr.Load(); err != nil {
		return compareSample{}, *err
	}
	n := float64(cs.calls * max(cs.events, 1))
	return compareSample{
		ns:     float64(elapsed.Nanoseconds()) / n,
		cpu:    float64((cpuEnd - cpuStart).Nanoseconds()) / n,
		cpuOK:  cpuOK,
		allocs: float64(after.Mallocs-before.Mallocs) / n,
		bytes:  float64(after.TotalAlloc-before.TotalAlloc) / n,
	}, nil
}

// compareReport is a Markdown table: for each case and bare client, the
// median over the rounds of the per-round ratio SDK/bare of the wall
// time per call and of the process's CPU time per call, each with its
// quartiles and extremes, and the median allocations and bytes per call
// of both, with their ratio.
func compareReport(cases []*compareCase, rounds, par int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d rounds, %s, GOMAXPROCS %d (parallel: %d goroutines); ratio = SDK/bare within a round: median [quartiles] (min–max) over the rounds\n\n",
		rounds, runtime.Version(), par, par)
	sb.WriteString("| case | vs | SDK µs/call | time ratio | CPU ratio | allocs/call SDK / bare | allocs ratio | bytes ratio |\n")
	sb.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	ns := func(s compareSample) float64 { return s.ns }
	cpu := func(s compareSample) float64 { return s.cpu }
	allocs := func(s compareSample) float64 { return s.allocs }
	bytes := func(s compareSample) float64 { return s.bytes }
	for _, cs := range cases {
		sdk := cs.samples[0]
		for i, side := range cs.sides[1:] {
			bare := cs.samples[i+1]
			cpuRatio := "n/a"
			if len(sdk) > 0 && sdk[0].cpuOK {
				cpuRatio = spread(ratios(sdk, bare, cpu))
			}
			sdkAllocs, bareAllocs := median(field(sdk, allocs)), median(field(bare, allocs))
			fmt.Fprintf(&sb, "| %s | %s | %.1f | %s | %s | %.0f / %.0f | %.2f | %.2f |\n",
				cs.name, side.name, median(field(sdk, ns))/1e3,
				spread(ratios(sdk, bare, ns)), cpuRatio,
				sdkAllocs, bareAllocs, sdkAllocs/bareAllocs, median(field(sdk, bytes))/median(field(bare, bytes)))
		}
	}
	return sb.String()
}

// ratios are a's values over b's, round by round.
func ratios(a, b []compareSample, f func(compareSample) float64) []float64 {
	out := make([]float64, len(a))
	for r := range a {
		out[r] = f(a[r]) / f(b[r])
	}
	return out
}

// spread prints the median of xs, its quartiles and its extremes.
func spread(xs []float64) string {
	q := quartiles(xs)
	return fmt.Sprintf("%.2f [%.2f–%.2f] (%.2f–%.2f)", q[2], q[1], q[3], q[0], q[4])
}

func field(samples []compareSample, f func(compareSample) float64) []float64 {
	out := make([]float64, len(samples))
	for i, s := range samples {
		out[i] = f(s)
	}
	return out
}

func median(xs []float64) float64 { return quartiles(xs)[2] }

// quartiles are the minimum, the first quartile, the median, the third
// quartile and the maximum of xs, interpolated between ranks.
func quartiles(xs []float64) [5]float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	at := func(p float64) float64 {
		if len(s) == 0 {
			return 0
		}
		pos := p * float64(len(s)-1)
		lo := int(pos)
		if lo+1 >= len(s) {
			return s[lo]
		}
		return s[lo] + (pos-float64(lo))*(s[lo+1]-s[lo])
	}
	return [5]float64{at(0), at(0.25), at(0.5), at(0.75), at(1)}
}
