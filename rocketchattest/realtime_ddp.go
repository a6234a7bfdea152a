package rocketchattest

import (
	"bytes"
	"encoding/json"
	"slices"
)

// ddpVersions are the DDP versions Meteor's server speaks, preferred
// first.
var ddpVersions = []string{"1", "pre2", "pre1"}

// handle processes one client frame as Meteor's livedata server does.
func (c *rtConn) handle(data []byte) {
	var msg map[string]json.RawMessage
	// Meteor's parseDDP discards what is not a JSON object, which then
	// reads as a bad request with nothing to quote.
	if err := json.Unmarshal(data, &msg); err != nil || msg == nil {
		c.enqueue(protocolError("Bad request", nil))
		return
	}
	var offending json.RawMessage
	if b := bytes.TrimSpace(data); json.Valid(b) {
		offending = json.RawMessage(b)
	}
	kind, ok := jsonString(msg["msg"])
	if !ok || kind == "" {
		c.enqueue(protocolError("Bad request", offending))
		return
	}
	if kind == "connect" {
		if c.connected.Load() {
			c.enqueue(protocolError("Already connected", offending))
			return
		}
		c.handleConnect(msg)
		return
	}
	if !c.connected.Load() {
		c.enqueue(protocolError("Must connect first", offending))
		return
	}
	switch kind {
	case "ping":
		pong := object{{"msg", "pong"}}
		if id, ok := msg["id"]; ok {
			pong = append(pong, field{"id", id})
		}
		c.enqueue(frame(pong))
	case "pong":
		// A sign of life, counted by the reader.
	case "sub":
		c.handleSub(msg, offending)
	case "unsub":
		c.handleUnsub(msg)
	case "method":
		c.handleMethod(msg, offending)
	default:
		c.enqueue(protocolError("Bad request", offending))
	}
}

// handleConnect is Meteor's _handleConnect: version must be one the
// client supports, and the best one both sides speak; else "failed"
// names the version to use and the socket closes.
func (c *rtConn) handleConnect(msg map[string]json.RawMessage) {
	version, vok := jsonString(msg["version"])
	var support []string
	sok := json.Unmarshal(msg["support"], &support) == nil && support != nil
	if !vok || !sok || !slices.Contains(support, version) {
		c.enqueue(frame(object{{"msg", "failed"}, {"version", ddpVersions[0]}}))
		c.closeNormally()
		return
	}
	best := ddpVersions[0]
	for _, v := range support {
		if slices.Contains(ddpVersions, v) {
			best = v
			break
		}
	}
	if version != best {
		c.enqueue(frame(object{{"msg", "failed"}, {"version", best}}))
		c.closeNormally()
		return
	}
	c.connected.Store(true)
	c.enqueue(frame(object{{"msg", "connected"}, {"session", randomID()}}))
}

// handleMethod runs a method call: login and logout; any other method is
// unknown to this server.
func (c *rtConn) handleMethod(msg map[string]json.RawMessage, offending json.RawMessage) {
	id, idOK := jsonString(msg["id"])
	name, nameOK := jsonString(msg["method"])
	var params []json.RawMessage
	paramsOK := true
	if raw, ok := msg["params"]; ok {
		paramsOK = json.Unmarshal(raw, &params) == nil && params != nil
	}
	seedOK := true
	if raw, ok := msg["randomSeed"]; ok {
		_, seedOK = jsonString(raw)
	}
	if !idOK || !nameOK || !paramsOK || !seedOK {
		c.enqueue(protocolError("Malformed method invocation", offending))
		return
	}
	var result any
	var errObj object
	switch name {
	case "login":
		result, errObj = c.login(params)
	case "logout":
		c.logout()
	default:
		errObj = meteorErrorObject(404, "Method '"+name+"' not found", nil)
	}
	if c.s.gen.updatedFirst {
		c.enqueue(updatedFrame(id))
		c.enqueue(resultFrame(id, result, errObj))
		return
	}
	c.enqueue(resultFrame(id, result, errObj))
	c.enqueue(updatedFrame(id))
}

// jsonString reads a JSON string; ok is false for anything else.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}
