package rocketchat

import (
	"errors"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// streamMessage is a message as the realtime API sends it: the same
// members as [wireMessage], with EJSON dates ({"$date": ms}).
type streamMessage struct {
	ID          string                  `json:"_id"`
	RoomID      string                  `json:"rid"`
	Text        string                  `json:"msg"`
	Sender      UserRef                 `json:"u"`
	Timestamp   ejsonDate               `json:"ts"`
	UpdatedAt   ejsonDate               `json:"_updatedAt"`
	EditedAt    ejsonDate               `json:"editedAt"`
	ThreadID    string                  `json:"tmid"`
	Type        string                  `json:"t"`
	Alias       string                  `json:"alias"`
	Emoji       string                  `json:"emoji"`
	Avatar      string                  `json:"avatar"`
	Attachments []Attachment            `json:"attachments"`
	Reactions   map[string]wireReaction `json:"reactions"`
	Mentions    []UserRef               `json:"mentions"`
}

// ejsonDate is a date of the realtime API: {"$date": Unix milliseconds}.
// No message date is the Unix epoch itself: 0 is a date left out.
type ejsonDate struct {
	Ms int64 `json:"$date"`
}

func (d ejsonDate) time() time.Time {
	if d.Ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(d.Ms).UTC()
}

// message converts through the REST wire form, so that both give the
// same Message.
func (s *streamMessage) message() Message {
	w := wireMessage{
		ID: s.ID, RoomID: s.RoomID, Text: s.Text, Sender: s.Sender,
		Timestamp: s.Timestamp.time(), UpdatedAt: s.UpdatedAt.time(), EditedAt: s.EditedAt.time(),
		ThreadID: s.ThreadID, Type: s.Type, Alias: s.Alias, Emoji: s.Emoji, Avatar: s.Avatar,
		Attachments: s.Attachments, Reactions: s.Reactions, Mentions: s.Mentions,
	}
	return w.message()
}

// streamMeta is the second argument of a __my_messages__ event: what the
// server tells of the message's room for this user.
type streamMeta struct {
	RoomParticipant bool   `json:"roomParticipant"`
	RoomType        string `json:"roomType"`
	RoomName        string `json:"roomName"`
}

// messageArgs are the args of a stream-room-messages event: the message,
// then (on __my_messages__) what the server tells of its room. One value
// for both, so that decoding them costs one allocation.
type messageArgs struct {
	msg  streamMessage
	meta streamMeta
}

func (a *messageArgs) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return decodeArgs(dec, &a.msg, &a.meta)
}

// deleteArgs are the args of a deleteMessage event: the deleted
// message's ID.
type deleteArgs struct {
	deleted struct {
		ID string `json:"_id"`
	}
}

func (a *deleteArgs) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return decodeArgs(dec, &a.deleted, nil)
}

// decodeArgs reads an event's args array: its first element into first,
// its second (when there is one) into second when second is not nil; more
// elements are skipped.
func decodeArgs(dec *jsontext.Decoder, first, second any) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '[' {
		return errors.New("args are not an array")
	}
	if dec.PeekKind() == ']' {
		return errors.New("empty args")
	}
	if err := json.UnmarshalDecode(dec, first, wireOptions); err != nil {
		return err
	}
	if second != nil && dec.PeekKind() != ']' {
		if err := json.UnmarshalDecode(dec, second, wireOptions); err != nil {
			return err
		}
	}
	for dec.PeekKind() != ']' {
		if err := dec.SkipValue(); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}

// unmarshalWire decodes a raw value with the wire structs' options.
func unmarshalWire(v jsontext.Value, out any) error {
	if len(v) == 0 {
		return nil
	}
	return json.Unmarshal(v, out, wireOptions)
}
