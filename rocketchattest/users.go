package rocketchattest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
)

// User describes an account on the fake server. Only Username is
// required; everything else has the default a fresh Rocket.Chat account
// would have.
type User struct {
	// ID is the user's _id. Empty means one is derived from the username
	// (a 17-character Meteor-style id, the same on every run).
	ID string
	// Username logs in with "user" or "username".
	Username string
	// Password is the plain password. An account without one cannot log
	// in with a password (only with a personal access token).
	Password string
	// Email logs in with "user" (when it holds an @) or "email", and is
	// the address listed in emails.
	Email string
	// EmailVerified marks Email as verified. Email 2FA needs a verified
	// address, so setting EmailCode2FA verifies it too.
	EmailVerified bool
	// Name is the display name; empty means the username.
	Name string
	// Roles default to ["user"], which may create rooms and direct
	// messages, read channels and delete its own messages. "admin" adds
	// view-statistics, api-bypass-rate-limit and the right to edit and
	// delete anyone's messages; "bot" grants api-bypass-rate-limit and
	// room creation. A room's creator may edit and delete any message in
	// it (the owner role).
	Roles []string
	// Permissions are granted in addition to those of the roles, e.g.
	// "view-statistics" for a monitoring account that is no admin.
	Permissions []string
	// TOTPSecret, a base32 secret, turns on TOTP two-factor
	// authentication; codes are checked against the server's clock with
	// one step of skew either way, as the server's default allows.
	TOTPSecret string
	// EmailCode2FA turns on two-factor authentication by email. The
	// server "sends" a code when it challenges the user (see
	// [Server.EmailCodesSent]) and accepts this code as the one sent.
	EmailCode2FA string
	// UTCOffset is the user's offset from UTC in hours; +5:45 is 5.75.
	UTCOffset float64
	// Status is the presence status; empty means "offline", what a user
	// who only uses the REST API shows.
	Status string
	// Inactive makes login fail with error-user-is-not-activated.
	Inactive bool
	// CustomFields are listed in the user object when set.
	CustomFields map[string]string
}

// Role permissions as a fresh workspace grants them (the defaults of
// apps/meteor/app/authorization/server/constant/permissions.ts), for the
// permissions this server checks.
var rolePermissions = map[string][]string{
	"admin": {permViewStatistics, permBypassRateLimit, permCreateC, permCreateP, permCreateD, permViewC, permViewD,
		permDeleteOwn, permDeleteAny, permForceDelete, permEditAny, permPostReadonly, permViewFullUser, permBypassTimeLimit},
	"user": {permCreateC, permCreateP, permCreateD, permViewC, permViewD, permDeleteOwn},
	"bot":  {permBypassRateLimit, permCreateC, permCreateP, permCreateD, permViewC, permViewD},
}

// ownerPermissions are what the "owner" role grants in a room, held by
// whoever created it.
var ownerPermissions = []string{permDeleteAny, permForceDelete, permEditAny, permPostReadonly}

const (
	permViewStatistics  = "view-statistics"
	permBypassRateLimit = "api-bypass-rate-limit"
	permCreateC         = "create-c"
	permCreateP         = "create-p"
	permCreateD         = "create-d"
	permViewC           = "view-c-room"
	permViewD           = "view-d-room"
	permDeleteOwn       = "delete-own-message"
	permDeleteAny       = "delete-message"
	permForceDelete     = "force-delete-message"
	permEditAny         = "edit-message"
	permPostReadonly    = "post-readonly"
	permViewFullUser    = "view-full-other-user-info"
	permBypassTimeLimit = "bypass-time-limit-edit-and-delete"
)

// account is a user as the server holds it.
type account struct {
	User
	permissions map[string]bool
	emailCode   emailCodeState
	// emailCodesSent counts the codes "mailed" to the user.
	emailCodesSent int
}

// token is a login token (from a login) or a personal access token.
type token struct {
	userID string
	pat    bool
	// created is when the token was issued; login tokens expire
	// Accounts_LoginExpiration (90) days later.
	created time.Time
	// remembered maps a client fingerprint (User-Agent and address) to the
	// time until which a passed second factor is remembered for this token.
	remembered map[string]time.Time
}

// newAccount validates u and fills in its defaults.
func newAccount(u User) (*account, error) {
	if u.Username == "" {
		return nil, fmt.Errorf("rocketchattest: a user needs a Username")
	}
	if u.ID == "" {
		u.ID = meteorID(u.Username)
	}
	if u.Name == "" {
		u.Name = u.Username
	}
	if len(u.Roles) == 0 {
		u.Roles = []string{"user"}
	}
	if u.Status == "" {
		u.Status = "offline"
	}
	if u.EmailCode2FA != "" {
		if u.Email == "" {
			return nil, fmt.Errorf("rocketchattest: user %q has EmailCode2FA but no Email", u.Username)
		}
		u.EmailVerified = true
	}
	if u.TOTPSecret != "" {
		if _, err := decodeTOTPSecret(u.TOTPSecret); err != nil {
			return nil, fmt.Errorf("rocketchattest: user %q: TOTPSecret is not base32: %v", u.Username, err)
		}
		u.TOTPSecret = strings.ToUpper(strings.ReplaceAll(u.TOTPSecret, " ", ""))
	}
	u.Roles = slices.Clone(u.Roles)
	u.Permissions = slices.Clone(u.Permissions)
	a := &account{User: u, permissions: map[string]bool{}}
	for _, r := range u.Roles {
		for _, p := range rolePermissions[r] {
			a.permissions[p] = true
		}
	}
	for _, p := range u.Permissions {
		a.permissions[p] = true
	}
	return a, nil
}

// decodeTOTPSecret accepts the forms authenticator apps show: any case,
// spaces, with or without padding.
func decodeTOTPSecret(s string) ([]byte, error) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	s = strings.TrimRight(s, "=")
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
}

// meteorID derives a stable Meteor-style id (17 characters of Meteor's
// alphabet) from a seed, so that IDs are the same on every test run.
func meteorID(seed string) string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte("rocketchattest:" + seed))
	id := make([]byte, 17)
	for i := range id {
		id[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(id)
}

// newTokenString returns a fresh token of the shape Meteor's
// Random.secret() gives: 43 URL-safe base64 characters.
func newTokenString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hasPermission reports whether the account holds the permission.
func (a *account) hasPermission(p string) bool { return a.permissions[p] }

// hasRoomPermission is hasPermission scoped to a room: the room's owner
// also holds the owner role's permissions there.
func (a *account) hasRoomPermission(p string, r *room) bool {
	if a.permissions[p] {
		return true
	}
	return r != nil && r.owner != nil && r.owner.id == a.ID && slices.Contains(ownerPermissions, p)
}

// verifiedEmails lists the verified addresses, as the email 2FA check
// uses them.
func (a *account) verifiedEmail() string {
	if a.Email != "" && a.EmailVerified {
		return a.Email
	}
	return ""
}

// userObject is the user as getUserInfo writes it for login and /me
// (apps/meteor/app/api/server/helpers/getUserInfo.ts): the stored user,
// the first verified email as "email", the preferences, and the full
// avatar URL.
func (a *account) userObject(siteURL string) object {
	o := object{{"_id", a.ID}, {"name", a.Name}}
	if a.Email != "" {
		o = append(o, field{"emails", []object{{{"address", a.Email}, {"verified", a.EmailVerified}}}})
	}
	o = append(o,
		field{"status", a.Status},
		field{"statusConnection", "offline"},
		field{"username", a.Username},
		field{"utcOffset", a.UTCOffset},
		field{"active", !a.Inactive},
		field{"roles", a.Roles},
		field{"settings", object{{"preferences", defaultPreferences}}},
	)
	if len(a.CustomFields) > 0 {
		o = append(o, field{"customFields", a.CustomFields})
	}
	if e := a.verifiedEmail(); e != "" {
		o = append(o, field{"email", e})
	}
	return append(o, field{"avatarUrl", siteURL + "/avatar/" + a.Username})
}

// defaultPreferences are the account preferences every user gets (the
// server merges them from the Accounts_Default_User_Preferences_*
// settings); the keys and values are those of the OpenAPI example for
// GET /api/v1/me.
var defaultPreferences = object{
	{"enableAutoAway", false},
	{"idleTimeoutLimit", 300},
	{"desktopNotificationDuration", 0},
	{"audioNotifications", "mentions"},
	{"desktopNotifications", "mentions"},
	{"mobileNotifications", "mentions"},
	{"unreadAlert", true},
	{"useEmojis", true},
	{"convertAsciiEmoji", true},
	{"autoImageLoad", true},
	{"saveMobileBandwidth", true},
	{"collapseMediaByDefault", false},
	{"hideUsernames", false},
	{"hideRoles", false},
	{"hideFlexTab", false},
	{"hideAvatars", false},
	{"roomsListExhibitionMode", "category"},
	{"sidebarViewMode", "medium"},
	{"sidebarHideAvatar", false},
	{"sidebarShowUnread", false},
	{"sidebarShowFavorites", true},
	{"sendOnEnter", "normal"},
	{"messageViewMode", 0},
	{"emailNotificationMode", "all"},
	{"roomCounterSidebar", false},
	{"newRoomNotification", "door"},
	{"newMessageNotification", "chime"},
	{"muteFocusedConversations", true},
	{"notificationsSoundVolume", 100},
}

// AddUser creates an account while the server runs and returns its ID.
// It panics if the user has no username, reuses a username, email or ID,
// or has a TOTP secret that is not base32: those are mistakes in the
// test, not server behaviours.
func (s *Server) AddUser(u User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.addUserLocked(u)
	if err != nil {
		panic(err)
	}
	return id
}

func (s *Server) addUserLocked(u User) (string, error) {
	a, err := newAccount(u)
	if err != nil {
		return "", err
	}
	for _, o := range s.users {
		switch {
		case strings.EqualFold(o.Username, a.Username):
			return "", fmt.Errorf("rocketchattest: username %q is taken", a.Username)
		case o.ID == a.ID:
			return "", fmt.Errorf("rocketchattest: user ID %q is taken", a.ID)
		case a.Email != "" && strings.EqualFold(o.Email, a.Email):
			return "", fmt.Errorf("rocketchattest: email %q is taken", a.Email)
		}
	}
	s.users = append(s.users, a)
	return a.ID, nil
}

// UserID returns the ID of the user with that username, or "" if there
// is none.
func (s *Server) UserID(username string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.userByUsernameLocked(username); a != nil {
		return a.ID
	}
	return ""
}

// PersonalAccessToken issues a personal access token for the user, as
// the user would in their account settings, and returns the user ID and
// token to send as X-User-Id and X-Auth-Token. It panics if there is no
// such user. Like a real PAT, it lives until revoked, and a logout made
// with it revokes it.
func (s *Server) PersonalAccessToken(username string) (userID, authToken string) {
	return s.issueToken(username, true)
}

// LoginToken issues a login token for the user without going through
// /api/v1/login (no rate limit, no 2FA), as if the user had logged in
// earlier, and returns the user ID and token. It panics if there is no
// such user.
func (s *Server) LoginToken(username string) (userID, authToken string) {
	return s.issueToken(username, false)
}

func (s *Server) issueToken(username string, pat bool) (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.userByUsernameLocked(username)
	if a == nil {
		panic(fmt.Sprintf("rocketchattest: no user %q", username))
	}
	return a.ID, s.newTokenLocked(a, pat)
}

func (s *Server) newTokenLocked(a *account, pat bool) string {
	t := newTokenString()
	s.tokens[t] = &token{userID: a.ID, pat: pat, created: s.now()}
	return t
}

// RevokeToken kills a login token or personal access token, as an admin
// would, or as its expiry does. Later calls with it answer 401.
func (s *Server) RevokeToken(authToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeTokenLocked(authToken)
}

// removeTokenLocked kills a token. As Meteor's observer of login tokens
// does, it also closes (status 1000) the realtime sessions logged in
// with it; their next resume login fails.
func (s *Server) removeTokenLocked(tok string) {
	delete(s.tokens, tok)
	for _, c := range s.rt.snapshot() {
		if c.token == tok {
			c.closeNormally()
		}
	}
}

// Tokens counts the live tokens (login tokens and personal access
// tokens) of the user, so a test can check that a client reuses its
// token instead of logging in again and again.
func (s *Server) Tokens(username string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.userByUsernameLocked(username)
	if a == nil {
		return 0
	}
	n := 0
	for _, t := range s.tokens {
		if t.userID == a.ID {
			n++
		}
	}
	return n
}

func (s *Server) userByUsernameLocked(name string) *account {
	for _, a := range s.users {
		if strings.EqualFold(a.Username, name) {
			return a
		}
	}
	return nil
}

func (s *Server) userByEmailLocked(email string) *account {
	for _, a := range s.users {
		if a.Email != "" && strings.EqualFold(a.Email, email) {
			return a
		}
	}
	return nil
}

func (s *Server) userByIDLocked(id string) *account {
	for _, a := range s.users {
		if a.ID == id {
			return a
		}
	}
	return nil
}
