// Package rocketchat is a typed client for Rocket.Chat's REST and realtime
// APIs, for servers from 3.10 to 8.x: cluster dashboards, health checks,
// bots, admin automation and exporters.
//
// Create one [Client] per server and share it; it is safe for concurrent
// use. Every method takes a context, which bounds the whole call, retries
// and rate-limit waits included.
//
//	c, err := rocketchat.NewClient("https://chat.example.com",
//		rocketchat.WithCredentials(rocketchat.Credentials{UserID: id, Token: token}))
//	if err != nil {
//		return err
//	}
//	instances, err := c.Instances(ctx)
//
// What there is to call:
//
//   - the cluster: [Client.Instances], [Client.ServerInfo], [Client.Statistics];
//   - logging in: [WithCredentials] (personal access tokens), [Client.Login],
//     [Client.Resume], [Client.Logout], [Client.Me], and 2FA with
//     [WithTwoFactor] and [TOTP];
//   - messages, rooms and users: [Client.PostMessage], [Client.History],
//     [Client.Rooms], [Client.Channels], [Client.Users] and the rest of
//     the typed calls; the paged lists are iterators;
//   - listening: [Client.Listen] yields messages as they happen, over the
//     realtime API, each posted message once across reconnects;
//   - any other endpoint: [Client.Get], [Client.Post], [Client.Put],
//     [Client.Delete], with the same authentication, retries, errors and 2FA;
//   - errors: an [*Error] for every failure answer, matched with errors.Is
//     against [ErrUnauthorized], [ErrForbidden], [ErrNotFound],
//     [ErrRateLimited], [ErrTwoFactorRequired] and [ErrTwoFactorInvalid].
//
// The README is the user's guide (authentication, errors, retries and
// pacing, testing your own code); GUARANTEES.md lists what holds under
// faults and bad input, each promise with the test that holds it. Package
// [github.com/go-rocketchat/rocketchat/rocketchattest] is an in-process
// fake Rocket.Chat server of any generation, for your own tests.
package rocketchat
