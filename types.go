package rocketchat

import "time"

// The public value types that the calls return. The files named for
// resources hold the calls, and the wire structs where the server's JSON
// differs from these types.

// Instance is one member of a Rocket.Chat cluster: a server process or a
// microservice that keeps a record in the server's instance list, as
// [Client.Instances] returns it.
//
// One type serves every server generation. Servers 3.10 to 5.x send the
// raw record, with a connection object on the members other than the one
// that answered; 6.0 and later wrap the record with the service broker's
// view of the member. The decoder tells the shapes apart item by item.
//
// Encoding an Instance, with encoding/json or with encoding/json/v2,
// writes the 6.0+ form and succeeds for any value, the zero Instance
// included, within the limits the JSON packages set on every struct
// (times in the years 0 to 9999, finite floats, and valid UTF-8 for v2).
// Decoding that gives back an equal value, durations to the microsecond,
// except where the wire form cannot carry the value: a Port outside 0 to
// 65535, a negative duration or one of more than 292 years are written as
// unknown and come back as 0, and a Host spelled "undefined", the wire's
// word for unknown, comes back as "".
type Instance struct {
	// ID is the record's _id: a Meteor id on 3.x servers, a UUID on 6.x
	// and later.
	ID string
	// Name is "rocket.chat" for the main server, or a microservice's
	// name such as "ddp-streamer".
	Name string
	// PID is the process id on its host.
	PID int
	// CreatedAt is when the process registered its record.
	CreatedAt time.Time
	// UpdatedAt is the record's last heartbeat write. Records are
	// refreshed about every ten seconds and expire a while after it, so a
	// dead member stays listed until then: UpdatedAt tells how fresh the
	// record is.
	UpdatedAt time.Time
	// Host is extraInformation.host, the host name or IP address the
	// process announced; "" when unknown (the server's "undefined").
	Host string
	// Port is the HTTP port from extraInformation.port, which the server
	// sends as a string; 0 when unknown.
	Port int
	// TCPPort is the service broker's TCP port (6.0+); 0 when unknown.
	TCPPort int
	// NodeVersion is the Node.js version, such as "v14.21.3".
	NodeVersion string
	// Conns is extraInformation.conns, the process's open client
	// connections (6.x+); 0 until the server first writes it.
	Conns int
	// OS describes the host the process runs on.
	OS OS
	// Address is where the cluster reaches the member: the service
	// broker's address on 6.0+, or the DDP address "host:port/" on 3.10
	// to 5.x, which only the members other than the answering one carry;
	// "" when the server has none.
	Address string
	// Connected is currentStatus.connected: the cluster reaches the
	// member. It is false when the server did not say; on 6.0+, false
	// with an empty Address means no broker data, not a member down.
	Connected bool
	// Local is currentStatus.local: the member is the one that answered
	// (6.0+). It is false when the server did not say.
	Local bool
	// ProcessUptime is currentStatus.lastHeartbeatTime (6.0+), which
	// despite its name is the process's uptime in seconds.
	ProcessUptime time.Duration
	// BroadcastAuth is the server's broadcastAuth flag, true whenever it
	// is sent.
	BroadcastAuth bool
}

// OS describes the host of an [Instance] as Node.js's os module reports
// it.
type OS struct {
	// Type is os.type(), such as "Linux".
	Type string
	// Platform is os.platform(), such as "linux".
	Platform string
	// Arch is os.arch(), such as "x64".
	Arch string
	// Release is os.release(), the kernel's version.
	Release string
	// Uptime is the host's uptime, not the process's.
	Uptime time.Duration
	// LoadAvg is the load average over 1, 5 and 15 minutes.
	LoadAvg [3]float64
	// TotalMem is the host's memory in bytes.
	TotalMem uint64
	// FreeMem is the host's free memory in bytes.
	FreeMem uint64
	// CPUs is the number of logical CPUs.
	CPUs int
}

// Message is a chat message as the chat.*, *.history and realtime streams
// describe it. Lists and maps the answer holds empty ("mentions":[],
// "reactions":{}) are nil, here and in the attachments, so that a
// Message written by hand compares equal without options. Marshalled
// with encoding/json or v2, nil lists and maps are left out, so that
// decoding gives nil back.
type Message struct {
	ID        string    // _id
	RoomID    string    // rid
	Text      string    // msg
	Sender    UserRef   // u
	Timestamp time.Time // ts
	UpdatedAt time.Time // _updatedAt
	// EditedAt is when the text was last edited; zero when never.
	EditedAt time.Time
	// ThreadID is the ID of the thread's first message (tmid); "" outside
	// a thread.
	ThreadID string
	// Type is a system message's type (t), such as "uj" for a user who
	// joined; "" for a message someone wrote.
	Type                 string
	Alias, Emoji, Avatar string
	Attachments          []Attachment `json:",omitzero"`
	// Reactions maps each emoji (":smile:") to the usernames who reacted
	// with it.
	Reactions map[string][]string `json:",omitzero"`
	// Mentions are the users the message mentions; "all" and "here" appear
	// with those words as ID and username.
	Mentions []UserRef `json:",omitzero"`
}

// UserRef names a user inside another object: a message's sender, a
// room's creator, a mention.
type UserRef struct {
	ID       string `json:"_id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// Attachment is a message attachment: a titled, coloured block of text,
// fields and an image under the message.
type Attachment struct {
	Title      string            `json:"title,omitempty"`
	TitleLink  string            `json:"title_link,omitempty"`
	Text       string            `json:"text,omitempty"`
	Color      string            `json:"color,omitempty"`
	ImageURL   string            `json:"image_url,omitempty"`
	AuthorName string            `json:"author_name,omitempty"`
	AuthorIcon string            `json:"author_icon,omitempty"`
	Fields     []AttachmentField `json:"fields,omitempty"`
}

// AttachmentField is one titled value of an attachment; Short fields are
// laid out side by side.
type AttachmentField struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short,omitzero"`
}

// Room is a room as rooms.info, rooms.get, channels.list and im.create
// describe it. Usernames is nil when the answer holds none or an empty
// list, so that a Room written by hand compares equal without options;
// marshalled, a nil Usernames is left out, so that it decodes as nil.
type Room struct {
	ID string // _id
	// Type is t: "c" a public channel, "p" a private group, "d" a direct
	// message, "l" an omnichannel (livechat) room.
	Type                             string
	Name                             string // name; a direct message has none
	DisplayName                      string // fname
	Topic, Description, Announcement string
	ReadOnly, Archived, Default      bool // ro, archived, default
	UsersCount                       int  // usersCount
	MessagesCount                    int  // msgs
	Creator                          UserRef
	CreatedAt                        time.Time // ts
	UpdatedAt                        time.Time // _updatedAt
	LastMessageAt                    time.Time // lm; zero before the first message
	Usernames                        []string  `json:",omitzero"` // a direct message's members
}

// User is a Rocket.Chat user as /api/v1/me, the login answer,
// users.info and users.list describe it. Roles, Emails and CustomFields
// are nil when the answer holds them empty, so that a User written by
// hand compares equal without options; marshalled, nil ones are left
// out, so that they decode as nil.
type User struct {
	ID               string   `json:"_id"`
	Username         string   `json:"username"`
	Name             string   `json:"name"`
	Type             string   `json:"type,omitempty"`   // user, bot, app; users.info and users.list carry it
	Status           string   `json:"status"`           // online, away, busy, offline
	StatusConnection string   `json:"statusConnection"` // online, away, offline
	AvatarURL        string   `json:"avatarUrl"`
	Active           bool     `json:"active"`
	Roles            []string `json:"roles,omitzero"`
	Emails           []Email  `json:"emails,omitzero"`
	// UTCOffset is the user's offset from UTC in hours: +5:45 is 5.75.
	UTCOffset float64 `json:"utcOffset"`
	// CustomFields holds the workspace's custom profile fields, when it
	// has any.
	CustomFields map[string]any `json:"customFields,omitempty"`
}

// Email is one of a user's e-mail addresses.
type Email struct {
	Address  string `json:"address"`
	Verified bool   `json:"verified"`
}

// ServerInfo describes the server as GET /api/info tells it.
type ServerInfo struct {
	// Version is the full version ("8.8.1") when the caller may see it
	// (the view-statistics permission), else "major.minor" ("8.8"), which
	// servers since 4.0 tell anyone.
	Version string
	// Commit is the hash of the server's build, when the caller may see it.
	Commit string
	// MinimumDesktopVersion and MinimumMobileVersion are the oldest
	// official apps the server accepts, when it says (6.x and later).
	MinimumDesktopVersion, MinimumMobileVersion string
	// CloudWorkspaceID identifies a workspace registered with Rocket.Chat
	// Cloud, when the server says.
	CloudWorkspaceID string
}

// Statistics are the workspace's figures as the server last gathered
// them (GET /api/v1/statistics).
type Statistics struct {
	Version       string // the server's full version, "8.7.0"
	InstanceCount int
	// Uptime is how long the answering server process has run (process.uptime).
	Uptime                                                        time.Duration
	TotalUsers, ActiveUsers, OnlineUsers, AwayUsers, OfflineUsers int
	TotalRooms, TotalChannels, TotalPrivateGroups, TotalDirect    int
	TotalMessages                                                 int64
	// CreatedAt is when these figures were gathered.
	CreatedAt time.Time
}

// RateLimit is what Rocket.Chat's rate limiter said about an endpoint in
// its latest answer. The server limits each route per user and client
// address, in fixed windows (10 calls a minute by default).
type RateLimit struct {
	// Limit and Remaining are X-RateLimit-Limit and X-RateLimit-Remaining:
	// the calls the window allows, and those left in it.
	Limit, Remaining int
	// Reset is X-RateLimit-Reset, when the window reopens, moved onto this
	// machine's clock through the answer's Date header. Date has whole
	// seconds, so Reset may be up to a second late, never early; later
	// answers narrow the gap.
	Reset time.Time
}
