package rocketchat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"runtime"
	"testing"

	"github.com/go-rocketchat/rocketchat"
)

// TestDecodedSizeBounded: whatever an answer holds, one call allocates a
// small multiple of WithMaxResponseBytes. A cap-sized answer of minimal
// instances (an _id each, 12 bytes on the wire, some 300 bytes decoded)
// fails with ErrResponseTooLarge once the decoded values would pass the
// budget; one of empty items fails at the first, which is not an
// instance; an answer of real items that fits the cap decodes whole.
func TestDecodedSizeBounded(t *testing.T) {
	const limit = 1 << 20
	const allocBound = 8 * limit
	answer := func(item string, n int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"instances":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(item)
		}
		b.WriteString(`],"success":true}`)
		return b.Bytes()
	}
	const minimal, empty = `{"_id":"a"}`, `{}`
	real := string(readGoldenItem(t))
	tests := []struct {
		name  string
		body  []byte
		want  error
		count int
	}{
		{"minimal items", answer(minimal, limit/(len(minimal)+1)-10), rocketchat.ErrResponseTooLarge, 0},
		{"empty items", answer(empty, limit/(len(empty)+1)-10), rocketchat.ErrInvalidResponse, 0},
		{"real items", answer(real, limit/(len(real)+1)-10), nil, limit/(len(real)+1) - 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.body) > limit {
				t.Fatalf("the answer has %d bytes, more than the cap", len(tt.body))
			}
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(tt.body)
			})
			c := faultClient(t, srv.URL, rocketchat.WithMaxResponseBytes(limit))
			var got []rocketchat.Instance
			var err error
			alloc := allocatedDuring(func() { got, err = c.Instances(context.Background()) })
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if len(got) != tt.count {
				t.Errorf("got %d instances, want %d", len(got), tt.count)
			}
			if alloc > allocBound && !raceEnabled {
				t.Errorf("the call allocated %d KiB for a %d KiB answer, want at most %d KiB", alloc>>10, len(tt.body)>>10, allocBound>>10)
			}
		})
	}
}

// readGoldenItem is the first item of the 8.x golden answer, compacted.
func readGoldenItem(t *testing.T) []byte {
	t.Helper()
	var answer struct {
		Instances []json.RawMessage `json:"instances"`
	}
	data, err := os.ReadFile("testdata/instances_8x.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, answer.Instances[0]); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMeRejectsAnswerWithoutUser: a 200 whose body holds no user is not
// what /me answers.
func TestMeRejectsAnswerWithoutUser(t *testing.T) {
	for _, body := range []string{`null`, `{}`, `{"success":true}`, `[]`} {
		srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		})
		c := faultClient(t, srv.URL)
		u, err := c.Me(context.Background())
		if !errors.Is(err, rocketchat.ErrInvalidResponse) {
			t.Errorf("Me on %s = %+v, %v; want ErrInvalidResponse", body, u, err)
		}
	}
}

// TestDecodedSizeBoundedForPages: the paging calls' lists have the same
// bound as the instances list: a cap-sized page of empty users ends the
// walk with ErrResponseTooLarge within a small multiple of the cap.
func TestDecodedSizeBoundedForPages(t *testing.T) {
	const limit = 1 << 20
	var b bytes.Buffer
	b.WriteString(`{"users":[{}`)
	for b.Len() < limit-100 {
		b.WriteString(`,{}`)
	}
	b.WriteString(`],"count":100,"offset":0,"total":100,"success":true}`)
	srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b.Bytes())
	})
	c := faultClient(t, srv.URL, rocketchat.WithMaxResponseBytes(limit))
	var err error
	users := 0
	alloc := allocatedDuring(func() {
		for _, e := range c.Users(context.Background()) {
			if e != nil {
				err = e
				break
			}
			users++
		}
	})
	if !errors.Is(err, rocketchat.ErrResponseTooLarge) || users != 0 {
		t.Errorf("walk gave %d users and %v, want ErrResponseTooLarge first", users, err)
	}
	if alloc > 8*limit && !raceEnabled {
		t.Errorf("the walk allocated %d KiB for a %d KiB page", alloc>>10, b.Len()>>10)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
}

// TestReadBodyIntoFreshBuffer: an answer read into a new buffer (the
// first call, or one after the collector emptied the pool) costs about
// its own size, whatever that size: the buffer is not doubled, and the
// body copied again, for the read that finds the end. Sizes at a multiple
// of the allocator's 8 KiB pages leave no spare room to hide a doubling.
func TestReadBodyIntoFreshBuffer(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	for _, size := range []int{8 << 10, 35 * 8 << 10, 300_000} {
		body := bytes.Repeat([]byte{'x'}, size)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		resp := &http.Response{Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(size)}
		var buf rocketchat.BodyBuffer
		data, err := rocketchat.ReadBody(resp, rocketchat.DefaultMaxResponseBytes, &buf)
		runtime.ReadMemStats(&after)
		if err != nil || len(data) != size {
			t.Fatalf("%d bytes: read %d, %v", size, len(data), err)
		}
		// The body, rounded up to whole pages, and a few small objects.
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > uint64(size)+16<<10 {
			t.Errorf("reading %d bytes into a new buffer allocated %d bytes", size, allocated)
		}
	}
}
