package rocketchattest

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a failure the server plays instead of (or before) its answer,
// as a flaky network, a slow server or a reverse proxy in front of
// Rocket.Chat would. Queue faults with [Server.Fail]; build them with the
// Fault functions or as a literal.
//
// The parts act in this order: wait Delay; then drop the connection if
// Drop is set; else send Status with Body (cut short if Truncate is
// set); with no Status, answer normally after the delay.
type Fault struct {
	// Status is the HTTP status to answer with; 0 answers normally.
	Status int
	// Body is sent with Status.
	Body string
	// Header holds headers to send with Status. A missing Content-Type is
	// guessed from Body: JSON if it starts with "{" or "[", else HTML if
	// it starts with "<", else plain text.
	Header http.Header
	// Delay is waited before anything else. The wait ends early when the
	// client gives up or the server closes, and never exceeds the bound
	// set by [WithMaxFaultDelay].
	Delay time.Duration
	// Drop closes the connection without an answer, as a crashed server
	// or a reset connection does.
	Drop bool
	// Truncate announces Body's full length in Content-Length, sends half
	// of it, and closes the connection: a body cut short.
	Truncate bool
}

// FaultStatus answers with a status and body, e.g.
// FaultStatus(503, `{"success":false,"error":"Service Unavailable"}`).
func FaultStatus(status int, body string) Fault {
	return Fault{Status: status, Body: body}
}

// FaultHTML answers with a reverse proxy's HTML error page, e.g. a 502
// from nginx in front of a stopped server.
func FaultHTML(status int) Fault {
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return Fault{Status: status, Body: "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" +
		text + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
		Header: http.Header{"Content-Type": {"text/html"}, "Server": {"nginx"}}}
}

// FaultDelay answers normally after d, or not at all if the client gives
// up first.
func FaultDelay(d time.Duration) Fault {
	return Fault{Delay: d}
}

// FaultDrop closes the connection without answering.
func FaultDrop() Fault {
	return Fault{Drop: true}
}

// FaultTruncated answers with status and a body cut in half, its
// Content-Length announcing the whole.
func FaultTruncated(status int, body string) Fault {
	return Fault{Status: status, Body: body, Truncate: true}
}

// pendingFault is a queued fault and how many more calls it fails.
type pendingFault struct {
	fault Fault
	left  int // < 0: every call
}

// Fail makes the next n calls to the endpoint, named relative to /api
// ("v1/instances.get"; a leading "/api/" is accepted), play f instead of
// reaching the server: no authentication, no rate limit, nothing counted
// but [Server.Requests]. n <= 0 fails every call until [Server.ClearFaults].
// Faults queued for the same endpoint play one after the other.
func (s *Server) Fail(endpoint string, n int, f Fault) {
	if n <= 0 {
		n = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := endpointKey(endpoint)
	s.faults[key] = append(s.faults[key], &pendingFault{fault: f, left: n})
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*pendingFault{}
}

// takeFaultLocked returns the fault for this call, if any.
func (s *Server) takeFaultLocked(key string) *Fault {
	q := s.faults[key]
	if len(q) == 0 {
		return nil
	}
	p := q[0]
	f := p.fault
	if p.left > 0 {
		p.left--
		if p.left == 0 {
			s.faults[key] = q[1:]
		}
	}
	return &f
}

// applyFault plays f and reports whether it answered (or ended) the
// request; false means the request goes on to the server.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		d := min(f.Delay, s.maxFaultDelay)
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		case <-s.closing:
			// A server going away drops its connections.
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return true
		}
		s.setDate(w)
	}
	if f.Drop {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return true
	}
	if f.Status == 0 {
		return false
	}
	h := w.Header()
	for k, vs := range f.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", guessContentType(f.Body))
	}
	if f.Truncate {
		s.writeTruncated(w, f)
		return true
	}
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(f.Status)
	w.Write([]byte(f.Body))
	return true
}

// writeTruncated writes the answer by hand on the hijacked connection,
// since net/http refuses to send less than the Content-Length it was
// told.
func (s *Server) writeTruncated(w http.ResponseWriter, f *Fault) {
	h := w.Header().Clone()
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	h.Set("Connection", "close")
	bw := bufio.NewWriter(conn)
	if buf != nil {
		bw = buf.Writer
	}
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", f.Status, http.StatusText(f.Status))
	h.Write(bw)
	bw.WriteString("\r\n")
	bw.WriteString(f.Body[:len(f.Body)/2])
	bw.Flush()
}

func guessContentType(body string) string {
	b := strings.TrimSpace(body)
	switch {
	case strings.HasPrefix(b, "{"), strings.HasPrefix(b, "["):
		return "application/json"
	case strings.HasPrefix(b, "<"):
		return "text/html; charset=utf-8"
	default:
		return "text/plain; charset=utf-8"
	}
}
