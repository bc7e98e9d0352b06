package bus

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/warest-go/warest/domain/event"
)

// Metadata keys; type and session let a future cross-node subscriber filter
// without decoding the payload.
const (
	metaType    = "type"
	metaSession = "session_id"
	// metaOnly lists, comma-separated, the only subscribers an event is for: those
	// whose batch of it failed.
	metaOnly = "only"
)

// wireEnvelope fixes the JSON shape independently of Go field names, because it
// may cross process boundaries once the bus runs over SQL or NATS.
type wireEnvelope struct {
	ID         string          `json:"id"`
	Seq        int64           `json:"seq"`
	Type       event.Type      `json:"type"`
	SessionID  string          `json:"session_id"`
	OccurredAt time.Time       `json:"occurred_at"`
	Payload    json.RawMessage `json:"payload"`
}

func toMessage(e event.Envelope) (*message.Message, error) {
	body, err := json.Marshal(wireEnvelope(e))
	if err != nil {
		return nil, fmt.Errorf("bus: encode event %s: %w", e.ID, err)
	}
	msg := message.NewMessage(e.ID, body)
	msg.Metadata.Set(metaType, string(e.Type))
	msg.Metadata.Set(metaSession, e.SessionID)
	return msg, nil
}

func fromMessage(msg *message.Message) (event.Envelope, error) {
	var w wireEnvelope
	if err := json.Unmarshal(msg.Payload, &w); err != nil {
		return event.Envelope{}, fmt.Errorf("bus: decode event %s: %w", msg.UUID, err)
	}
	return event.Envelope(w), nil
}

// toBatchMessage carries several events in one message, for batch handlers.
func toBatchMessage(events []event.Envelope) (*message.Message, error) {
	wire := make([]wireEnvelope, len(events))
	for i, e := range events {
		wire[i] = wireEnvelope(e)
	}
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, fmt.Errorf("bus: encode %d events: %w", len(events), err)
	}
	return message.NewMessage(events[0].ID+"+", body), nil
}

func fromBatchMessage(msg *message.Message) ([]event.Envelope, error) {
	var wire []wireEnvelope
	if err := json.Unmarshal(msg.Payload, &wire); err != nil {
		return nil, fmt.Errorf("bus: decode events %s: %w", msg.UUID, err)
	}
	events := make([]event.Envelope, len(wire))
	for i, w := range wire {
		events[i] = event.Envelope(w)
	}
	return events, nil
}
