package rocketchattest

import (
	"net/http"
	"slices"
)

// serveSyncMessages is GET /api/v1/chat.syncMessages?roomId=&lastUpdate=
// (the messages/get method with lastUpdate): the room's messages updated
// after lastUpdate, newest first, and the messages deleted after it,
// from the trash.
func (s *Server) serveSyncMessages(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	q := r.URL.Query()
	// Up to 5.x the endpoint throws and the router answers with the
	// error's type and details; from 6.0 it catches and answers the
	// error's message alone.
	fail := func(code, reason string, details any) {
		if s.gen.syncErrorsPlain {
			writePlainFailure(w, reason+" ["+code+"]")
			return
		}
		writeMeteorError(w, code, reason, details)
	}
	roomID, lastUpdate := q.Get("roomId"), q.Get("lastUpdate")
	if roomID == "" {
		fail("error-roomId-param-not-provided", `The required "roomId" query param is missing.`, nil)
		return
	}
	if lastUpdate == "" {
		fail("error-lastUpdate-param-not-provided", `The required "lastUpdate" query param is missing.`, nil)
		return
	}
	since, ok := parseDate(lastUpdate)
	if !ok {
		fail("error-roomId-param-invalid", `The "lastUpdate" query parameter must be a valid date.`, nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	room := s.store.roomByID(roomID)
	if room == nil || !canAccess(rc.user, room) {
		fail("error-not-allowed", "Not allowed", object{{"method", "messages/get"}})
		return
	}
	updated := []messageJSON{}
	for _, m := range s.store.roomMessages(room.id) {
		if m.updatedAt.After(since) {
			updated = append(updated, s.messageObject(m))
		}
	}
	var gone []trashedMessage
	for _, t := range s.store.trash {
		if t.rid == room.id && t.deletedAt.After(since) {
			gone = append(gone, t)
		}
	}
	slices.SortStableFunc(gone, func(a, b trashedMessage) int { return b.ts.Compare(a.ts) })
	deleted := make([]object, 0, len(gone))
	for _, t := range gone {
		deleted = append(deleted, object{{"_id", t.id}, {"_deletedAt", isoTime(t.deletedAt)}})
	}
	writeJSON(w, http.StatusOK, object{{"result", object{{"updated", updated}, {"deleted", deleted}}}, {"success", true}})
}
