package rocketchattest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// field is one key of an object written in a fixed order.
type field struct {
	key   string
	value any
}

// object is a JSON object whose keys keep the order the server writes
// them in, so that golden files made from this fake read like captures
// of a real server. A nil value is written as null; use omit-style
// building (appending only present keys) for absent ones.
type object []field

// MarshalJSON writes the keys in order, without HTML escaping, as
// JavaScript's JSON.stringify does.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := marshal(f.key)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		v, err := marshal(f.value)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshal encodes v like JSON.stringify: compact, no HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeJSON sends v with the headers the API router sets on every JSON
// answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshal(v)
	if err != nil {
		// Every value written here is built by this package; failing to
		// encode one is a bug in the fake, not a server behaviour.
		panic("rocketchattest: encoding an answer: " + err.Error())
	}
	writeRaw(w, status, body)
}

// writeRaw sends an encoded JSON body with the API router's headers.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// Messages the server sends verbatim.
const (
	msgNotLoggedIn   = "You must be logged in to do this."
	msgNoPermission  = "User does not have the permissions required for this action [error-unauthorized]"
	msgLoggedOut     = "You've been logged out!"
	msgResumeExpired = "You've been logged out by the server. Please log in again."
)

// unauthorizedBody is "not logged in" (HTTP 401) in the generation's
// envelope: apps/meteor/app/api/server/middlewares/authenticationHono.ts
// (7.x, 8.x: Restivus keys merged into the API envelope), Restivus's own
// body before, and the 9.0 envelope once applyBreakingChanges holds.
func (g generation) unauthorizedBody() object {
	switch {
	case g.unauthorizedLegacy:
		return object{{"status", "error"}, {"message", msgNotLoggedIn}}
	case g.unauthorizedMerged:
		return object{{"success", false}, {"error", msgNotLoggedIn}, {"status", "error"}, {"message", msgNotLoggedIn}}
	default:
		return object{{"success", false}, {"error", msgNotLoggedIn}}
	}
}

// forbiddenBody is a missing permission (HTTP 403): API.v1.unauthorized()
// in 3.10 to 6.x answered 403 {"success":false,"error":"unauthorized"};
// the permissions middleware later names the code in brackets.
func (g generation) forbiddenBody() object {
	if g.forbiddenLegacy {
		return object{{"success", false}, {"error", "unauthorized"}}
	}
	return object{{"success", false}, {"error", msgNoPermission}}
}

// loginErrorBody is a failed login (HTTP 401). errCode is the Meteor
// error code (a string, or a number for Meteor's own 400/403 errors),
// details may be nil. Up to 6.x the body is Restivus's; 7.x and 8.x
// assign those keys onto {"success":false,"error":"unauthorized"}; 9.0
// keeps only that base (ApiClass.ts, applyBreakingChanges).
func (g generation) loginErrorBody(errCode any, message string, details any) object {
	var o object
	switch {
	case !g.loginErrorDetailed:
		return object{{"success", false}, {"error", "unauthorized"}}
	case g.loginSuccessKey:
		o = object{{"success", false}, {"error", errCode}, {"status", "error"}}
	default:
		o = object{{"status", "error"}, {"error", errCode}}
	}
	if details != nil {
		o = append(o, field{"details", details})
	}
	return append(o, field{"message", message})
}

// failureBody is API.v1.failure(message, errorType, stack, error): a 400
// whose error ends in the code in brackets, as Meteor.Error's message
// does.
func failureBody(errorType, reason string, details any) object {
	msg := "[" + errorType + "]"
	if reason != "" {
		msg = reason + " " + msg
	}
	o := object{{"success", false}, {"error", msg}, {"errorType", errorType}}
	if details != nil {
		o = append(o, field{"details", details})
	}
	return o
}

// tooManyRequestsBody is the rate limiter's 429.
func tooManyRequestsBody(seconds int64) object {
	return object{{"success", false}, {"error", "Error, too many requests. Please slow down. You must wait " +
		strconv.FormatInt(seconds, 10) + " seconds before trying this endpoint again. [error-too-many-requests]"}}
}

// writeNotFound answers a path no route serves. 7.x and later route /api
// through Hono without a notFound handler, so Hono's default page
// answers (packages/http-router/src/Router.ts). Before, the request fell
// through the API router to the web app, which answers with an HTML
// page; the status is 404 either way.
func (g generation) writeNotFound(w http.ResponseWriter) {
	if g.hono {
		writeText(w, http.StatusNotFound, "text/plain; charset=UTF-8", "404 Not Found")
		return
	}
	writeText(w, http.StatusNotFound, "text/html; charset=utf-8",
		"<!DOCTYPE html>\n<html>\n<head><title>404 Not Found</title></head>\n<body><h1>Not Found</h1></body>\n</html>\n")
}

// writeMethodNotAllowed is Restivus's answer for a known path called
// with a method it does not register (up to 5.x).
func writeMethodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, object{{"status", "error"}, {"message", "API endpoint does not exist"}})
}

func writeText(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write([]byte(body))
}

// apiError is a refusal as a value, so that lookups shared by several
// endpoints leave the writing to the endpoint: writeAPIError sends it.
type apiError struct {
	status int
	body   object
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, e.body)
}

// meteorError is a Meteor.Error thrown in an endpoint: 400 with the code
// in errorType and in brackets after the reason.
func meteorError(code, reason string, details any) *apiError {
	return &apiError{http.StatusBadRequest, failureBody(code, reason, details)}
}

// plainFailure is API.v1.failure(message), or a plain Error thrown in an
// endpoint: 400 {"success":false,"error":message}.
func plainFailure(message string) *apiError {
	return &apiError{http.StatusBadRequest, object{{"success", false}, {"error", message}}}
}

func writeMeteorError(w http.ResponseWriter, code, reason string, details any) {
	writeAPIError(w, meteorError(code, reason, details))
}

func writePlainFailure(w http.ResponseWriter, message string) {
	writeAPIError(w, plainFailure(message))
}

// writeInvalidParams is an ajv validation failure: the schema's messages
// joined by a newline and a space, and the code in brackets.
func writeInvalidParams(w http.ResponseWriter, messages ...string) {
	writeMeteorError(w, "invalid-params", strings.Join(messages, "\n "), nil)
}
