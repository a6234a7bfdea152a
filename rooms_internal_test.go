package rocketchat

import (
	"strconv"
	"testing"
)

// TestRoomTypesBounded: however many rooms a client walks, it remembers
// at most maxRoomTypes types, the newest always among them.
func TestRoomTypesBounded(t *testing.T) {
	var rt roomTypes
	for i := range 3 * maxRoomTypes {
		id := "room" + strconv.Itoa(i)
		rt.put(id, "c")
		if got, ok := rt.get(id); !ok || got != "c" {
			t.Fatalf("room %d: get = %q, %v right after put", i, got, ok)
		}
	}
	if n := len(rt.types); n != maxRoomTypes {
		t.Errorf("%d room types remembered, want %d", n, maxRoomTypes)
	}
	var held string
	for id := range rt.types {
		held = id
		break
	}
	rt.put(held, "p") // a room already held is updated, nothing evicted
	if got, _ := rt.get(held); got != "p" || len(rt.types) != maxRoomTypes {
		t.Errorf("after updating %s: type %q, %d rooms; want p, %d", held, got, len(rt.types), maxRoomTypes)
	}
	rt.forget(held)
	if _, ok := rt.get(held); ok {
		t.Errorf("%s still remembered after forget", held)
	}
}
