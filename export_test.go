package rocketchat

import (
	"net/http"
	"testing"
	"time"
)

// UseOwnTransport makes clients built without a transport use tr in
// place of the tuned copy of the standard transport until the test ends,
// so that the fault suite can give it a test server's certificate.
func UseOwnTransport(t testing.TB, tr *http.Transport) {
	old := ownTransport
	ownTransport = func() *http.Transport { return tr }
	t.Cleanup(func() { ownTransport = old })
}

// OwnTransport is the tuned copy of the standard transport.
func OwnTransport() *http.Transport { return ownTransport() }

// ReadBody is readBody, the read of an answer into a buffer.
var ReadBody = readBody

// BodyBuffer is the pooled buffer an answer is read into.
type BodyBuffer = bodyBuffer

// ListenTuning sets the listener's timings and bounds until the test
// ends: heartbeats, reconnect waits and the caller's queue. Zero values
// keep the defaults. Tests that call it must not run in parallel.
type ListenTuning struct {
	PingAfter, DeadAfter   time.Duration
	BackoffMin, BackoffMax time.Duration
	MaxQueued              int
	ReadLimit              int64
}

func SetListenTuning(t testing.TB, lt ListenTuning) {
	old := listenTuning
	t.Cleanup(func() { listenTuning = old })
	set := func(dst *time.Duration, v time.Duration) {
		if v != 0 {
			*dst = v
		}
	}
	set(&listenTuning.pingAfter, lt.PingAfter)
	set(&listenTuning.deadAfter, lt.DeadAfter)
	set(&listenTuning.backoffMin, lt.BackoffMin)
	set(&listenTuning.backoffMax, lt.BackoffMax)
	if lt.MaxQueued != 0 {
		listenTuning.maxQueued = lt.MaxQueued
	}
	if lt.ReadLimit != 0 {
		listenTuning.readLimit = lt.ReadLimit
	}
}
