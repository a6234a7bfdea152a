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
//   - The messaging, rooms, users and statistics endpoints the rocketchat
//     package calls ([Server.Endpoints] lists every endpoint a server
//     answers, for its generation). They answer from an in-memory store of users, rooms and messages that
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
//   - GET /api/v1/chat.syncMessages?roomId=&lastUpdate=: the room's
//     messages updated after lastUpdate (newest first) and those deleted
//     after it ({_id, _deletedAt}); GET /api/v1/rooms.get?updatedSince=:
//     the caller's rooms whose document changed since (a post, an edit of
//     the last message or a deletion moves a room's _updatedAt). These
//     are what a client catches up with after its WebSocket was down.
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
// # The realtime API
//
// The server also speaks the realtime API (DDP over a WebSocket) at
// <base path>/websocket, as the chosen generation does, from the same
// store:
//
//   - connect (connected with a session id, or failed for a version
//     neither side prefers), ping/pong both ways: the server pings a
//     session silent for an interval and closes (1000) one that answers
//     nothing within another ([WithRealtimeHeartbeat], 15 s by default);
//     Meteor's protocol errors for frames it cannot process. 3.x opens
//     with {"server_id":"0"}.
//   - the login method with {"resume": token} (any login token or
//     personal access token) or {user, password: {digest, algorithm:
//     "sha-256"}}, wrapped in {totp: {login, code}} for users with a
//     second factor (totp-required first). The result is {id, token,
//     tokenExpires: {"$date": ms}, type}; a refusal is 403 "You've been
//     logged out by the server. Please log in again." (or "User not
//     found", 6.x "Incorrect password" for a password) up to 6.x, 401
//     from 7.0. logout; other methods are unknown (404).
//   - subscriptions to stream-room-messages for a room the user can read
//     (a member, or any public channel) or __my_messages__ (every
//     accessible room's messages with args [message, {roomParticipant,
//     roomType, roomName}]), stream-notify-room <rid>/deleteMessage for
//     members, stream-notify-user for oneself: ready (after an added
//     frame with useCollection), or nosub for rooms the user may not see
//     (with a not-allowed error from 4.x, bare on 3.x); unsub answers
//     nosub. [WithRealtimeSubscriptionLimit] refuses subscriptions over a
//     limit with too-many-requests.
//   - every message posted, edited, reacted to or deleted, through REST
//     or [Server.AddMessage], is pushed to the subscribed sessions as a
//     changed frame, dates as EJSON {"$date": ms}: an edit re-sends the
//     message with editedAt and editedBy, a reaction without a new
//     editedAt, a thread reply its parent with tcount, tlm and replies;
//     a deletion is a <rid>/deleteMessage event with {_id}, or
//     with [WithShowDeletedStatus] an update with t:"rm".
//   - a session's frames wait in a bounded queue: publishing never blocks
//     the REST handlers, and a client that reads too slowly is dropped
//     ([WithRealtimeSendQueue]). Revoking a token ([Server.RevokeToken],
//     logout) closes the sessions logged in with it.
//
// # Faults
//
// [Server.Fail] makes the next calls to an endpoint fail the way
// networks and proxies do: an error status, a proxy's HTML page, a
// delay, a dropped connection or a body cut short. [Server.Requests]
// counts the calls an endpoint received, to check retries.
//
// On the realtime API, [Server.DropRealtime] closes every WebSocket at
// once without a closing handshake, as a server restart does, and
// [Server.SilenceRealtime] makes the open ones go silent (no events, no
// answers, no pongs, no pings) while they stay open, as a dead peer does;
// WebSockets opened afterwards are served normally.
// [Server.WaitSubscribed] returns once a user's session listens to room
// messages, so that a test posts only what a listening bot can hear.
//
// # Concurrency
//
// A Server is safe for concurrent use. Close ends pending fault delays,
// closes every connection and WebSocket and returns when all handlers
// have; no goroutine outlives it.
package rocketchattest
