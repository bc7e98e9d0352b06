package contract

import (
	"testing"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// OldEvent is an events row written before migration 00009 (payload as text, no
// message_id), for a dialect's test to insert with its own SQL.
type OldEvent struct {
	ID, Type, SessionID, Payload string
}

// OldEvents are rows of every shape the migration meets: received messages (whose
// message id it copies out), another message event, and a non-ASCII payload.
var OldEvents = []OldEvent{
	{"01OLDEVENT0001", "message_received", "s1", `{"id":"s1","message":{"key":{"remoteJid":"628@s.whatsapp.net","id":"3EB0OLD1"}},"text":"é \u00e9 👋"}`},
	{"01OLDEVENT0002", "message_received", "s2", `{"message":{"key":{"id":"3EB0OLD2"}}, "text":"spaced"}`},
	{"01OLDEVENT0003", "message_reaction", "s1", `{"message":{"key":{"id":"3EB0OLD3"}}}`},
}

// CheckOldEvents checks that s, migrated over OldEvents, keeps their payloads byte
// for byte and finds the received messages by id.
func CheckOldEvents(t *testing.T, s ports.Store) {
	t.Helper()
	ctx := t.Context()
	for _, o := range OldEvents {
		e, err := s.Events().Get(ctx, o.ID)
		must(t, err)
		if string(e.Payload) != o.Payload || string(e.Type) != o.Type || e.SessionID != o.SessionID {
			t.Fatalf("event %s after migrating: %+v (payload %s)", o.ID, e, e.Payload)
		}
	}
	for _, c := range []struct{ session, message, want string }{
		{"s1", "3EB0OLD1", "01OLDEVENT0001"},
		{"s2", "3EB0OLD2", "01OLDEVENT0002"},
	} {
		e, err := s.Inbound().FindReceived(ctx, c.session, c.message)
		must(t, err)
		equal(t, e.ID, c.want)
		equal(t, e.MessageID, c.message)
	}
	_, err := s.Inbound().FindReceived(ctx, "s1", "3EB0OLD3") // a reaction, not a received message
	isFault(t, err, fault.KindNotFound, fault.ReasonMessageNotFound)
}
