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

// frame is what the reader keeps of a received frame.
type frame struct {
	msg, id, collection, eventName string
	subs                           []string
	result, err, args              jsontext.Value
	argsDone                       bool // OnChanged already read the args
}

// handle reads one frame and acts on it. The frame is read token by
// token, not into a struct, so that the args of a stream event go
// straight from the frame to OnChanged in the same pass.
func (c *Conn) handle(data []byte) error {
	var f frame
	if err := c.parse(data, &f); err != nil {
		return fmt.Errorf("ddp: malformed frame: %w", err)
	}
	switch f.msg {
	case "ping":
		// Answered from the reader, before anything else is read, so
		// that a busy stream never delays a pong.
		return c.send(c.ctx, pongFrame{Msg: "pong", ID: f.id})
	case "connected":
		select {
		case c.connected <- f.id:
		default:
		}
	case "failed":
		return errors.New("ddp: the server refused DDP version 1")
	case "result":
		var r reply
		if r.err = errorFrom(f.err); r.err == nil {
			r.result = f.result
		}
		c.deliver(f.id, r)
	case "ready":
		for _, id := range f.subs {
			c.deliver(id, reply{})
		}
	case "nosub":
		err := errorFrom(f.err)
		if err == nil {
			err = &Error{}
		}
		c.deliver(f.id, reply{err: err})
	case "changed":
		if !f.argsDone && f.args != nil && c.opts.OnChanged != nil {
			return c.changed(f.collection, f.eventName, jsontext.NewDecoder(bytes.NewReader(f.args)))
		}
	}
	// Anything else ("pong", "updated", "added", "server_id", frames
	// without msg, protocol errors) changes nothing here.
	return nil
}

// parse reads the members of a frame that matter.
func (c *Conn) parse(data []byte, f *frame) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '{' {
		return errors.New("not an object")
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch name.String() {
		case "msg":
			f.msg, err = readString(dec)
		case "id":
			f.id, err = readString(dec)
		case "collection":
			f.collection, err = readString(dec)
		case "subs":
			err = json.UnmarshalDecode(dec, &f.subs)
		case "result":
			f.result, err = readRaw(dec)
		case "error":
			f.err, err = readRaw(dec)
		case "fields":
			err = c.parseFields(dec, f)
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// parseFields reads the fields of a "changed" frame. When the frame has
// said it is a stream event before its args, as every server writes it,
// the args are decoded by OnChanged right here; otherwise they are kept
// for later.
func (c *Conn) parseFields(dec *jsontext.Decoder, f *frame) error {
	if dec.PeekKind() != '{' {
		return dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch name.String() {
		case "eventName":
			f.eventName, err = readString(dec)
		case "args":
			if f.msg == "changed" && f.collection != "" && f.eventName != "" && c.opts.OnChanged != nil {
				f.argsDone = true
				err = c.changed(f.collection, f.eventName, dec)
			} else {
				f.args, err = readRaw(dec)
			}
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
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

func readString(dec *jsontext.Decoder) (string, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return "", err
	}
	if tok.Kind() != '"' {
		return "", fmt.Errorf("a %v where a string belongs", tok.Kind())
	}
	return tok.String(), nil
}

func readRaw(dec *jsontext.Decoder) (jsontext.Value, error) {
	v, err := dec.ReadValue()
	return v.Clone(), err
}
