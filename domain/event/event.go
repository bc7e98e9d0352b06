// Package event defines the domain event envelope: every state change is recorded as one
// of these in the same transaction (the events table is outbox and replay log).
package event

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Type names an event. Values are WAREST webhook event names where one exists.
type Type string

const (
	// WAREST's 13 events.
	SessionStatus     Type = "session_status"
	MessageReceived   Type = "message_received"
	MessageReaction   Type = "message_reaction"
	MessageCommand    Type = "message_command"
	MessageEdited     Type = "message_edited"
	MessageRevoked    Type = "message_revoked"
	GroupParticipants Type = "group_participants"
	GroupJoin         Type = "group_join"
	GroupLeave        Type = "group_leave"
	GroupUpdate       Type = "group_update"
	PresenceUpdate    Type = "presence_update"
	CredsUpdate       Type = "creds_update"
	Call              Type = "call"

	// Ours: what WAREST receivers could not learn before.
	MessageStatus        Type = "message_status"        // our outbound message moved (queued, sent, delivered, read, failed)
	MessageAck           Type = "message_ack"           // a peer's receipt for messages in a chat
	MessageUndecryptable Type = "message_undecryptable" // a message arrived but could not be decrypted
	HistorySync          Type = "history_sync"          // old messages delivered after pairing
	SessionHealth        Type = "session_health"        // the connection became healthy, degraded or down
	WebhookDisabled      Type = "webhook_disabled"      // a subscription failed too many events in a row
	WebhookActionFailed  Type = "webhook_action_failed" // a response action could not run
	GroupJoinRequest     Type = "group_join_request"    // someone asks to join a group the account administers
)

// Types lists every event type, in documentation order.
var Types = []Type{SessionStatus, MessageReceived, MessageReaction, MessageCommand, MessageEdited, MessageRevoked,
	GroupParticipants, GroupJoin, GroupLeave, GroupUpdate, PresenceUpdate, CredsUpdate, Call,
	MessageStatus, MessageAck, MessageUndecryptable, HistorySync, SessionHealth, WebhookDisabled, WebhookActionFailed,
	GroupJoinRequest}

// Known reports whether t is an event type.
func Known(t Type) bool { return slices.Contains(Types, t) }

// Envelope is one recorded domain event.
type Envelope struct {
	ID         string          // ULID, unique and time-ordered
	Seq        int64           // store-assigned position in the log (0 until stored)
	Type       Type            //
	SessionID  string          //
	OccurredAt time.Time       //
	Payload    json.RawMessage // the stored form of the event's Data (see Encode)
}

var (
	entropyMu sync.Mutex
	entropy   = ulid.Monotonic(rand.Reader, 0)
	lastMS    uint64
)

// NewID returns a fresh ULID string; monotonic within a process. Concurrent callers
// may arrive with slightly older times than an id already issued: their id takes the
// latest millisecond instead, since monotonic entropy restarts at random whenever the
// millisecond changes and would otherwise sort later ids before earlier ones.
func NewID(at time.Time) string {
	entropyMu.Lock()
	defer entropyMu.Unlock()
	ms := ulid.Timestamp(at)
	if ms < lastMS {
		ms = lastMS
	}
	lastMS = ms
	return ulid.MustNew(ms, entropy).String()
}

// New builds an envelope with a fresh id, its payload the stored form of data.
func New(t Type, sessionID string, at time.Time, data Data) (Envelope, error) {
	if t == "" {
		return Envelope{}, errors.New("event: empty type")
	}
	raw, err := Encode(t, data)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{ID: NewID(at), Type: t, SessionID: sessionID, OccurredAt: at.UTC(), Payload: raw}, nil
}

// DerivedID is the id of an event that must be recorded once however often it is
// observed (a message the network delivers again after a lost ack): a ULID whose
// time part is at and whose random part is a hash of key.
func DerivedID(at time.Time, key string) string {
	sum := sha256.Sum256([]byte(key))
	var id ulid.ULID
	if at.UnixMilli() > 0 {
		_ = id.SetTime(ulid.Timestamp(at))
	}
	copy(id[6:], sum[:10])
	return id.String()
}
