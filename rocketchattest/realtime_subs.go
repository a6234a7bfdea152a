package rocketchattest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The streams a client may subscribe to, as Rocket.Chat's streamer
// registers them.
const (
	streamRoomMessages = "stream-room-messages"
	streamNotifyRoom   = "stream-notify-room"
	streamNotifyUser   = "stream-notify-user"
	streamNotifyLogged = "stream-notify-logged"
	streamNotifyAll    = "stream-notify-all"

	// myMessages is the event name of every message in every room the
	// user can access.
	myMessages = "__my_messages__"
)

// rtSub is one ready subscription of a session.
type rtSub struct {
	id, stream, event string
}

// subOptions is a subscription's second parameter in its object form.
type subOptions struct {
	UseCollection *bool            `json:"useCollection"`
	Args          *json.RawMessage `json:"args"`
}

// handleSub starts a subscription: a stream and an event name, checked
// against the stream's read rule.
func (c *rtConn) handleSub(msg map[string]json.RawMessage, offending json.RawMessage) {
	id, idOK := jsonString(msg["id"])
	name, nameOK := jsonString(msg["name"])
	var params []json.RawMessage
	paramsOK := true
	if raw, ok := msg["params"]; ok {
		paramsOK = json.Unmarshal(raw, &params) == nil && params != nil
	}
	if !idOK || !nameOK || !paramsOK {
		c.enqueue(protocolError("Malformed subscription", offending))
		return
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	switch name {
	case streamRoomMessages, streamNotifyRoom, streamNotifyUser, streamNotifyLogged, streamNotifyAll:
	default:
		c.enqueue(nosubFrame(id, meteorErrorObject(404, "Subscription '"+name+"' not found", nil)))
		return
	}
	if c.subIndexLocked(id) >= 0 {
		// Meteor ignores a sub that reuses a live subscription's id.
		return
	}
	if e := c.rateLimitLocked(name); e != nil {
		c.enqueue(nosubFrame(id, e))
		return
	}
	event, useCollection, ok := s.subParams(params)
	if !ok {
		c.enqueue(nosubFrame(id, meteorErrorObject(400, "Match failed", nil)))
		return
	}
	if event == "" && !s.gen.nosubBare {
		c.enqueue(nosubFrame(id, meteorErrorObject("invalid-event-name", "", nil)))
		return
	}
	if !c.mayReadLocked(name, event) {
		if s.gen.nosubBare {
			c.enqueue(nosubFrame(id, nil))
		} else {
			c.enqueue(nosubFrame(id, meteorErrorObject("not-allowed", "", nil)))
		}
		return
	}
	c.subs = append(c.subs, &rtSub{id: id, stream: name, event: event})
	if useCollection {
		c.enqueue(addedFrame(name, event))
	}
	c.enqueue(readyFrame(id))
	if name == streamRoomMessages {
		s.rt.signalSubscribed()
	}
}

// hasRoomMessagesLocked reports whether the session has a ready
// subscription to room messages.
func (c *rtConn) hasRoomMessagesLocked() bool {
	for _, sub := range c.subs {
		if sub.stream == streamRoomMessages {
			return true
		}
	}
	return false
}

// subParams reads [eventName, options]: options is a boolean
// (useCollection) or {useCollection, args}, which 3.x checks strictly
// (both keys, nothing else).
func (s *Server) subParams(params []json.RawMessage) (event string, useCollection, ok bool) {
	if len(params) == 0 {
		return "", false, false
	}
	event, ok = jsonString(params[0])
	if !ok {
		return "", false, false
	}
	if len(params) < 2 {
		return event, false, !s.gen.strictSubOptions
	}
	var b bool
	if json.Unmarshal(params[1], &b) == nil && (params[1][0] == 't' || params[1][0] == 'f') {
		return event, b, true
	}
	var keys map[string]json.RawMessage
	var o subOptions
	if json.Unmarshal(params[1], &keys) != nil || keys == nil || json.Unmarshal(params[1], &o) != nil {
		return event, false, !s.gen.strictSubOptions
	}
	if s.gen.strictSubOptions {
		var args []json.RawMessage
		if len(keys) != 2 || o.UseCollection == nil || o.Args == nil || json.Unmarshal(*o.Args, &args) != nil || args == nil {
			return event, false, false
		}
	}
	return event, o.UseCollection != nil && *o.UseCollection, true
}

// mayReadLocked is the stream's read rule (notifications.module.ts).
func (c *rtConn) mayReadLocked(stream, event string) bool {
	s, a := c.s, c.user
	switch stream {
	case streamRoomMessages:
		if event == myMessages {
			// Readable by anyone; each message is checked on emit.
			return true
		}
		r := s.store.roomByID(event)
		return a != nil && r != nil && canAccess(a, r)
	case streamNotifyRoom:
		rid, _, _ := strings.Cut(event, "/")
		r := s.store.roomByID(rid)
		return a != nil && r != nil && r.isMember(a)
	case streamNotifyUser:
		uid, _, _ := strings.Cut(event, "/")
		return a != nil && uid == a.ID
	case streamNotifyLogged:
		return a != nil
	default:
		return true
	}
}

// rateLimitLocked counts a subscription to the stream against
// [WithRealtimeSubscriptionLimit], as DDPRateLimiter's per-connection,
// per-name rule does: the window starts at the first call, and a call
// over the limit is refused until it ends.
func (c *rtConn) rateLimitLocked(stream string) object {
	lim := c.s.rt.subLimit
	if lim.limit <= 0 {
		return nil
	}
	now := c.s.now()
	w := c.subCalls[stream]
	if w == nil || !now.Before(w.start.Add(lim.window)) {
		w = &subWindow{start: now}
		if c.subCalls == nil {
			c.subCalls = map[string]*subWindow{}
		}
		c.subCalls[stream] = w
	}
	w.calls++
	if w.calls <= lim.limit {
		return nil
	}
	reset := w.start.Add(lim.window).Sub(now).Milliseconds()
	seconds := (reset + 999) / 1000
	return meteorErrorObject("too-many-requests",
		fmt.Sprintf("Error, too many requests. Please slow down. You must wait %d seconds before trying again.", seconds),
		object{{"timeToReset", reset}})
}

// subWindow counts one stream's subscriptions in the current window.
type subWindow struct {
	start time.Time
	calls int
}

// subIndexLocked finds a live subscription by id, or -1.
func (c *rtConn) subIndexLocked(id string) int {
	return slices.IndexFunc(c.subs, func(sub *rtSub) bool { return sub.id == id })
}

// handleUnsub stops a subscription; Meteor answers nosub whether or
// not it existed.
func (c *rtConn) handleUnsub(msg map[string]json.RawMessage) {
	id, _ := jsonString(msg["id"])
	c.s.mu.Lock()
	if i := c.subIndexLocked(id); i >= 0 {
		c.subs = slices.Delete(c.subs, i, i+1)
	}
	c.s.mu.Unlock()
	c.enqueue(nosubFrame(id, nil))
}

// deliverLocked turns a change of the store into the stream events this
// session's subscriptions receive. It runs under the server's lock,
// for every change, and only queues frames.
func (c *rtConn) deliverLocked(ch change) {
	if len(c.subs) == 0 || c.user == nil {
		return
	}
	a, r := c.user, ch.room
	switch ch.kind {
	case changePosted, changeUpdated:
		if !canAccess(a, r) {
			return
		}
		doc, err := marshal(c.s.messageDoc(ch.msg, true))
		if err != nil {
			return
		}
		msg := doc
		for _, sub := range c.subs {
			if sub.stream != streamRoomMessages {
				continue
			}
			switch sub.event {
			case r.id:
				c.enqueue(changedFrame(streamRoomMessages, r.id, msg))
			case myMessages:
				meta := object{{"roomParticipant", r.isMember(a)}, {"roomType", r.t}}
				if r.t != "d" {
					meta = append(meta, field{"roomName", r.name})
				}
				c.enqueue(changedFrame(streamRoomMessages, myMessages, msg, frame(meta)))
			}
		}
	case changeDeleted:
		event := r.id + "/deleteMessage"
		for _, sub := range c.subs {
			if sub.stream == streamNotifyRoom && sub.event == event && r.isMember(a) {
				c.enqueue(changedFrame(streamNotifyRoom, event, frame(object{{"_id", ch.msg.id}})))
			}
		}
	}
}
