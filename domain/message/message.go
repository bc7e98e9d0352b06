// Package message holds outbound messages with their ack state machine, and inbound
// messages as received.
package message

import (
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
)

// Status is the delivery state of an outbound message. It only moves forward.
type Status string

const (
	StatusQueued    Status = "queued"
	StatusSent      Status = "sent"
	StatusDelivered Status = "delivered"
	StatusRead      Status = "read"
	StatusPlayed    Status = "played" // a voice note or video was played
	StatusFailed    Status = "failed"
)

var rank = map[Status]int{StatusQueued: 0, StatusSent: 1, StatusDelivered: 2, StatusRead: 3, StatusPlayed: 4, StatusFailed: 1}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := rank[s]; return ok }

// CanBecome reports whether a message in s may move to next. Acks never go
// backwards; failure is only possible before the message left.
func (s Status) CanBecome(next Status) bool {
	if !s.Valid() || !next.Valid() || s == StatusFailed {
		return false
	}
	if next == StatusFailed {
		return s == StatusQueued
	}
	return rank[next] > rank[s]
}

// Kind is the content kind of a message.
type Kind string

const KindText Kind = "text"

// MaxTextLength bounds a text message (WhatsApp's own limit is 65,536 characters).
const MaxTextLength = 65536

// Outbound is a message accepted for sending.
type Outbound struct {
	ID         string // client-chosen WhatsApp message id, kept across retries
	SessionID  string
	To         chat.JID
	Content    Content
	Status     Status
	FailReason string       // why it failed, in words
	FailCode   fault.Reason // why it failed, for machines: the fault reason of the cause
	Attempts   int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// ExpiresAt is when a message still queued fails as expired; zero never expires.
	ExpiresAt time.Time
}

// NewOutbound validates and builds a queued message.
func NewOutbound(id, sessionID string, to chat.JID, c Content, now time.Time) (Outbound, error) {
	if to.IsZero() {
		return Outbound{}, fault.Invalid(fault.ReasonMissingParameter, "to is required")
	}
	if err := c.Validate(); err != nil {
		return Outbound{}, err
	}
	now = now.UTC()
	return Outbound{ID: id, SessionID: sessionID, To: to, Content: c, Status: StatusQueued, CreatedAt: now, UpdatedAt: now}, nil
}

// Advance moves the message to next; it reports false (and changes nothing) when the
// move would go backwards or is otherwise illegal, so late or repeated acks are harmless.
func (m *Outbound) Advance(next Status, reason string, now time.Time) bool {
	if !m.Status.CanBecome(next) {
		return false
	}
	m.Status = next
	if next == StatusFailed {
		m.FailReason = reason
	}
	m.UpdatedAt = now.UTC()
	return true
}

// Fail moves a queued message to failed with a reason code and its words; like
// Advance it reports false (and changes nothing) for a message that already left.
func (m *Outbound) Fail(code fault.Reason, reason string, now time.Time) bool {
	if !m.Advance(StatusFailed, reason, now) {
		return false
	}
	m.FailCode = code
	return true
}

// Expired reports whether a queued message is past its expiry at now.
func (m Outbound) Expired(now time.Time) bool {
	return !m.ExpiresAt.IsZero() && !now.Before(m.ExpiresAt)
}

// Inbound is a message received from WhatsApp (or, with FromMe, sent from the
// account's phone).
type Inbound struct {
	ID        string
	SessionID string
	Chat      chat.JID
	Sender    chat.Party
	FromMe    bool
	Content   Content
	Timestamp time.Time
	// History marks a message delivered by history sync rather than live.
	History bool
}

// IsGroup reports whether the message arrived in a group chat.
func (m Inbound) IsGroup() bool { return m.Chat.Kind() == chat.KindGroup }
