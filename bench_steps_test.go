package rocketchat_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/go-rocketchat/rocketchat"
)

// BenchmarkCompareSteps takes apart where the SDK's time goes at 3
// instances, one call after another, the case BenchmarkCompare finds it
// furthest behind the bare encoding/json/v2 client. Besides the SDK and
// the bare client, it measures the bare client with one thing the SDK
// does added at a time, with the timeout and go-retryablehttp together,
// and with all three, each as the SDK does it:
//
//   - attempt: a deadline on each request's context (the SDK's 30 s per
//     attempt), set in a transport wrapper that copies the request and
//     ends the context when the body is closed;
//   - whole: the body read whole into a pooled buffer within a size
//     bound, then decoded from memory;
//   - retryablehttp: the request sent through go-retryablehttp.
//
// The rounds, their order and the report are those of BenchmarkCompare:
//
//	go test -run '^$' -bench '^BenchmarkCompareSteps$' -benchtime 600x
func BenchmarkCompareSteps(b *testing.B) {
	srv := newBenchServer(b)
	cs := &compareCase{name: "Instances n=3", calls: 100, goroutines: 1, sides: stepSides(b, srv)}
	runCompare(b, context.Background(), []*compareCase{cs}, srv.conns.Load)
}

// BenchmarkSteps runs the sides of BenchmarkCompareSteps one by one, to
// measure a side alone in its process:
//
//	go test -run '^$' -bench '^BenchmarkSteps$/^sdk$' -benchtime 60000x
//
// Besides time and allocations it reports, per call, what the call costs
// the scheduler: the goroutines started (client, transport and server),
// the garbage collections (per 1,000 calls) and the process's context
// switches, voluntary and not (where getrusage reports them).
func BenchmarkSteps(b *testing.B) {
	ctx := context.Background()
	for _, side := range stepSides(b, newBenchServer(b)) {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			sched := readSchedCounts()
			for b.Loop() {
				if err := side.call(ctx); err != nil {
					b.Fatal(err)
				}
			}
			readSchedCounts().sub(sched).report(b)
		})
	}
}

// schedCounts are the process's scheduler counters at one moment.
type schedCounts struct {
	goroutines, gcs uint64
	switches        int64 // -1: not reported here
}

func readSchedCounts() schedCounts {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return schedCounts{goroutines: s[0].Value.Uint64(), gcs: s[1].Value.Uint64(), switches: processSwitches()}
}

func (c schedCounts) sub(before schedCounts) schedCounts {
	d := schedCounts{goroutines: c.goroutines - before.goroutines, gcs: c.gcs - before.gcs, switches: -1}
	if c.switches >= 0 && before.switches >= 0 {
		d.switches = c.switches - before.switches
	}
	return d
}

func (c schedCounts) report(b *testing.B) {
	n := float64(b.N)
	b.ReportMetric(float64(c.goroutines)/n, "goroutines/op")
	b.ReportMetric(float64(c.gcs)*1000/n, "gc/kop")
	if c.switches >= 0 {
		b.ReportMetric(float64(c.switches)/n, "ctxsw/op")
	}
}

// stepSides are the SDK's Instances at 3 instances and the bare clients
// of the steps, each with a connection pool of its own, against srv.
func stepSides(b *testing.B, srv *benchServer) []compareSide {
	sides := []compareSide{{name: "sdk", call: sdkInstances(srv.sdkClient(b, "/n3"), 3)}}
	for _, step := range []struct {
		name string
		step stepClient
	}{
		{"v2", stepClient{}},
		{"v2+attempt", stepClient{attempt: true}},
		{"v2+whole", stepClient{whole: true}},
		{"v2+retryablehttp", stepClient{retry: true}},
		{"v2+attempt+retryablehttp", stepClient{attempt: true, retry: true}},
		{"v2+all", stepClient{attempt: true, whole: true, retry: true}},
	} {
		sc := step.step
		sc.bl = srv.baseline(b, "/n3")
		if sc.attempt {
			sc.bl.hc.Transport = &attemptTransport{base: sc.bl.hc.Transport, timeout: rocketchat.DefaultTimeout}
		}
		sc.rc = &retryablehttp.Client{HTTPClient: sc.bl.hc, RetryMax: 3, CheckRetry: retryablehttp.DefaultRetryPolicy, Backoff: retryablehttp.DefaultBackoff}
		sides = append(sides, compareSide{name: step.name, call: sc.instances})
	}
	return sides
}

// stepClient is the bare v2 client of the instances answer, with some of
// what the SDK does added.
type stepClient struct {
	bl                    *baseline
	rc                    *retryablehttp.Client
	attempt, whole, retry bool
}

func (sc *stepClient) instances(ctx context.Context) error {
	resp, err := sc.send(ctx)
	if err != nil {
		return err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %d", errBaseline, resp.StatusCode)
	}
	var out benchPlainAnswer
	if sc.whole {
		buf := stepBuffers.Get().(*bytes.Buffer)
		defer stepBuffers.Put(buf)
		buf.Reset()
		if _, err := buf.ReadFrom(io.LimitReader(resp.Body, rocketchat.DefaultMaxResponseBytes+1)); err != nil {
			return err
		}
		err = jsonv2.Unmarshal(buf.Bytes(), &out)
	} else {
		err = jsonv2.UnmarshalRead(resp.Body, &out)
	}
	if err != nil {
		return err
	}
	if !out.Success || len(out.Instances) != 3 {
		return errBaseline
	}
	return nil
}

func (sc *stepClient) send(ctx context.Context) (*http.Response, error) {
	h := http.Header{
		"Accept":       {"application/json"},
		"User-Agent":   {rocketchat.DefaultUserAgent},
		"X-User-Id":    {benchUserID},
		"X-Auth-Token": {benchToken},
	}
	if sc.retry {
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, sc.bl.url, nil)
		if err != nil {
			return nil, err
		}
		req.Header = h
		return sc.rc.Do(req)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sc.bl.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header = h
	return sc.bl.hc.Do(req)
}

var stepBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// attemptTransport bounds each request as the SDK's transport does: a
// deadline on a copy of the request's context, ended when the body is
// closed.
type attemptTransport struct {
	base    http.RoundTripper
	timeout time.Duration
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithDeadline(req.Context(), time.Now().Add(t.timeout))
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// BenchmarkClientSide measures what a call costs on the client's side
// alone: the SDK's Instances and the bare v2 client against a transport
// that answers from memory, with no network and no server.
//
//	go test -run '^$' -bench '^BenchmarkClientSide$' -count 4
func BenchmarkClientSide(b *testing.B) {
	ctx := context.Background()
	hc := &http.Client{Transport: memoryTransport{body: benchAnswer(b, 3)}}
	b.Run("sdk", func(b *testing.B) {
		c, err := rocketchat.NewClient("http://127.0.0.1:3000", rocketchat.WithHTTPClient(hc),
			rocketchat.WithCredentials(rocketchat.Credentials{UserID: benchUserID, Token: benchToken}))
		if err != nil {
			b.Fatal(err)
		}
		call := sdkInstances(c, 3)
		b.ReportAllocs()
		for b.Loop() {
			if err := call(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("v2", func(b *testing.B) {
		bl := &baseline{hc: hc, url: "http://127.0.0.1:3000/api/v1/instances.get", v2: true}
		b.ReportAllocs()
		for b.Loop() {
			if got, err := bl.instances(ctx); err != nil || len(got) != 3 {
				b.Fatal(len(got), err)
			}
		}
	})
}

// memoryTransport answers every request with body.
type memoryTransport struct{ body []byte }

func (m memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       req,
	}, nil
}
