package rocketchattest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
)

// Call is one request an endpoint received, as [Server.Calls] reports
// it.
type Call struct {
	Method string
	Query  url.Values
	Header http.Header
	// Body is the request body as sent (up to 1 MiB, what the server
	// reads).
	Body []byte
	// UserID is the authenticated caller; "" when the call carried no
	// valid credentials or the endpoint does not read them (login), or a
	// fault answered before authentication.
	UserID string
	// Status is what the server answered; 0 while the call is still being
	// served, or when a fault dropped the connection.
	Status int
}

// maxBody bounds what the server reads of a request body.
const maxBody = 1 << 20

// Calls returns every request the endpoint received, in the order they
// arrived, named as [Server.Requests] takes it ("v1/chat.postMessage"; a
// leading "/api/" is accepted). Built-in and added routes are recorded
// alike, faults and refusals included. The result is a copy.
func (s *Server) Calls(endpoint string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.calls[endpointKey(endpoint)]
	out := make([]Call, len(recs))
	for i, c := range recs {
		out[i] = *c
		out[i].Query = cloneValues(c.Query)
		out[i].Header = c.Header.Clone()
		out[i].Body = slices.Clone(c.Body)
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// recordCallLocked stores the request's call record and gives the
// request a body that can be read again; the caller holds s.mu.
func (s *Server) recordCallLocked(key string, r *http.Request, body []byte) *Call {
	c := &Call{
		Method: r.Method,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Body:   body,
	}
	s.calls[key] = append(s.calls[key], c)
	return c
}

// readBody reads the request body up to maxBody and puts a fresh reader
// back, so that handlers read it as sent.
func readBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// statusRecorder remembers the status a handler wrote, for Calls. It
// passes Hijack and Flush through (Unwrap) so that faults can still cut
// connections.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack lets a hijacked fault write its own status line (a body cut
// short) while Calls still learns nothing was answered normally.
func (w *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
