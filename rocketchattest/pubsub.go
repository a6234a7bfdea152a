package rocketchattest

import "sync"

// changeKind names a change of the store that subscribers hear about.
type changeKind int

const (
	// changePosted: a message was stored for the first time.
	changePosted changeKind = iota + 1
	// changeUpdated: a stored message changed (an edit, a reaction, a
	// deletion shown as t:"rm").
	changeUpdated
	// changeDeleted: a message was removed (its ID and room remain in the
	// change).
	changeDeleted
	// changeRoomCreated: a room was made.
	changeRoomCreated
	// changeJoined: users joined a room.
	changeJoined
)

// change is one change of the store, as it is published: the room and
// message as they are after it (for changeDeleted, the message as it
// was).
type change struct {
	kind  changeKind
	room  *room
	msg   *message
	users []string // changeJoined: the IDs of who joined
}

// pubsub is the store's publish/subscribe: every change is handed to
// every subscriber in the order the changes happen. Changes are
// published with the server's lock held, and subscribers are called
// under it, so they may read the store but must never block: the
// realtime connections only queue frames (see rtConn.enqueue).
//
// Lock order: Server.mu, then pubsub.mu.
type pubsub struct {
	mu   sync.Mutex
	next int
	subs map[int]func(change)
}

// subscribe adds f and returns the function that removes it.
func (p *pubsub) subscribe(f func(change)) (cancel func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.subs == nil {
		p.subs = map[int]func(change){}
	}
	id := p.next
	p.next++
	p.subs[id] = f
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.subs, id)
	}
}

// publish hands c to every subscriber. The caller holds the server's
// lock.
func (p *pubsub) publish(c change) {
	p.mu.Lock()
	subs := make([]func(change), 0, len(p.subs))
	for _, f := range p.subs {
		subs = append(subs, f)
	}
	p.mu.Unlock()
	for _, f := range subs {
		f(c)
	}
}
