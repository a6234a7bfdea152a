// Package rocketchat is a typed client for the Rocket.Chat REST API, for
// servers from 3.10 to 8.x: cluster dashboards, health checks, bots, admin
// automation and exporters.
//
// # Usage
//
// Create one [Client] per server and share it; it is safe for concurrent
// use.
//
//	c, err := rocketchat.NewClient("https://chat.example.com",
//		rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}))
//	if err != nil {
//		return err
//	}
//	instances, err := c.Instances(ctx)
//
// A server under a sub-path works as it is: "https://example.com/chat".
// Pass the server's root URL: one that ends in /api or /api/v1 is
// refused, as is one without "http://" or "https://".
// Every method takes a context, which bounds the whole call, retries
// included; [WithTimeout] bounds each attempt.
//
// [Client.Instances] lists the members of a cluster as [Instance] values
// on every server generation: 3.10 to 5.x answer raw instance records, 6.0
// and later wrap them; the client tells the two apart item by item.
// Endpoints without a typed method are reached with [Client.Get],
// [Client.Post], [Client.Put] and [Client.Delete], which share the typed
// methods' authentication, retries, errors and 2FA handling.
//
// # Messages, rooms and users
//
// A bot posts with [Client.PostMessage] and reads, edits, deletes and
// reacts with [Client.Message], [Client.UpdateMessage],
// [Client.DeleteMessage] and [Client.React]. Rooms are found with
// [Client.Room], [Client.RoomByName] and [Client.Rooms]; users with
// [Client.User] and [Client.UserByName]; [Client.Statistics] reads the
// workspace's figures. Arguments that cannot succeed (an empty ID, a
// message with no room) are refused before anything is sent.
//
// The lists that the server pages are iterators: [Client.Channels],
// [Client.Users] and [Client.History] fetch 100 items a page, each page
// only when the loop reaches it, so a break sends no further request.
// An error, the context's included, ends the walk as the last pair:
//
//	for room, err := range c.Channels(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(room.Name)
//	}
//
// # Authentication
//
// Calls carry a user ID and a token, as the X-User-Id and X-Auth-Token
// headers. The token is either a personal access token, created in the
// user's account settings, or a login token:
//
//   - [WithCredentials] or [Client.SetCredentials] with a personal access
//     token is the right choice for programs that run unattended.
//   - [Client.Login] logs in with a username or e-mail and a password and
//     stores the new credentials in the client. Every login creates a new
//     token on the server, and servers cap how many a user may hold: log
//     in once, keep [Client.Credentials] in a secret store, and reuse them
//     on later runs, or log in again with [Client.Resume].
//   - [Client.Logout] ends the stored login token and clears it.
//   - [Client.Me] says whom the credentials belong to.
//
// [Client.SetCredentials] may be called while other goroutines use the
// client; no request ever carries the user ID of one pair and the token of
// another. The token does not print: [Credentials] redacts it for every
// fmt verb but %p and %w (which go vet flags), and for slog's text
// handler; see [Credentials] for the exceptions. Credentials holding CR,
// LF or NUL are refused by [WithCredentials]; set with
// [Client.SetCredentials], they make each call fail before sending.
//
// # Two-factor authentication
//
// A server may demand a second factor at login and on sensitive
// endpoints. Give the client a [TwoFactorHandler] with [WithTwoFactor]; it
// is asked for a code when needed and the request is repeated with it. A
// rejected code asks again, with [TwoFactorChallenge.Invalid] set, a few
// times at most; an e-mailed code is never sent twice. For method
// "password" the handler returns the user's password and the client sends
// its SHA-256, as the server expects. [TOTP] computes authenticator codes
// from the user's base32 secret, for bots on servers that enforce 2FA.
// Without a handler the call fails with an [*Error] matching
// [ErrTwoFactorRequired], whose TwoFactor field describes the challenge.
//
// # Errors
//
// Any failure answer from the server (a non-2xx status, or a 2xx body that
// says success:false) is an [*Error] with the status, the method, the
// endpoint's path, Rocket.Chat's error code and message. Match it with
// errors.Is against the sentinels, which compare status and code, never
// message text:
//
//	switch {
//	case errors.Is(err, rocketchat.ErrUnauthorized): // 401: log in again
//	case errors.Is(err, rocketchat.ErrForbidden):    // 403: a permission is missing
//	case errors.Is(err, rocketchat.ErrRateLimited):  // 429: see Error.RetryAfter
//	}
//
// or use errors.As to read the fields. A proxy's HTML page keeps its
// status and becomes a short printable message. Failures that left no
// answer (connection, timeout, a cancelled context) are not *Error: they
// wrap their cause, so errors.Is(err, context.DeadlineExceeded) works. A
// successful answer that is not what the endpoint returns (not JSON, cut
// short, a value of the wrong kind) matches [ErrInvalidResponse]; one
// larger than [WithMaxResponseBytes] matches [ErrResponseTooLarge]. Error
// strings are one line and never hold a token, a password, a 2FA code or
// a query string.
//
// # Retries and rate limits
//
// Failed calls are repeated up to 3 times by default ([WithRetry]).
// GET, HEAD, PUT and DELETE are repeated after connection failures and
// after 429, 500, 502, 503 and 504. POST is repeated only when the server
// provably did not run it: after a 429 (Rocket.Chat's rate limiter
// answers before the endpoint runs) or when no connection was made. So a
// request is sent at most 1 + max times. A 2FA repeat (at most 3 per
// call) is a new request with its own 1 + max: a call sends at most
// 4 × (1 + max) requests. Besides, net/http itself resends a GET (never a
// POST) on a new connection when a kept-alive one closes before any
// answer. No other resend happens below the client: a POST reaches the
// transport without the means to rewind its body, and a second send of
// one round trip on an HTTP/2 connection (which net/http makes after a
// stream reset) is stopped and left to the retry policy.
//
// After a 429 the client waits until the rate-limit window reopens, as
// X-RateLimit-Reset says, moved onto this machine's clock through the
// server's Date header; otherwise the wait grows exponentially with
// jitter, up to [WithRetry]'s cap. A known reset is never answered early:
// the wait lasts until the reset however far off (Rocket.Chat's default
// window is a minute, longer than the default cap), and a wait that would
// outlive the context's deadline is not started: the call returns the 429
// at once with [Error.RetryAfter] set. A wait longer than a second is
// logged at Info ([WithLogger]).
//
// Pacing ([WithPacing], on by default) keeps 429s from happening: a call
// to an endpoint whose window is known to be spent ([Client.RateLimit])
// waits for it to reopen before it is sent, by the same rule: when the
// window reopens after the context's deadline, the call returns at once,
// unsent, with a 429 [*Error] whose RetryAfter says when. To bound how
// long a call may wait for a window, give it a context deadline:
//
//	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
//	defer cancel()
//	_, err := c.PostMessage(ctx, msg)
//	var e *rocketchat.Error
//	if errors.As(err, &e) && errors.Is(err, rocketchat.ErrRateLimited) {
//		// not sent, or refused: the window reopens in e.RetryAfter
//	}
//
// # Security and resources
//
// Credentials and 2FA headers go only to the base URL's scheme, host and
// port: a redirect elsewhere, or from https to http, drops them, and a
// 307 or 308 that would carry a request body there (a login's password)
// is not followed: the call fails with the redirect as [*Error]. A
// redirect to another origin carries no Referer (net/http's holds the
// previous URL with its query). The
// optional logger ([WithLogger]) records method, endpoint, attempt,
// status and duration at debug level, never headers, bodies or queries.
// Every answer is read through a size bound and closed; error pages are
// drained so that connections are reused. The idle connections of a
// caller's transport are never closed by the client.
//
// # Testing
//
// Package [github.com/go-rocketchat/rocketchat/rocketchattest] is an
// in-process fake Rocket.Chat server of any generation, for your own
// tests. Mocks of http.DefaultTransport (gock.New) and wrappers installed
// on it apply to a client built without an *http.Client, before or after
// [NewClient]: it uses the default transport as it is at each call.
// A gock mock answers once, and the client repeats a failed GET: mock
// each attempt (.Times) or turn retries off with WithRetry(0, 0, 0).
// The README's "Testing your code" has the recipes.
package rocketchat
