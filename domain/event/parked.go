package event

import (
	"strings"
	"time"
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
	return Parked{ID: DerivedID(time.Time{}, sessionID+"|"+kind+"|"+string(payload)), SessionID: text(sessionID),
		Kind: text(kind), Payload: payload, Reason: text(reason), ParkedAt: at.UTC()}
}

// text makes s storable in any text column: valid UTF-8, no NUL.
func text(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
