package rocketchat_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the test binary when a goroutine outlives the tests:
// DESIGN.md promises that no goroutine outlives a call. The internal
// (package rocketchat) and external tests share this binary, so this is
// the only TestMain of the package.
//
// No goroutine is ignored. The clients' idle keep-alive connections
// (net/http's persistConn read and write loops) end when the tests'
// httptest servers close them in Close, so every test closes its
// servers; the fault suite also checks each case on its own
// (goleak.VerifyNone when the subtest's servers are closed).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
