package rocketchat

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the version of this module; the default User-Agent names it.
const Version = "0.1.0"

// Defaults for the options.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultRetryMax         = 3
	DefaultRetryWaitMin     = 500 * time.Millisecond
	DefaultRetryWaitMax     = 30 * time.Second
	DefaultMaxResponseBytes = 32 << 20
	DefaultUserAgent        = "go-rocketchat/" + Version
)

// Client calls the REST API of one Rocket.Chat server. It is safe for
// concurrent use by multiple goroutines; create one per server and share
// it.
type Client struct {
	origin  *url.URL // scheme, host and port that may receive credentials
	apiBase string   // the base URL's path joined with "/api/", as a string prefix
	apiPath string   // the same, path only, for building Error.Endpoint

	creds atomic.Pointer[Credentials]

	http      *retryablehttp.Client
	limits    limits
	roomTypes roomTypes // learnt by History
	settings
}

// settings are the options that calls read: one copy, made by NewClient
// from the configuration the options wrote.
type settings struct {
	logger    *slog.Logger // nil: silent
	userAgent string
	twoFactor TwoFactorHandler
	maxBytes  int64
	retryMax  int
	waitMin   time.Duration
	waitMax   time.Duration
	pacing    bool
}

// Option configures a Client. Options write into a configuration that
// NewClient validates as a whole, so their order never matters.
type Option func(*config) error

type config struct {
	settings
	// Used only to build the client.
	creds      Credentials
	httpClient *http.Client
	timeout    time.Duration
}

// WithCredentials sets the credentials sent with every call: a user ID
// with a login token or a personal access token. A user ID or token that
// cannot be sent as a header value (it holds CR, LF, NUL or another
// control character, as a token read from a file with its line end would)
// is refused.
func WithCredentials(c Credentials) Option {
	return func(cfg *config) error {
		if err := c.check(); err != nil {
			return fmt.Errorf("WithCredentials: %w", err)
		}
		cfg.creds = c
		return nil
	}
}

// WithHTTPClient sets the HTTP client underneath, for its transport (TLS
// settings, proxies) and redirect policy. The client is copied, never
// changed; its Timeout is replaced by the per-attempt timeout. A nil
// Transport means http.DefaultTransport as it is at each call, as for
// http.DefaultClient: http.DefaultClient itself works, and so does a
// mock that replaces http.DefaultTransport (gock.New). The client never
// closes the idle connections of the caller's transport.
func WithHTTPClient(hc *http.Client) Option {
	return func(cfg *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		cfg.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each attempt of a call, from sending the request to
// reading the whole answer, and each WebSocket handshake of
// [Client.Listen]. Default: 30 s. The context bounds the call as a whole,
// retries included.
func WithTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("WithTimeout: %v is not positive", d)
		}
		cfg.timeout = d
		return nil
	}
}

// WithRetry sets how many times a failed call may be repeated (max 0
// turns retries off) and the bounds of the backoff between attempts.
// Default: 3 repeats, waits from 500 ms to 30 s. The bounds do not apply
// to a rate-limit wait: after a 429 that says when the server's window
// reopens, the repeat waits until then, however far off (Rocket.Chat's
// default window is a minute), unless the context's deadline comes
// first; then the 429 is returned at once. Bound such waits with a
// context deadline.
func WithRetry(max int, waitMin, waitMax time.Duration) Option {
	return func(cfg *config) error {
		if max < 0 || waitMin < 0 || waitMax < waitMin {
			return fmt.Errorf("WithRetry: need max >= 0 and 0 <= waitMin <= waitMax, got %d, %v, %v", max, waitMin, waitMax)
		}
		cfg.retryMax, cfg.waitMin, cfg.waitMax = max, waitMin, waitMax
		return nil
	}
}

// WithLogger makes the client log each attempt at debug level: method,
// endpoint, attempt, status and duration, never headers or bodies; and,
// at Info, every rate-limit wait longer than a second (pacing or after a
// 429) before it starts: method, endpoint and the wait. Default: silent.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) error {
		cfg.logger = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header. Default: DefaultUserAgent.
func WithUserAgent(ua string) Option {
	return func(cfg *config) error {
		if ua == "" || !validHeaderValue(ua) {
			return errors.New("WithUserAgent: empty, or holds CR, LF, NUL or another control character")
		}
		cfg.userAgent = ua
		return nil
	}
}

// WithTwoFactor sets the handler asked for a second-factor code when the
// server demands one, at login or on any endpoint.
func WithTwoFactor(h TwoFactorHandler) Option {
	return func(cfg *config) error {
		cfg.twoFactor = h
		return nil
	}
}

// WithMaxResponseBytes bounds how much of any answer is read, counted
// after decompression. A larger answer fails the call with
// ErrResponseTooLarge. Default: 32 MiB.
func WithMaxResponseBytes(n int64) Option {
	return func(cfg *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d is not positive", n)
		}
		cfg.maxBytes = n
		return nil
	}
}

// NewClient returns a client for the server at baseURL, such as
// "https://chat.example.com" or, under a sub-path,
// "https://example.com/chat". It rejects a URL that is not absolute http
// or https with a host ("localhost:3000" lacks its "http://"), one with
// user info, a query or a fragment, one that ends in /api or /api/v1
// (the client adds those), and any invalid option. Its errors never show
// the URL's user info, password or query. Nothing is sent.
//
// Without [WithHTTPClient], calls go through http.DefaultTransport as it
// is at the time of each call, so a mock (gock.New) or a tracing wrapper
// installed on it before or after NewClient sees them. While it is
// net/http's standard transport, the client uses a copy of it that keeps
// more idle connections per server (64), shared by every client of the
// program.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	cfg := config{
		timeout: DefaultTimeout,
		settings: settings{
			retryMax:  DefaultRetryMax,
			waitMin:   DefaultRetryWaitMin,
			waitMax:   DefaultRetryWaitMax,
			userAgent: DefaultUserAgent,
			maxBytes:  DefaultMaxResponseBytes,
			pacing:    true,
		},
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("rocketchat: %w", err)
		}
	}

	apiPath := strings.TrimSuffix(base.EscapedPath(), "/") + "/api/"
	c := &Client{
		origin:   &url.URL{Scheme: base.Scheme, Host: base.Host},
		apiBase:  base.Scheme + "://" + base.Host + apiPath,
		apiPath:  apiPath,
		settings: cfg.settings,
	}
	if !cfg.creds.IsZero() {
		c.SetCredentials(cfg.creds)
	}
	c.http = c.newRetryClient(c.newHTTPClient(cfg.httpClient, cfg.timeout))
	return c, nil
}

// parseBaseURL checks that s is an absolute http(s) URL with a host and
// no user info, query or fragment. Its errors never quote those parts,
// which may hold a password or a token.
func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("rocketchat: empty base URL")
	}
	if !strings.Contains(s, "://") {
		// url.Parse reads "localhost:3000" as scheme "localhost".
		return nil, fmt.Errorf("rocketchat: base URL %q has no scheme: add http:// or https://", redactRawURL(s))
	}
	u, err := url.Parse(s)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error quotes the whole URL
		}
		return nil, fmt.Errorf("rocketchat: invalid base URL %q: %v", redactRawURL(s), err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("rocketchat: base URL %q: scheme must be http or https", redactURL(u))
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("rocketchat: base URL %q has no host", redactURL(u))
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("rocketchat: base URL %q: no user info, query or fragment allowed", redactURL(u))
	}
	// The client adds /api/v1/... itself; a base URL that already ends
	// in it would make every call go to /api/v1/api/v1/... (404).
	trimmed := strings.TrimRight(u.Path, "/")
	for _, suffix := range []string{"/api/v1", "/api"} {
		if strings.HasSuffix(trimmed, suffix) {
			root := *u
			root.Path, root.RawPath = strings.TrimSuffix(trimmed, suffix), ""
			return nil, fmt.Errorf("rocketchat: base URL %q ends in %s: pass the server's root URL, %q; the client adds %s itself",
				redactURL(u), suffix, redactURL(&root), suffix)
		}
	}
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// redactURL prints a URL without user info, query or fragment.
func redactURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// redactRawURL shows a URL that did not parse without its query,
// fragment and user info: cut at the first '?' or '#', and whatever
// precedes an '@' in the authority replaced by "…".
func redactRawURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	scheme, rest := "", s
	if i := strings.Index(s, "://"); i >= 0 {
		scheme, rest = s[:i+3], s[i+3:]
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 && scheme != "" {
		authority, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = "…@" + authority[i+1:]
	}
	return scheme + authority + path
}
