package rocketchat

import (
	"context"
	"errors"
	"iter"
	"net/url"
	"strings"
	"sync"
	"time"
)

// wireRoom is a room on the wire.
type wireRoom struct {
	ID string `json:"_id"`
	// RID is the room's ID in the answer of im.create before 6.x, which
	// has no _id.
	RID           string    `json:"rid"`
	Type          string    `json:"t"`
	Name          string    `json:"name"`
	DisplayName   string    `json:"fname"`
	Topic         string    `json:"topic"`
	Description   string    `json:"description"`
	Announcement  string    `json:"announcement"`
	ReadOnly      bool      `json:"ro"`
	Archived      bool      `json:"archived"`
	Default       bool      `json:"default"`
	UsersCount    int       `json:"usersCount"`
	MessagesCount int       `json:"msgs"`
	Creator       UserRef   `json:"u"`
	CreatedAt     time.Time `json:"ts"`
	UpdatedAt     time.Time `json:"_updatedAt"`
	LastMessageAt time.Time `json:"lm"`
	Usernames     []string  `json:"usernames"`
}

func (w *wireRoom) room() Room {
	id := w.ID
	if id == "" {
		id = w.RID
	}
	return Room{
		ID: id, Type: w.Type, Name: w.Name, DisplayName: w.DisplayName,
		Topic: w.Topic, Description: w.Description, Announcement: w.Announcement,
		ReadOnly: w.ReadOnly, Archived: w.Archived, Default: w.Default,
		UsersCount: w.UsersCount, MessagesCount: w.MessagesCount, Creator: w.Creator,
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, LastMessageAt: w.LastMessageAt,
		Usernames: nilIfEmpty(w.Usernames),
	}
}

// toRoom converts one item of a list of rooms.
func toRoom(w *wireRoom) (Room, error) { return w.room(), nil }

// roomAnswer is the answer of rooms.info and im.create.
type roomAnswer struct {
	verdict `json:",inline"`
	Room    wireRoom `json:"room"`
}

func (a *roomAnswer) check() error {
	if a.Room.ID == "" && a.Room.RID == "" {
		return errNoRoom
	}
	return nil
}

var errNoRoom = errors.New("answer without a room")

// Room returns a room the user can see by its ID (GET
// /api/v1/rooms.info?roomId=). An unknown or hidden room fails with an
// *Error.
func (c *Client) Room(ctx context.Context, roomID string) (*Room, error) {
	if roomID == "" {
		return nil, errors.New("rocketchat: Room: empty room ID")
	}
	return c.roomInfo(ctx, url.Values{"roomId": {roomID}})
}

// RoomByName returns a room the user can see by its name, without "#"
// (GET /api/v1/rooms.info?roomName=).
func (c *Client) RoomByName(ctx context.Context, name string) (*Room, error) {
	if name == "" {
		return nil, errors.New("rocketchat: RoomByName: empty name")
	}
	return c.roomInfo(ctx, url.Values{"roomName": {name}})
}

func (c *Client) roomInfo(ctx context.Context, query url.Values) (*Room, error) {
	var out roomAnswer
	if err := c.get(ctx, "v1/rooms.info", query, &out); err != nil {
		return nil, err
	}
	v := out.Room.room()
	return &v, nil
}

// Rooms returns the rooms the user has joined (GET /api/v1/rooms.get), in
// one answer: the server does not page it.
func (c *Client) Rooms(ctx context.Context) ([]Room, error) {
	out := struct {
		verdict `json:",inline"`
		Update  list[wireRoom, Room] `json:"update"`
	}{Update: newList(c.maxBytes, toRoom)}
	if err := c.get(ctx, "v1/rooms.get", nil, &out); err != nil {
		return nil, err
	}
	return out.Update.items, nil
}

// Channels walks the workspace's public channels (GET
// /api/v1/channels.list, 100 a page), fetching each page as the caller
// ranges on. It needs the view-c-room permission. An error ends the walk
// as the last pair.
func (c *Client) Channels(ctx context.Context) iter.Seq2[Room, error] {
	return paged(ctx, "Channels", nil, func(ctx context.Context, q url.Values) ([]Room, int, error) {
		out := struct {
			verdict  `json:",inline"`
			Channels list[wireRoom, Room] `json:"channels"`
			Total    int                  `json:"total"`
		}{Channels: newList(c.maxBytes, toRoom), Total: -1}
		if err := c.get(ctx, "v1/channels.list", q, &out); err != nil {
			return nil, 0, err
		}
		return out.Channels.items, out.Total, nil
	})
}

// History walks a room's messages, newest first, 100 a page, fetching
// each page as the caller ranges on. It calls the history endpoint that
// serves the room's type: channels.history for public channels and
// omnichannel rooms, groups.history for private groups, im.history for
// direct messages. The first walk of a room asks rooms.info for its type
// and the client remembers it, so that a program polling a room spends
// one request a page; a walk whose first page fails forgets it (a
// channel turned private is learnt again on the next walk). From the
// second page on it asks for messages no newer than the first one it
// returned, so that messages posted during the walk do not shift the
// pages. An error ends the walk as the last pair.
func (c *Client) History(ctx context.Context, roomID string) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		if roomID == "" {
			yield(Message{}, errors.New("rocketchat: History: empty room ID"))
			return
		}
		roomType, known := c.roomTypes.get(roomID)
		if !known {
			room, err := c.Room(ctx, roomID)
			if err != nil {
				yield(Message{}, err)
				return
			}
			roomType = room.Type
			c.roomTypes.put(roomID, roomType)
		}
		endpoint := historyEndpoint(roomType)
		var latest string // ts of the newest message, once the first page is in
		walk := paged(ctx, "History", url.Values{"roomId": {roomID}}, func(ctx context.Context, q url.Values) ([]Message, int, error) {
			if latest != "" {
				q["latest"] = []string{latest}
				q["inclusive"] = []string{"true"}
			}
			out := struct {
				verdict  `json:",inline"`
				Messages list[wireMessage, Message] `json:"messages"`
			}{Messages: newList(c.maxBytes, toMessage)}
			if err := c.get(ctx, endpoint, q, &out); err != nil {
				if latest == "" {
					c.roomTypes.forget(roomID)
				}
				return nil, 0, err
			}
			ms := out.Messages.items
			if latest == "" && len(ms) > 0 {
				latest = ms[0].Timestamp.UTC().Format(isoMillis)
			}
			return ms, -1, nil
		})
		walk(yield)
	}
}

// roomTypes remembers the type of the rooms History walked, by room ID.
// It holds at most maxRoomTypes rooms (under 100 KiB); when full, an
// arbitrary room is forgotten, to be asked again if walked again. The
// zero value is ready to use.
type roomTypes struct {
	mu    sync.Mutex
	types map[string]string
}

// maxRoomTypes bounds the rooms a client remembers the type of.
const maxRoomTypes = 1024

func (rt *roomTypes) get(roomID string) (string, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	t, ok := rt.types[roomID]
	return t, ok
}

func (rt *roomTypes) put(roomID, roomType string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.types == nil {
		rt.types = make(map[string]string)
	}
	if _, ok := rt.types[roomID]; !ok && len(rt.types) >= maxRoomTypes {
		for id := range rt.types {
			delete(rt.types, id)
			break
		}
	}
	rt.types[roomID] = roomType
}

func (rt *roomTypes) forget(roomID string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	delete(rt.types, roomID)
}

// isoMillis is how JavaScript's Date.prototype.toISOString writes a time
// in UTC, which the history endpoints parse back exactly.
const isoMillis = "2006-01-02T15:04:05.000Z07:00"

// historyEndpoint picks the history endpoint of a room type. Omnichannel
// rooms ("l") are served by channels.history, as the server's own lookup
// accepts them there.
func historyEndpoint(roomType string) string {
	switch roomType {
	case "p":
		return "v1/groups.history"
	case "d":
		return "v1/im.history"
	}
	return "v1/channels.history"
}

// CreateDirectMessage opens the direct message room of the user with the
// given users, or a group direct message with several (POST
// /api/v1/im.create), and returns it; an existing room is returned as
// it is. Several usernames need Rocket.Chat 3.1 or newer.
func (c *Client) CreateDirectMessage(ctx context.Context, usernames ...string) (*Room, error) {
	if len(usernames) == 0 {
		return nil, errors.New("rocketchat: CreateDirectMessage: no username")
	}
	for _, u := range usernames {
		if u == "" || strings.Contains(u, ",") {
			return nil, errors.New("rocketchat: CreateDirectMessage: empty username, or one with a comma")
		}
	}
	// One user goes in "username", which every server reads; several in
	// "usernames", comma-separated.
	var in struct {
		Username  string `json:"username,omitempty"`
		Usernames string `json:"usernames,omitempty"`
	}
	if len(usernames) == 1 {
		in.Username = usernames[0]
	} else {
		in.Usernames = strings.Join(usernames, ",")
	}
	var out roomAnswer
	if err := c.post(ctx, "v1/im.create", &in, &out); err != nil {
		return nil, err
	}
	v := out.Room.room()
	return &v, nil
}
