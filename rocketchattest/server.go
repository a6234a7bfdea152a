package rocketchattest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-rocketchat/rocketchat"
)

// Server is a fake Rocket.Chat server listening on a loopback address,
// in the manner of [httptest.Server]. Build one with [NewServer] and stop
// it with Close. All its methods are safe for concurrent use, also while
// requests are being served.
type Server struct {
	// URL is the server's base URL, what a client is configured with:
	// http://127.0.0.1:port, followed by the [WithBasePath] sub-path.
	URL string

	srv      *httptest.Server
	gen      generation
	basePath string
	now      func() time.Time
	started  time.Time

	rateLimitOff  bool
	defaultLimit  rateLimit
	rateLimits    map[string]rateLimit
	rememberFor   time.Duration
	emailCodeMax  int
	emailExpiry   time.Duration
	maxFaultDelay time.Duration

	// showDeletedStatus is Message_ShowDeletedStatus (WithShowDeletedStatus).
	showDeletedStatus bool
	// rt holds the realtime API's open WebSockets.
	rt realtime

	closing   chan struct{}
	closeOnce sync.Once

	// mux routes the built-in REST endpoints, registered as patterns.
	mux      *http.ServeMux
	patterns []string

	mu sync.Mutex
	// added holds the endpoints added with Handle, by name; they are
	// served before the mux is asked, so that one replaces a built-in
	// endpoint of the same name.
	added     map[string]http.Handler
	users     []*account
	tokens    map[string]*token
	instances []rocketchat.Instance
	twoFactor map[string]bool
	rules     map[string]*limiterRule
	faults    map[string][]*pendingFault
	requests  map[string]int
	calls     map[string][]*Call
	store     store
}

// NewServer starts a fake server configured by opts and returns it. Call
// Close when done, typically with t.Cleanup(srv.Close).
//
// NewServer panics when an option is invalid (an unreadable version, a
// duplicate username, a TOTP secret that is not base32) or when it
// cannot listen, as httptest.NewServer does: those are mistakes in the
// test, not conditions to handle.
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	gen, err := parseGeneration(cfg.version)
	if err != nil {
		panic(err)
	}
	s := &Server{
		gen:               gen,
		basePath:          normalizeBasePath(cfg.basePath),
		now:               cfg.now,
		rateLimitOff:      cfg.rateLimitOff,
		defaultLimit:      cfg.defaultLimit,
		rateLimits:        cfg.rateLimits,
		rememberFor:       cfg.rememberFor,
		emailCodeMax:      cfg.emailCodeMax,
		emailExpiry:       cfg.emailCodeExpiry,
		maxFaultDelay:     cfg.maxFaultDelay,
		showDeletedStatus: cfg.showDeletedStatus,
		rt: realtime{heartbeat: cfg.realtimeHeartbeat, queue: cfg.realtimeQueue, subLimit: cfg.realtimeSubLimit,
			conns: map[*rtConn]struct{}{}, subscribed: make(chan struct{})},
		closing:   make(chan struct{}),
		tokens:    map[string]*token{},
		twoFactor: map[string]bool{},
		rules:     map[string]*limiterRule{},
		faults:    map[string][]*pendingFault{},
		requests:  map[string]int{},
		calls:     map[string][]*Call{},
		added:     map[string]http.Handler{},
	}
	s.mux = s.newMux()
	s.started = s.now()
	s.store = newStore(s.started)
	if _, err := s.addUserLocked(rocketCat); err != nil {
		panic(err)
	}
	for _, u := range cfg.users {
		if _, err := s.addUserLocked(u); err != nil {
			panic(err)
		}
	}
	for _, r := range cfg.rooms {
		if _, err := s.addRoomLocked(r); err != nil {
			panic(err)
		}
	}
	for _, m := range cfg.messages {
		if _, err := s.addMessageLocked(m); err != nil {
			panic(err)
		}
	}
	if cfg.instancesSet {
		s.instances = cfg.instances
	} else {
		s.instances = defaultInstances(gen, s.started)
	}
	for _, p := range cfg.twoFactorPaths {
		s.twoFactor[endpointKey(p)] = true
	}

	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if cfg.listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = cfg.listener
	}
	if cfg.tls {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL + s.basePath
	return s
}

// Close stops the server: it ends any fault delay in progress, closes
// the listener and every connection, and waits for the handlers to
// return. No goroutine of the server outlives it. Close may be called
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.rt.shutdown()
		s.srv.Close()
	})
}

// Client returns an HTTP client configured for the server (it trusts
// the certificate under [WithTLS]), like [httptest.Server.Client].
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.srv.Listener.Addr() }

// Version returns the Rocket.Chat version the server claims.
func (s *Server) Version() string { return s.gen.version }

// Instances returns the cluster members instances.get lists, exactly as
// configured with [WithInstances] or [Server.SetInstances] (or the
// default cluster), as a copy. The wire keeps less than an Instance
// holds, so a client decoding instances.get reads these members with
// some fields changed; [Server.DecodedInstances] returns them as it reads
// them.
func (s *Server) Instances() []rocketchat.Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.instances)
}

// SetInstances replaces the cluster members instances.get lists, e.g. to
// make a member go away between two calls.
func (s *Server) SetInstances(members ...rocketchat.Instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.instances = slices.Clone(members)
}

// RequireTwoFactor marks endpoints, named relative to /api (e.g.
// "v1/instances.get"), as requiring a second factor, as the server's
// twoFactorRequired route option does. Such an endpoint answers HTTP 400
// totp-required until a call carries X-2fa-Code and X-2fa-Method with a
// valid code: a TOTP or email code for users who have those, else
// (method "password") the lowercase hex SHA-256 of the password. A
// passed check is remembered for the token and client; see
// [WithTwoFactorRememberFor].
func (s *Server) RequireTwoFactor(endpoints ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range endpoints {
		s.twoFactor[endpointKey(e)] = true
	}
}

// Requests returns how many requests reached the endpoint, named
// relative to /api ("v1/login", "info"; a leading "/api/" is accepted),
// whatever their method and answer, faults included. Tests use it to
// check how often a client retried.
func (s *Server) Requests(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[endpointKey(endpoint)]
}

// endpointKey names an endpoint the way this package's methods take it:
// relative to /api, without a leading slash.
func endpointKey(p string) string {
	p = strings.TrimLeft(p, "/")
	p = strings.TrimPrefix(p, "api/")
	return p
}

// normalizeBasePath turns "chat", "/chat/" and "/chat" into "/chat", and
// "/" into "".
func normalizeBasePath(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// serveHTTP is the entry of every request: it stamps the Date header by
// the server's clock, counts and records the request, lets a pending
// fault answer, and routes the rest.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.setDate(w)
	if p := r.URL.Path; p == s.basePath+"/websocket" || p == s.basePath+"/websocket/" {
		s.serveWebSocket(w, r)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, s.basePath)
	key, isAPI := strings.CutPrefix(path, "/api/")
	if !ok || !isAPI {
		s.gen.writeNotFound(w)
		return
	}
	body := readBody(r)
	rw := &statusRecorder{ResponseWriter: w}
	s.mu.Lock()
	s.requests[key]++
	call := s.recordCallLocked(key, r, body)
	f := s.takeFaultLocked(key)
	added := s.added[key]
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		call.Status = rw.status
		if f != nil && f.Truncate && f.Status != 0 && !f.Drop {
			call.Status = f.Status
		}
		s.mu.Unlock()
	}()
	if f != nil && s.applyFault(rw, r, f) {
		return
	}
	r = withRequestContext(r, &requestContext{key: key, call: call, ip: remoteIP(r)})
	if added != nil {
		added.ServeHTTP(rw, r)
		return
	}
	if s.basePath != "" {
		// The mux's patterns are below the root, as http.StripPrefix
		// hands them on.
		u := *r.URL
		u.Path, u.RawPath = path, ""
		r.URL = &u
	}
	s.mux.ServeHTTP(rw, r)
}

// setDate stamps the Date header from the server's clock, so that a
// client computing a wait from X-RateLimit-Reset against Date sees the
// same clock the limiter uses.
func (s *Server) setDate(w http.ResponseWriter) {
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
}

// remoteIP is the client address the rate limiter keys on: X-Real-IP
// when a proxy set it, as the server reads it, else the peer address.
func remoteIP(r *http.Request) string {
	if ip := r.Header.Get("X-Real-Ip"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
