// Package session holds the Session aggregate: one linked WhatsApp account of one owner,
// its connection status state machine and its webhook configuration.
package session

import (
	"regexp"
	"time"

	"github.com/warest-go/warest/domain/fault"
)

// Status is the lifecycle state of a session.
type Status string

const (
	StatusStarting     Status = "starting"
	StatusQR           Status = "qr"
	StatusPairing      Status = "pairing"
	StatusOpen         Status = "open"
	StatusReconnecting Status = "reconnecting"
	StatusLoggedOut    Status = "logged_out"
	StatusReplaced     Status = "replaced"
	StatusStopped      Status = "stopped"
)

// transitions lists the statuses reachable from each status. A status may always
// be re-entered (a fresh QR while in qr, another retry while reconnecting).
var transitions = map[Status][]Status{
	StatusStarting:     {StatusQR, StatusPairing, StatusOpen, StatusReconnecting, StatusLoggedOut, StatusStopped},
	StatusQR:           {StatusStarting, StatusPairing, StatusOpen, StatusReconnecting, StatusLoggedOut, StatusStopped},
	StatusPairing:      {StatusStarting, StatusQR, StatusOpen, StatusReconnecting, StatusLoggedOut, StatusStopped},
	StatusOpen:         {StatusReconnecting, StatusLoggedOut, StatusReplaced, StatusStopped, StatusStarting},
	StatusReconnecting: {StatusStarting, StatusQR, StatusOpen, StatusLoggedOut, StatusReplaced, StatusStopped},
	StatusLoggedOut:    {StatusStarting, StatusQR, StatusPairing, StatusStopped}, // a fresh QR may follow a remote logout
	StatusReplaced:     {StatusStarting, StatusStopped},
	StatusStopped:      {StatusStarting},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := transitions[s]; return ok }

// CanBecome reports whether a session in s may move to next.
func (s Status) CanBecome(next Status) bool {
	if s == next {
		return s.Valid()
	}
	for _, t := range transitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

var idPattern = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,64}$`)

// ValidateID checks a session id against WAREST's rule.
func ValidateID(id string) error {
	if id == "" {
		return fault.Invalid(fault.ReasonSessionRequired, "sessionId is required")
	}
	if !idPattern.MatchString(id) {
		return fault.Invalid(fault.ReasonInvalidParameter, "sessionId must match ^[a-zA-Z0-9._-]{1,64}$")
	}
	return nil
}

// Identity is the linked WhatsApp account as the network reports it.
type Identity struct {
	JID  string // phone JID, e.g. 6281234567890@s.whatsapp.net
	LID  string // LID JID when known
	Name string // push name
}

// Webhook is the per-session delivery target. Secret is the HMAC key prefix.
type Webhook struct {
	URL    string
	Secret string
}

// Session is the aggregate root.
type Session struct {
	id         string
	owner      string // registry of the owning user
	status     Status
	me         *Identity
	lastError  string
	lastConnAt *time.Time
	webhook    Webhook
	autoStart  bool
	createdAt  time.Time
	updatedAt  time.Time
}

// New creates a session in status starting.
func New(id, owner string, now time.Time) (*Session, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	if owner == "" {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "session owner is required")
	}
	now = now.UTC()
	return &Session{id: id, owner: owner, status: StatusStarting, autoStart: true, createdAt: now, updatedAt: now}, nil
}

// Snapshot is the full state of a session, used by store adapters.
type Snapshot struct {
	ID         string
	Owner      string
	Status     Status
	Me         *Identity
	LastError  string
	LastConnAt *time.Time
	Webhook    Webhook
	AutoStart  bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Rehydrate rebuilds a session from stored state; only store adapters call it.
func Rehydrate(s Snapshot) *Session {
	return &Session{id: s.ID, owner: s.Owner, status: s.Status, me: clone(s.Me), lastError: s.LastError,
		lastConnAt: clone(s.LastConnAt), webhook: s.Webhook, autoStart: s.AutoStart, createdAt: s.CreatedAt, updatedAt: s.UpdatedAt}
}

// Snapshot returns a copy of the state.
func (s *Session) Snapshot() Snapshot {
	return Snapshot{ID: s.id, Owner: s.owner, Status: s.status, Me: clone(s.me), LastError: s.lastError,
		LastConnAt: clone(s.lastConnAt), Webhook: s.webhook, AutoStart: s.autoStart, CreatedAt: s.createdAt, UpdatedAt: s.updatedAt}
}

// clone copies a pointed-to value so snapshots never alias the aggregate's state.
func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func (s *Session) ID() string             { return s.id }
func (s *Session) Owner() string          { return s.owner }
func (s *Session) Status() Status         { return s.status }
func (s *Session) Me() *Identity          { return s.me }
func (s *Session) LastError() string      { return s.lastError }
func (s *Session) LastConnAt() *time.Time { return s.lastConnAt }
func (s *Session) Webhook() Webhook       { return s.webhook }
func (s *Session) AutoStart() bool        { return s.autoStart }
func (s *Session) CreatedAt() time.Time   { return s.createdAt }
func (s *Session) UpdatedAt() time.Time   { return s.updatedAt }

// OwnedBy reports whether the given registry owns the session.
func (s *Session) OwnedBy(registry string) bool { return s.owner == registry }

// CanSend reports whether messages may be handed to the transport now.
func (s *Session) CanSend() error {
	if s.status != StatusOpen {
		return fault.FailedPrecondition(fault.ReasonSessionNotOpen, "session %s is not open (status %s)", s.id, s.status)
	}
	return nil
}

// Transition moves the session to next, refusing illegal moves. reason is kept as the
// last error for failure statuses and cleared otherwise.
func (s *Session) Transition(next Status, reason string, now time.Time) error {
	if !s.status.CanBecome(next) {
		return fault.FailedPrecondition(fault.ReasonInvalidState, "session %s cannot go from %s to %s", s.id, s.status, next)
	}
	s.status = next
	s.lastError = reason
	s.updatedAt = now.UTC()
	return nil
}

// Opened records a successful login/connection as the given identity.
func (s *Session) Opened(me Identity, now time.Time) error {
	if err := s.Transition(StatusOpen, "", now); err != nil {
		return err
	}
	s.me = &me
	t := now.UTC()
	s.lastConnAt = &t
	return nil
}

// LoggedOut records that the device was unlinked; the identity is forgotten.
func (s *Session) LoggedOut(reason string, now time.Time) error {
	if err := s.Transition(StatusLoggedOut, reason, now); err != nil {
		return err
	}
	s.me = nil
	return nil
}

// Stop marks the session stopped by its owner; stopped sessions are not auto-started.
func (s *Session) Stop(purgeIdentity bool, now time.Time) error {
	if err := s.Transition(StatusStopped, "", now); err != nil {
		return err
	}
	if purgeIdentity {
		s.me = nil
	}
	s.autoStart = false
	return nil
}

// Halt stops the session on the runtime's behalf (nobody scanned its QR in time):
// stopped and not auto-started, like Stop, with reason kept as the last error.
func (s *Session) Halt(reason string, now time.Time) error {
	if err := s.Transition(StatusStopped, reason, now); err != nil {
		return err
	}
	s.autoStart = false
	return nil
}

// Start moves the session back to starting and re-enables auto-start.
func (s *Session) Start(now time.Time) error {
	if err := s.Transition(StatusStarting, "", now); err != nil {
		return err
	}
	s.autoStart = true
	return nil
}

// SetWebhook replaces the webhook target. An empty URL disables delivery.
func (s *Session) SetWebhook(w Webhook, now time.Time) {
	s.webhook = w
	s.updatedAt = now.UTC()
}
