package rocketchattest

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultVersion is the server version a [Server] claims when no
// [WithVersion] option is given: the newest released generation.
const DefaultVersion = "8.8.1"

// generation holds the answers that changed between Rocket.Chat
// releases, derived once from the version the server claims. Each flag
// names the behaviour, not the release, so the handlers read as the
// rules they follow; the release boundaries live only here.
type generation struct {
	version             string // as given: "5.4.2"
	major, minor, patch int

	// hasInstances: instances.get exists (added in 3.10).
	hasInstances bool
	// rawInstances: instances.get lists the raw instance records, with a
	// connection object for the other members (3.10 to 5.x); 6.0 wraps
	// each record (PR #27969).
	rawInstances bool
	// restivus: the route table is Restivus's (up to 5.x), which answers a
	// known path called with the wrong method with 405 instead of 404.
	restivus bool
	// hono: unknown routes fall to the Hono router's default 404 page
	// (7.x and later); before, they fall through to the web app.
	hono bool
	// unauthorizedLegacy: "not logged in" is the Restivus body alone
	// {"status":"error","message":...} (up to 6.x).
	unauthorizedLegacy bool
	// unauthorizedMerged: the Restivus keys plus success/error (7.x, 8.x).
	// When neither flag is set, the 9.0 envelope {"success":false,"error":...}.
	unauthorizedMerged bool
	// forbiddenLegacy: 403 says {"success":false,"error":"unauthorized"}
	// (up to 6.x), later "... [error-unauthorized]".
	forbiddenLegacy bool
	// loginSuccessKey: login answers carry "success" (7.x and later).
	loginSuccessKey bool
	// loginErrorDetailed: a failed login says why (error, message,
	// details); 9.0 answers only {"success":false,"error":"unauthorized"}.
	loginErrorDetailed bool
	// infoTrimmed: anonymous /api/info gets major.minor only (4.0 and
	// later); 3.x tells anyone the full version.
	infoTrimmed bool
	// infoAdminVersion: a caller allowed to view statistics also gets the
	// top-level full version (4.0 and later; 3.x sends only info.version).
	infoAdminVersion bool
	// infoV1: /api/v1/info still exists (removed in 4.0).
	infoV1 bool
	// minimumClientVersions: /api/info lists them (6.0 and later).
	minimumClientVersions bool
	// permissionsFirst: the permission check runs as a middleware before
	// the rate limiter (8.0 and later); before, the limiter ran first.
	permissionsFirst bool
	// totpInvalidMethods: a totp-invalid error repeats availableMethods
	// (6.0 and later).
	totpInvalidMethods bool
	// floatUptime: os.uptime is sent as a float (6.0 and later).
	floatUptime bool
	// messageMarkdown: messages carry the parsed "md" tree (4.0 and
	// later, the message-parser).
	messageMarkdown bool
	// paginatedHistory: the history endpoints page through
	// getPaginationItems, 50 by default and at most 100 (6.0 and later,
	// the TypeScript endpoints); before, 20 by default and no cap.
	paginatedHistory bool
	// ajvParams: endpoints validate their parameters with ajv schemas and
	// answer invalid-params (6.0 and later); before, the methods they call
	// refuse the missing values their own way.
	ajvParams bool
	// forbiddenWord is what API.v1.forbidden() says without a message:
	// "unauthorized" until the 9.0 breaking changes, "forbidden" after.
	forbiddenWord string
	// nodeVersion is the Node.js release the generation shipped with.
	nodeVersion string

	// The realtime API (DDP over /websocket).

	// ddpWelcome: the socket opens with {"server_id":"0"} (Meteor before
	// 2.3, the 3.x servers).
	ddpWelcome bool
	// nosubBare: a refused subscription is a nosub without an error
	// object (3.x calls publication.stop() before throwing).
	nosubBare bool
	// strictSubOptions: a subscription's options object must carry both
	// useCollection and args (3.x's check), else Match failed.
	strictSubOptions bool
	// loginError401 is Meteor 3's login error override (7.0 and later):
	// every login failure answers 401 with one reason; before, Meteor's
	// own 403 errors come through.
	loginError401 bool
	// loginError401Reason is that reason: "User not found" in 7.x,
	// "Incorrect login or password" later (the release of the change is
	// not pinned; 8.0 is taken).
	loginError401Reason string
	// incorrectPasswordLeaks: a wrong password answers 403 "Incorrect
	// password" (6.x, where the override ran on a Promise and did
	// nothing); 3.x-5.x rewrote it to "User not found".
	incorrectPasswordLeaks bool
	// updatedFirst: a method's updated frame comes before its result
	// (Meteor 3's write fence fires at once when nothing is pending).
	updatedFirst bool
	// syncErrorsPlain: chat.syncMessages catches its errors and answers
	// API.v1.failure(e.message) (6.0 and later); before, the thrown
	// Meteor.Error reaches the router (errorType and details).
	syncErrorsPlain bool
}

// parseGeneration reads a version such as "8.8.1", "5.4" or
// "7.0.0-rc.2" and derives the generation's behaviour.
func parseGeneration(v string) (generation, error) {
	core := v
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		core = core[:i]
	}
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return generation{}, fmt.Errorf("rocketchattest: version %q is not major.minor[.patch]", v)
	}
	nums := make([]int, 3)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return generation{}, fmt.Errorf("rocketchattest: version %q is not major.minor[.patch]", v)
		}
		nums[i] = n
	}
	g := generation{version: v, major: nums[0], minor: nums[1], patch: nums[2]}
	if g.major < 3 {
		return generation{}, fmt.Errorf("rocketchattest: version %q is older than 3.0, which this fake does not speak", v)
	}
	if len(parts) == 2 {
		g.version = fmt.Sprintf("%d.%d.0", g.major, g.minor)
	}
	at := func(major, minor int) bool { return g.major > major || g.major == major && g.minor >= minor }

	g.hasInstances = at(3, 10)
	g.rawInstances = !at(6, 0)
	g.restivus = !at(6, 0)
	g.hono = at(7, 0)
	g.unauthorizedLegacy = !at(7, 0)
	g.unauthorizedMerged = at(7, 0) && !at(9, 0)
	g.forbiddenLegacy = !at(7, 0)
	g.loginSuccessKey = at(7, 0)
	g.loginErrorDetailed = !at(9, 0)
	g.infoTrimmed = at(4, 0)
	g.infoAdminVersion = at(4, 0)
	g.infoV1 = !at(4, 0)
	g.minimumClientVersions = at(6, 0)
	g.permissionsFirst = at(8, 0)
	g.totpInvalidMethods = at(6, 0)
	g.floatUptime = at(6, 0)
	g.messageMarkdown = at(4, 0)
	g.paginatedHistory = at(6, 0)
	g.ajvParams = at(6, 0)
	g.ddpWelcome = !at(4, 0)
	g.nosubBare = !at(4, 0)
	g.strictSubOptions = !at(4, 0)
	g.loginError401 = at(7, 0)
	g.loginError401Reason = "User not found"
	if at(8, 0) {
		g.loginError401Reason = "Incorrect login or password"
	}
	g.incorrectPasswordLeaks = at(6, 0) && !at(7, 0)
	g.updatedFirst = at(7, 0)
	g.syncErrorsPlain = at(6, 0)
	g.forbiddenWord = "unauthorized"
	if at(9, 0) {
		g.forbiddenWord = "forbidden"
	}
	switch {
	case !at(4, 0):
		g.nodeVersion = "v12.18.4"
	case !at(5, 0):
		g.nodeVersion = "v12.22.1"
	case !at(6, 0):
		g.nodeVersion = "v14.19.3"
	case !at(7, 0):
		g.nodeVersion = "v14.21.3"
	case !at(8, 0):
		g.nodeVersion = "v20.18.0"
	default:
		g.nodeVersion = "v22.16.0"
	}
	return g, nil
}

// trimmedVersion is what anonymous callers of /api/info see: the
// version without its patch part, as the server's removePatchInfo does.
func (g generation) trimmedVersion() string {
	return fmt.Sprintf("%d.%d", g.major, g.minor)
}
