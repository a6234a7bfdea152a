// Package rocketchattest provides a fake Rocket.Chat server for tests,
// in the spirit of net/http/httptest: [NewServer] starts a real HTTP
// server on a loopback address that answers the REST endpoints the
// rocketchat package covers the way a real server of a chosen release
// does, byte for byte where it matters: status codes, envelopes, error
// codes, headers and the shape of every generation's instance list.
//
// It serves the SDK's own tests, the examples' demo mode, and your tests
// of code that talks to Rocket.Chat, without a Rocket.Chat, a MongoDB or
// a network.
//
// # Usage
//
//	srv := rocketchattest.NewServer(
//		rocketchattest.WithVersion("6.13.1"),
//		rocketchattest.WithUser(rocketchattest.User{Username: "admin", Password: "secret", Roles: []string{"admin"}}),
//		rocketchattest.WithUser(rocketchattest.User{Username: "bob", Password: "bobpass"}),
//	)
//	t.Cleanup(srv.Close)
//
//	// Point the code under test at srv.URL; or skip the login:
//	userID, token := srv.PersonalAccessToken("admin")
//
// # Endpoints
//
//   - POST /api/v1/login: by user (an @ means an email), username or email
//     with a password, or by resume token; 2FA codes in the body's
//     "code" or the X-2fa-Code header. Each password login issues a new
//     token ([Server.Tokens] counts them).
//   - POST /api/v1/logout (GET too): the token dies.
//   - GET /api/v1/me: the user, flat.
//   - GET /api/info: the version, in full for callers holding
//     view-statistics (3.x: info.version for admins only).
//   - GET /api/v1/instances.get: needs view-statistics; the raw records
//     up to 5.x, the 6.0+ wrapper after ([WithInstances]).
//   - chat.postMessage, chat.getMessage, chat.update, chat.delete,
//     chat.react; rooms.info, rooms.get; channels.list, channels.create,
//     channels.history, groups.history, im.history (and dm.history),
//     im.create (and dm.create); users.info, users.list; statistics. They
//     answer from an in-memory store of users, rooms and messages that
//     starts with the public #general (ID "GENERAL") and the rocket.cat
//     bot, with the server's permissions and refusals: authors edit and
//     delete their own messages, admins and a room's creator anyone's;
//     read-only rooms take messages from those only; statistics without
//     view-statistics answers 400 "error-not-allowed"; an unknown room
//     answers 400 error-room-not-found (invalid-channel when posting).
//     Lists page by count and offset (50 by default, at most 100, 0 for
//     all) and say their total; histories list newest first (20 by
//     default and no cap before 6.0). Seed the store with [WithRoom],
//     [WithMessage], [Server.AddRoom] and [Server.AddMessage]; read it
//     back with [Server.Messages].
//
// Anything else answers 404 as the server's router does, unless a test
// adds it with [Server.Handle].
//
// # Your own endpoints, and what was called
//
// [Server.Handle] and [Server.HandleFunc] serve any endpoint behind the
// same authentication, rate limiter, second factor and faults as the
// built-in ones (and replace a built-in one of the same name); in the
// handler, [CallerOf] names the authenticated user, and [WriteSuccess]
// and [WriteFailure] write the server's envelopes. [Server.Calls] lists
// every request an endpoint received, built-in or added: method, query,
// headers, body, caller and the status answered. Every v1 route
// requires both X-User-Id and X-Auth-Token, naming the same user, except
// login; /api/info reads them when present.
//
// # Generations
//
// [WithVersion] picks the release to imitate; the default is
// [DefaultVersion]. What changes with it:
//
//   - 3.10 to 5.x: instances.get lists raw instance records, the other
//     members with a connection object; 401 is Restivus's
//     {"status":"error","message":"You must be logged in to do this."};
//     403 is {"success":false,"error":"unauthorized"}; login answers have
//     no "success" key; a known path called with another method answers
//     405. Up to 3.x, /api/info tells anyone the full version and admins
//     get only {"info":{...}}; from 4.0 anonymous callers get major.minor.
//   - 6.x: instances.get wraps each record; 401 and 403 as 5.x; unknown
//     methods answer 404.
//   - 7.x and 8.x: the 401 body merges both envelopes ("success":false
//     and "error" added); login answers carry "success"; 403 says
//     "User does not have the permissions required for this action
//     [error-unauthorized]". From 8.0 the permission check runs before
//     the rate limiter.
//   - 9.0 (announced): 401 is {"success":false,"error":"You must be
//     logged in to do this."} and a failed login only
//     {"success":false,"error":"unauthorized"}.
//
// # Users, permissions and two-factor authentication
//
// Accounts come from [WithUser] or [Server.AddUser]; see [User].Roles
// for what each role may do. [User] Permissions add more. A user with a TOTPSecret or an
// EmailCode2FA must pass a second factor at login (401 totp-required,
// then totp-invalid for a wrong code). Endpoints marked with
// [Server.RequireTwoFactor] answer 400 with errorType totp-required until
// the call carries X-2fa-Code and X-2fa-Method; users without TOTP or
// email 2FA then give the SHA-256 of their password (method "password").
//
// # Rate limits
//
// As on a real server, every v1 route is limited per route, method and
// client address (10 calls a minute by default; X-Real-IP names the
// client when set), the X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset headers (epoch milliseconds) come with each limited
// answer, and 429 says how many seconds to wait. As in Meteor's
// RateLimiter, a route's window is shared by all clients, starts when
// the server does, restarts at the first call after it ran out, and is
// counted in whole milliseconds; X-RateLimit-Reset is its end. Callers holding
// api-bypass-rate-limit are exempt and get no headers; login is always
// limited. Configure it with [WithRateLimit], [WithDefaultRateLimit] and
// [WithoutRateLimit]. With [WithClock] the limiter, the Date header and
// TOTP codes follow a clock the test controls, so no test needs to
// sleep.
//
// # Faults
//
// [Server.Fail] makes the next calls to an endpoint fail the way
// networks and proxies do: an error status, a proxy's HTML page, a
// delay, a dropped connection or a body cut short. [Server.Requests]
// counts the calls an endpoint received, to check retries.
//
// # Concurrency
//
// A Server is safe for concurrent use. Close ends pending fault delays,
// closes every connection and returns when all handlers have; no
// goroutine outlives it.
package rocketchattest
