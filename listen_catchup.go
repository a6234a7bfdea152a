package rocketchat

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"time"
)

// deletedMessage is an entry of chat.syncMessages' deleted list: a
// message removed from the room, from the server's trash.
type deletedMessage struct {
	ID        string    `json:"_id"`
	DeletedAt time.Time `json:"_deletedAt"`
}

// catchUp fetches over REST what the stream may have missed during g:
// the messages of each room updated since its cursor, and those deleted.
// In all-rooms mode, rooms.get?updatedSince= says which joined rooms
// changed. The events come oldest first, marked Missed.
func (l *listener) catchUp(ctx context.Context, g *gap) ([]MessageEvent, error) {
	overlap := listenTuning.overlap
	since := func(t time.Time) string {
		if t.IsZero() {
			t = l.start
		}
		return t.Add(-overlap).UTC().Format(isoMillis)
	}
	rooms := make(map[string]roomMeta)
	for _, r := range l.rooms {
		rooms[r] = roomMeta{}
	}
	if len(l.rooms) == 0 {
		out := struct {
			verdict `json:",inline"`
			Update  list[wireRoom, Room] `json:"update"`
		}{Update: newList(l.c.maxBytes, toRoom)}
		if err := l.c.get(ctx, "v1/rooms.get", url.Values{"updatedSince": {since(g.newest)}}, &out); err != nil {
			return nil, err
		}
		for _, r := range out.Update.items {
			rooms[r.ID] = roomMeta{r.Type, r.Name}
		}
		for r, m := range g.rooms {
			if _, ok := rooms[r]; !ok {
				rooms[r] = m
			}
		}
	}
	var events []MessageEvent
	for rid, meta := range rooms {
		from := g.cursor[rid]
		if from.IsZero() {
			from = g.newest
		}
		out := struct {
			verdict `json:",inline"`
			Result  struct {
				Updated list[wireMessage, Message] `json:"updated"`
				Deleted []deletedMessage           `json:"deleted"`
			} `json:"result"`
		}{}
		out.Result.Updated = newList(l.c.maxBytes, toMessage)
		q := url.Values{"roomId": {rid}, "lastUpdate": {since(from)}}
		if err := l.c.get(ctx, "v1/chat.syncMessages", q, &out); err != nil {
			return nil, err
		}
		for _, m := range out.Result.Updated.items {
			if m.UpdatedAt.Before(l.start) {
				continue // unchanged since Listen began
			}
			if m.RoomID == "" {
				m.RoomID = rid
			}
			events = append(events, MessageEvent{Message: m, RoomType: meta.typ, RoomName: meta.name, Missed: true})
		}
		for _, d := range out.Result.Deleted {
			if d.ID == "" || d.DeletedAt.Before(l.start) {
				continue
			}
			events = append(events, MessageEvent{
				Kind:     MessageDeleted,
				Message:  Message{ID: d.ID, RoomID: rid, UpdatedAt: d.DeletedAt},
				RoomType: meta.typ, RoomName: meta.name, Missed: true,
			})
		}
	}
	slices.SortStableFunc(events, func(a, b MessageEvent) int {
		return a.Message.UpdatedAt.Compare(b.Message.UpdatedAt)
	})
	l.mu.Lock()
	for _, ev := range events {
		l.advanceLocked(ev.Message.RoomID, ev.Message.UpdatedAt)
	}
	l.mu.Unlock()
	l.log(ctx, slog.LevelInfo, "rocketchat: Listen: caught up",
		slog.String("reason", g.reason), slog.Int("rooms", len(rooms)), slog.Int("events", len(events)))
	return events, nil
}
