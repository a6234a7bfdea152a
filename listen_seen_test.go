package rocketchat

import (
	"testing"
	"time"
)

// TestListenForgetsOldMessages: what the caller was shown of messages
// last changed long before the newest is forgotten once enough are
// remembered, and a later change of one of them is an edit, not a post.
func TestListenForgetsOldMessages(t *testing.T) {
	old := listenTuning
	t.Cleanup(func() { listenTuning = old })
	listenTuning.minSeen = 4
	listenTuning.forgetAfter = time.Hour

	c, err := NewClient("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	l := newListener(c, []string{"GENERAL"})
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	l.start = t0
	accept := func(id, text string, ts, updated, edited time.Time) EventKind {
		t.Helper()
		ev := MessageEvent{Message: Message{ID: id, RoomID: "GENERAL", Text: text, Timestamp: ts, UpdatedAt: updated, EditedAt: edited}}
		if !l.accept(&ev) {
			return 0
		}
		return ev.Kind
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	if k := accept("M1", "hi", at(time.Minute), at(time.Minute), time.Time{}); k != MessagePosted {
		t.Fatalf("M1: %v, want posted", k)
	}
	for _, id := range []string{"M2", "M3", "M4"} {
		if k := accept(id, "later", at(2*time.Hour), at(2*time.Hour), time.Time{}); k != MessagePosted {
			t.Fatalf("%s: %v, want posted", id, k)
		}
	}
	// The fourth message reached minSeen: M1, last changed two hours
	// before the newest, is forgotten, the others are kept.
	if _, ok := l.seen["M1"]; ok || len(l.seen) != 3 {
		t.Errorf("remembered %d messages (M1 among them: %v), want M2 to M4", len(l.seen), ok)
	}
	if k := accept("M2", "later", at(2*time.Hour), at(2*time.Hour), time.Time{}); k != 0 {
		t.Errorf("M2 again: %v, want nothing", k)
	}
	if k := accept("M1", "hi!", at(time.Minute), at(2*time.Hour+time.Second), at(2*time.Hour+time.Second)); k != MessageEdited {
		t.Errorf("forgotten M1 edited: %v, want edited", k)
	}
	// A message first seen now but posted before what was forgotten is
	// not announced as new: its post may have been shown and forgotten.
	if k := accept("M0", "late", at(30*time.Minute), at(30*time.Minute), time.Time{}); k != MessageUpdated {
		t.Errorf("M0: %v, want updated", k)
	}
	if k := accept("M5", "new", at(3*time.Hour), at(3*time.Hour), time.Time{}); k != MessagePosted {
		t.Errorf("M5: %v, want posted", k)
	}
}
