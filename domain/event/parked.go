package event

import (
	"time"

	"github.com/warest-go/warest/domain/message"
)

// Parked is a dead letter: a transport observation that could not be recorded for
// a reason other than the store being unavailable. It is kept with that reason,
// so it neither blocks its session's later observations nor is lost.
type Parked struct {
	ID        string // derived from the content: an observation delivered again parks once
	SessionID string
	Kind      string // what was observed, e.g. "TransportMessage"
	Payload   []byte // the observation, as the transport reported it, in JSON
	Reason    string // why it could not be recorded
	ParkedAt  time.Time
}

// NewParked builds a dead letter. Kind and reason become valid UTF-8 without NUL
// (they are text columns); the payload is kept as given.
func NewParked(sessionID, kind string, payload []byte, reason string, at time.Time) Parked {
	return Parked{ID: DerivedID(time.Time{}, sessionID+"|"+kind+"|"+string(payload)), SessionID: message.StorableText(sessionID),
		Kind: message.StorableText(kind), Payload: payload, Reason: message.StorableText(reason), ParkedAt: at.UTC()}
}
