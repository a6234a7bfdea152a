package rocketchat

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// NewMessage is a message to post with [Client.PostMessage]. Give RoomID
// or Channel, never both. A reply in a thread (ThreadID, the ID of the
// thread's first message) needs RoomID. Empty members are not sent:
// newer servers refuse unknown or empty keys.
type NewMessage struct {
	RoomID string `json:"roomId,omitempty"`
	// Channel is "#name" for a room, "@username" for a direct message.
	Channel  string `json:"channel,omitempty"`
	Text     string `json:"text,omitempty"`
	ThreadID string `json:"tmid,omitempty"`
	// Alias and Avatar show another name and picture on the message;
	// they need the message-impersonate permission (bots have it).
	Alias       string       `json:"alias,omitempty"`
	Emoji       string       `json:"emoji,omitempty"` // an emoji as the avatar, ":smirk:"
	Avatar      string       `json:"avatar,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// check reports what makes m impossible to post.
func (m *NewMessage) check() error {
	switch {
	case m.RoomID == "" && m.Channel == "":
		return errors.New("rocketchat: PostMessage: the message has neither a room ID nor a channel")
	case m.RoomID != "" && m.Channel != "":
		return errors.New("rocketchat: PostMessage: the message has both a room ID and a channel; give one")
	case m.ThreadID != "" && m.RoomID == "":
		return errors.New("rocketchat: PostMessage: a thread reply needs the room ID")
	case m.Text == "" && len(m.Attachments) == 0:
		return errors.New("rocketchat: PostMessage: the message has no text and no attachments")
	}
	return nil
}

// wireMessage is a message on the wire. REST answers write dates as
// ISO-8601 strings (JSON.stringify), which time.Time reads.
type wireMessage struct {
	ID          string                  `json:"_id"`
	RoomID      string                  `json:"rid"`
	Text        string                  `json:"msg"`
	Sender      UserRef                 `json:"u"`
	Timestamp   time.Time               `json:"ts"`
	UpdatedAt   time.Time               `json:"_updatedAt"`
	EditedAt    time.Time               `json:"editedAt"`
	ThreadID    string                  `json:"tmid"`
	Type        string                  `json:"t"`
	Alias       string                  `json:"alias"`
	Emoji       string                  `json:"emoji"`
	Avatar      string                  `json:"avatar"`
	Attachments []Attachment            `json:"attachments"`
	Reactions   map[string]wireReaction `json:"reactions"`
	Mentions    []UserRef               `json:"mentions"`
}

// wireReaction is one emoji's entry in a message's reactions.
type wireReaction struct {
	Usernames []string `json:"usernames"`
}

// toMessage converts one item of a list of messages.
func toMessage(w *wireMessage) (Message, error) { return w.message(), nil }

func (w *wireMessage) message() Message {
	m := Message{
		ID: w.ID, RoomID: w.RoomID, Text: w.Text, Sender: w.Sender,
		Timestamp: w.Timestamp, UpdatedAt: w.UpdatedAt, EditedAt: w.EditedAt,
		ThreadID: w.ThreadID, Type: w.Type, Alias: w.Alias, Emoji: w.Emoji, Avatar: w.Avatar,
		Attachments: nilIfEmpty(w.Attachments), Mentions: nilIfEmpty(w.Mentions),
	}
	for i := range m.Attachments {
		m.Attachments[i].Fields = nilIfEmpty(m.Attachments[i].Fields)
	}
	if len(w.Reactions) > 0 {
		m.Reactions = make(map[string][]string, len(w.Reactions))
		for emoji, r := range w.Reactions {
			m.Reactions[emoji] = nilIfEmpty(r.Usernames)
		}
	}
	return m
}

// messageAnswer is the answer of the calls that return one message.
type messageAnswer struct {
	verdict `json:",inline"`
	Message wireMessage `json:"message"`
}

func (a *messageAnswer) check() error {
	if a.Message.ID == "" {
		return errNoMessage
	}
	return nil
}

var errNoMessage = errors.New("answer without a message")

// PostMessage posts a message (POST /api/v1/chat.postMessage) and returns
// it as the server stored it. The message is checked before anything is
// sent (see [NewMessage]). A room the user may not post in fails with an
// *Error (error-not-allowed, or invalid-channel for an unknown room).
// The request is repeated only when it provably never ran (429, or no
// connection), so a message is never posted twice by a retry.
func (c *Client) PostMessage(ctx context.Context, m NewMessage) (*Message, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	var out messageAnswer
	if err := c.post(ctx, "v1/chat.postMessage", &m, &out); err != nil {
		return nil, err
	}
	v := out.Message.message()
	return &v, nil
}

// Message returns one message (GET /api/v1/chat.getMessage?msgId=). A
// message the user may not read, or that does not exist, fails with an
// *Error.
func (c *Client) Message(ctx context.Context, messageID string) (*Message, error) {
	if messageID == "" {
		return nil, errors.New("rocketchat: Message: empty message ID")
	}
	var out messageAnswer
	if err := c.get(ctx, "v1/chat.getMessage", url.Values{"msgId": {messageID}}, &out); err != nil {
		return nil, err
	}
	v := out.Message.message()
	return &v, nil
}

// UpdateMessage replaces a message's text (POST /api/v1/chat.update) and
// returns the edited message. Editing needs the edit-message permission
// for others' messages, and the server may forbid edits after a time.
func (c *Client) UpdateMessage(ctx context.Context, roomID, messageID, text string) (*Message, error) {
	if roomID == "" || messageID == "" {
		return nil, errors.New("rocketchat: UpdateMessage: empty room ID or message ID")
	}
	in := struct {
		RoomID    string `json:"roomId"`
		MessageID string `json:"msgId"`
		Text      string `json:"text"`
	}{roomID, messageID, text}
	var out messageAnswer
	if err := c.post(ctx, "v1/chat.update", &in, &out); err != nil {
		return nil, err
	}
	v := out.Message.message()
	return &v, nil
}

// DeleteMessage deletes a message (POST /api/v1/chat.delete). roomID must
// be the message's room. Deleting needs the delete-own-message or
// delete-message permission, and the server may forbid it after a time.
func (c *Client) DeleteMessage(ctx context.Context, roomID, messageID string) error {
	if roomID == "" || messageID == "" {
		return errors.New("rocketchat: DeleteMessage: empty room ID or message ID")
	}
	in := struct {
		RoomID    string `json:"roomId"`
		MessageID string `json:"msgId"`
	}{roomID, messageID}
	var out struct {
		verdict `json:",inline"`
	}
	return c.post(ctx, "v1/chat.delete", &in, &out)
}

// React adds (on) or removes (!on) the user's reaction to a message
// (POST /api/v1/chat.react). emoji is a name the server knows, with or
// without colons: "smile" or ":smile:". The wish is always sent, so that
// repeating the call never toggles the reaction back.
func (c *Client) React(ctx context.Context, messageID, emoji string, on bool) error {
	if messageID == "" || emoji == "" {
		return errors.New("rocketchat: React: empty message ID or emoji")
	}
	in := struct {
		MessageID   string `json:"messageId"`
		Emoji       string `json:"emoji"`
		ShouldReact bool   `json:"shouldReact"`
	}{messageID, emoji, on}
	var out struct {
		verdict `json:",inline"`
	}
	return c.post(ctx, "v1/chat.react", &in, &out)
}
