package rocketchattest

import (
	"net"
	"time"

	"github.com/go-rocketchat/rocketchat"
)

// Option configures a [Server] built by [NewServer]. Options apply in
// order; a later one overrides an earlier one where they overlap.
type Option func(*config)

// config is what the options write; NewServer reads it once.
type config struct {
	version         string
	basePath        string
	users           []User
	rooms           []Room
	messages        []Message
	instances       []rocketchat.Instance
	instancesSet    bool
	now             func() time.Time
	rateLimits      map[string]rateLimit
	defaultLimit    rateLimit
	rateLimitOff    bool
	twoFactorPaths  []string
	rememberFor     time.Duration
	emailCodeMax    int
	listener        net.Listener
	tls             bool
	maxFaultDelay   time.Duration
	emailCodeExpiry time.Duration

	realtimeHeartbeat time.Duration
	realtimeQueue     int
	realtimeSubLimit  rateLimit
	showDeletedStatus bool
}

// rateLimit is a limiter rule: limit calls per window. A limit of 0 means
// the route is not limited.
type rateLimit struct {
	limit  int
	window time.Duration
}

func defaultConfig() config {
	return config{
		version:  DefaultVersion,
		now:      time.Now,
		basePath: "",
		// API_Enable_Rate_Limiter_Limit_Calls_Default and
		// API_Enable_Rate_Limiter_Limit_Time_Default.
		defaultLimit: rateLimit{limit: 10, window: time.Minute},
		rateLimits:   map[string]rateLimit{},
		// Accounts_TwoFactorAuthentication_RememberFor.
		rememberFor: 30 * time.Minute,
		// Accounts_TwoFactorAuthentication_Max_Invalid_Email_Code_Attempts.
		emailCodeMax: 5,
		// Accounts_TwoFactorAuthentication_By_Email_Code_Expiration.
		emailCodeExpiry: time.Hour,
		maxFaultDelay:   time.Minute,
		// Meteor's DDP server: heartbeatInterval and heartbeatTimeout.
		realtimeHeartbeat: 15 * time.Second,
		realtimeQueue:     defaultRealtimeQueue,
	}
}

// WithVersion makes the server answer as that Rocket.Chat release does,
// e.g. "3.18.7", "5.4.2", "6.13.1", "8.8.1" or "9.0.0" (the announced 9.0
// envelopes). The default is [DefaultVersion]. NewServer panics on a
// version it cannot read or one older than 3.0.
func WithVersion(version string) Option {
	return func(c *config) { c.version = version }
}

// WithBasePath serves the API under a sub-path, as a server whose site
// URL is https://example.com/chat does: WithBasePath("/chat") answers
// /chat/api/info, and [Server.URL] ends in /chat.
func WithBasePath(path string) Option {
	return func(c *config) { c.basePath = path }
}

// WithUser adds an account. It may be given many times.
func WithUser(u User) Option {
	return func(c *config) { c.users = append(c.users, u) }
}

// WithInstances sets the cluster members that instances.get lists, in
// the order given. The member with Local set is the one answering. With
// no instances given, the server lists a realistic three-member cluster
// (see [Server.Instances]); WithInstances() with none lists an empty
// cluster.
func WithInstances(members ...rocketchat.Instance) Option {
	return func(c *config) {
		c.instances = append([]rocketchat.Instance(nil), members...)
		c.instancesSet = true
	}
}

// WithClock makes the server read time from now instead of the system
// clock: the Date header, X-RateLimit-Reset, rate-limit windows, TOTP
// codes and email-code expiry all follow it, so tests can move time
// forward instead of sleeping. now must be safe for concurrent use.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithRateLimit limits one route, e.g. "v1/login" or "v1/instances.get",
// to n calls per window per client address and method. n <= 0 removes
// the limit from that route. Every v1 route is limited to 10 calls per
// minute by default, as the server's default settings do; /api/info is
// never limited.
func WithRateLimit(route string, n int, window time.Duration) Option {
	return func(c *config) { c.rateLimits[endpointKey(route)] = rateLimit{limit: max(n, 0), window: window} }
}

// WithDefaultRateLimit changes the limit of every v1 route that has no
// [WithRateLimit] of its own: n calls per window. n <= 0 turns the
// default off, leaving only the routes named by WithRateLimit limited.
func WithDefaultRateLimit(n int, window time.Duration) Option {
	return func(c *config) { c.defaultLimit = rateLimit{limit: max(n, 0), window: window} }
}

// WithoutRateLimit turns the rate limiter off, as the
// API_Enable_Rate_Limiter setting does.
func WithoutRateLimit() Option {
	return func(c *config) { c.rateLimitOff = true }
}

// WithTwoFactor marks endpoints, e.g. "v1/instances.get", as requiring a
// second factor; see [Server.RequireTwoFactor].
func WithTwoFactor(endpoints ...string) Option {
	return func(c *config) { c.twoFactorPaths = append(c.twoFactorPaths, endpoints...) }
}

// WithTwoFactorRememberFor sets how long a passed second factor is
// remembered for the same token and client (User-Agent and address), as
// Accounts_TwoFactorAuthentication_RememberFor does; the default is 30
// minutes. 0 asks for a code on every call.
func WithTwoFactorRememberFor(d time.Duration) Option {
	return func(c *config) { c.rememberFor = max(d, 0) }
}

// WithListener serves on l instead of a new loopback listener, e.g. to
// serve on a fixed address. The server closes l on Close.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.listener = l }
}

// WithTLS serves HTTPS with httptest's self-signed certificate;
// [Server.Client] trusts it.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithMaxFaultDelay bounds the delay of any [Fault] (one minute by
// default), so that a mistaken delay cannot stall a test run.
func WithMaxFaultDelay(d time.Duration) Option {
	return func(c *config) { c.maxFaultDelay = max(d, 0) }
}
