package rocketchattest

import (
	"encoding/json"
	"fmt"
)

// The DDP frames the server sends, written as Meteor's stringifyDDP
// writes them: keys in Meteor's order, dates as EJSON {"$date": ms}.

var (
	// frameServerID is the welcome Meteor before 2.3 sent on open.
	frameServerID = []byte(`{"server_id":"0"}`)
	framePing     = []byte(`{"msg":"ping"}`)
)

// frame encodes a frame the server builds; it cannot fail for the
// values this package builds.
func frame(o object) []byte {
	b, err := marshal(o)
	if err != nil {
		panic("rocketchattest: encoding a DDP frame: " + err.Error())
	}
	return b
}

// meteorErrorObject is a Meteor.Error as it travels in DDP frames:
// isClientSafe, error, reason (when there is one), details (when set),
// message ("reason [error]"), errorType. code is a string or a number.
func meteorErrorObject(code any, reason string, details any) object {
	o := object{{"isClientSafe", true}, {"error", code}}
	if reason != "" {
		o = append(o, field{"reason", reason})
	}
	if details != nil {
		o = append(o, field{"details", details})
	}
	msg := fmt.Sprintf("[%v]", code)
	if reason != "" {
		msg = reason + " " + msg
	}
	return append(o, field{"message", msg}, field{"errorType", "Meteor.Error"})
}

// protocolError is Meteor's {"msg":"error"} frame for a frame it cannot
// process; the socket stays open. offending is the frame as received,
// or nil.
func protocolError(reason string, offending json.RawMessage) []byte {
	o := object{{"msg", "error"}, {"reason", reason}}
	if offending != nil {
		o = append(o, field{"offendingMessage", offending})
	}
	return frame(o)
}

// resultFrame answers a method: with its result, an error, or neither
// (a method that returned undefined).
func resultFrame(id string, result any, err object) []byte {
	o := object{{"msg", "result"}, {"id", id}}
	switch {
	case err != nil:
		o = append(o, field{"error", err})
	case result != nil:
		o = append(o, field{"result", result})
	}
	return frame(o)
}

func updatedFrame(id string) []byte {
	return frame(object{{"msg", "updated"}, {"methods", []string{id}}})
}

func readyFrame(id string) []byte {
	return frame(object{{"msg", "ready"}, {"subs", []string{id}}})
}

// nosubFrame ends a subscription, with an error object or without.
func nosubFrame(id string, err object) []byte {
	o := object{{"msg", "nosub"}, {"id", id}}
	if err != nil {
		o = append(o, field{"error", err})
	}
	return frame(o)
}

// changedFrame is a stream event: the id is always the literal "id".
// The arguments come encoded, and are copied as they are rather than
// encoded again: a message is encoded once per event.
func changedFrame(collection, eventName string, args ...[]byte) []byte {
	b := make([]byte, 0, 128+sumLen(args))
	b = append(b, `{"msg":"changed","collection":`...)
	b = appendJSON(b, collection)
	b = append(b, `,"id":"id","fields":{"eventName":`...)
	b = appendJSON(b, eventName)
	b = append(b, `,"args":[`...)
	for i, a := range args {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, a...)
	}
	return append(b, "]}}"...)
}

func sumLen(bs [][]byte) int {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	return n
}

// appendJSON appends v encoded as JSON.
func appendJSON(b []byte, v any) []byte {
	enc, err := marshal(v)
	if err != nil {
		panic("rocketchattest: encoding a DDP frame: " + err.Error())
	}
	return append(b, enc...)
}

// addedFrame is what useCollection subscriptions get before ready.
func addedFrame(collection, eventName string) []byte {
	return frame(object{{"msg", "added"}, {"collection", collection}, {"id", "id"},
		{"fields", object{{"eventName", eventName}}}})
}
