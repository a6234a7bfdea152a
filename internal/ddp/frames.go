package ddp

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Frames the client sends.
type (
	connectFrame struct {
		Msg     string   `json:"msg"`
		Version string   `json:"version"`
		Support []string `json:"support"`
	}
	methodFrame struct {
		Msg    string `json:"msg"`
		ID     string `json:"id"`
		Method string `json:"method"`
		Params []any  `json:"params"`
	}
	subFrame struct {
		Msg    string `json:"msg"`
		ID     string `json:"id"`
		Name   string `json:"name"`
		Params []any  `json:"params"`
	}
	pongFrame struct {
		Msg string `json:"msg"`
		ID  string `json:"id,omitempty"`
	}
)

// Error is a refusal from the server: a method's error, or the error of
// a nosub. It has the members of a Meteor error.
type Error struct {
	// Code is the error member: a word ("not-allowed",
	// "too-many-requests") or an HTTP-like number (403, 401) as text; ""
	// for a nosub without an error object, as Rocket.Chat 3.x sends when
	// it refuses a subscription.
	Code    string
	Reason  string
	Message string
	// Details is the details member as sent ({"timeToReset": ms} for
	// too-many-requests).
	Details jsontext.Value
}

func (e *Error) Error() string {
	switch {
	case e.Code == "" && e.Reason == "":
		return "ddp: refused without a reason"
	case e.Reason == "":
		return "ddp: " + e.Code
	}
	return "ddp: " + e.Reason + " [" + e.Code + "]"
}

// wireError is a Meteor error object; its error member is a string or a
// number.
type wireError struct {
	Error   jsontext.Value `json:"error"`
	Reason  string         `json:"reason"`
	Message string         `json:"message"`
	Details jsontext.Value `json:"details"`
}

// errorFrom turns the raw error member of a frame into an *Error; nil
// for none.
func errorFrom(raw jsontext.Value) error {
	if len(raw) == 0 || raw.Kind() == 'n' {
		return nil
	}
	var w wireError
	if err := json.Unmarshal(raw, &w); err != nil {
		return &Error{Reason: "malformed error object"}
	}
	code := string(w.Error)
	if w.Error.Kind() == '"' {
		_ = json.Unmarshal(w.Error, &code)
	}
	return &Error{Code: code, Reason: w.Reason, Message: w.Message, Details: w.Details}
}

// frame is a received frame: the members any message of the protocol
// may have that the client uses.
type frame struct {
	Msg        string         `json:"msg"`
	ID         string         `json:"id"`
	Collection string         `json:"collection"`
	Subs       []string       `json:"subs"`
	Result     jsontext.Value `json:"result"`
	Error      jsontext.Value `json:"error"`
	Fields     struct {
		EventName string      `json:"eventName"`
		Args      changedArgs `json:"args"`
	} `json:"fields"`
}

// changedArgs hands a stream event's args to OnChanged as the frame is
// decoded, in the same pass, when the frame named its stream before them
// (as servers write it); otherwise it keeps them for after.
type changedArgs struct {
	c    *Conn
	f    *frame
	done bool
	raw  jsontext.Value
}

func (a *changedArgs) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	f := a.f
	if f.Msg == "changed" && f.Collection != "" && f.Fields.EventName != "" && a.c.opts.OnChanged != nil {
		a.done = true
		return a.c.changed(f.Collection, f.Fields.EventName, dec)
	}
	v, err := dec.ReadValue()
	a.raw = v.Clone()
	return err
}

// changed hands a stream event's args to OnChanged and checks that it
// read exactly them.
func (c *Conn) changed(collection, eventName string, dec *jsontext.Decoder) error {
	depth, offset := dec.StackDepth(), dec.InputOffset()
	if err := c.opts.OnChanged(collection, eventName, dec); err != nil {
		return fmt.Errorf("%s %s: %w", collection, eventName, err)
	}
	if dec.StackDepth() != depth || dec.InputOffset() == offset {
		return fmt.Errorf("%s %s: the args were not read as one value", collection, eventName)
	}
	return nil
}

// handle reads one frame and acts on it.
func (c *Conn) handle(data []byte) error {
	var f frame
	f.Fields.Args = changedArgs{c: c, f: &f}
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("ddp: malformed frame: %w", err)
	}
	switch f.Msg {
	case "ping":
		// Answered from the reader, before anything else is read, so
		// that a busy stream never delays a pong.
		return c.send(c.ctx, pongFrame{Msg: "pong", ID: f.ID})
	case "connected":
		select {
		case c.connected <- f.ID:
		default:
		}
	case "failed":
		return errors.New("ddp: the server refused DDP version 1")
	case "result":
		var r reply
		if r.err = errorFrom(f.Error); r.err == nil {
			r.result = f.Result
		}
		c.deliver(f.ID, r)
	case "ready":
		for _, id := range f.Subs {
			c.deliver(id, reply{})
		}
	case "nosub":
		err := errorFrom(f.Error)
		if err == nil {
			err = &Error{}
		}
		c.deliver(f.ID, reply{err: err})
	case "changed":
		if a := f.Fields.Args; !a.done && a.raw != nil && c.opts.OnChanged != nil {
			return c.changed(f.Collection, f.Fields.EventName, jsontext.NewDecoder(bytes.NewReader(a.raw)))
		}
	}
	// Anything else ("pong", "updated", "added", "server_id", frames
	// without msg, protocol errors) changes nothing here.
	return nil
}
