package rocketchat

import (
	"net/http"
	"testing"
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
