// Package session holds the Session aggregate: one linked WhatsApp account of one owner,
// its connection status state machine and its webhook configuration.
package session

import (
	"maps"
	"regexp"
	"slices"
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
// be re-entered (a fresh QR while in qr, another retry while reconnecting). It lists
// what a transport really reports: an open session shows a QR when its credentials
// were lost (a restart on a wiped device store), and a connect may be answered by
// "replaced" before the session ever opened.
var transitions = map[Status][]Status{
	StatusStarting:     {StatusQR, StatusPairing, StatusOpen, StatusReconnecting, StatusLoggedOut, StatusReplaced, StatusStopped},
	StatusQR:           {StatusStarting, StatusPairing, StatusOpen, StatusReconnecting, StatusLoggedOut, StatusStopped},
	StatusPairing:      {StatusStarting, StatusQR, StatusOpen, StatusReconnecting, StatusLoggedOut, StatusStopped},
	StatusOpen:         {StatusQR, StatusReconnecting, StatusLoggedOut, StatusReplaced, StatusStopped, StatusStarting},
	StatusReconnecting: {StatusStarting, StatusQR, StatusOpen, StatusLoggedOut, StatusReplaced, StatusStopped},
	StatusLoggedOut:    {StatusStarting, StatusQR, StatusPairing, StatusStopped}, // a fresh QR may follow a remote logout
	StatusReplaced:     {StatusStarting, StatusStopped},
	StatusStopped:      {StatusStarting},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := transitions[s]; return ok }

// Statuses lists every status, sorted.
func Statuses() []Status { return slices.Sorted(maps.Keys(transitions)) }

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

// IDRule is the alphabet of new session ids: 1-64 letters, digits, '.', '_' and '-',
// starting with a letter or digit, so an id is always a safe path segment (never
// "." or "..", never an option-like "-x"). Ids keep their case but are unique
// ignoring it: "ALICE1" cannot be created while "alice1" exists. Lookups match the
// exact id.
const IDRule = `^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`

var (
	idPattern = regexp.MustCompile(IDRule)
	// Sessions created before IDRule (WAREST's ^[a-zA-Z0-9._-]{1,64}$) may start with
	// '.', '_' or '-': lookups still accept them, so they can be used and deleted.
	lookupPattern = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,64}$`)
)

// ValidateID checks the id of a new session against IDRule.
func ValidateID(id string) error { return validate(id, idPattern) }

// ValidateLookup checks an id that names an existing session.
func ValidateLookup(id string) error { return validate(id, lookupPattern) }

func validate(id string, pattern *regexp.Regexp) error {
	if id == "" {
		return fault.Invalid(fault.ReasonSessionRequired, "sessionId is required")
	}
	if !pattern.MatchString(id) {
		return fault.Invalid(fault.ReasonInvalidParameter, "sessionId must match %s", IDRule)
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

// CallPolicy says what the session does with incoming calls.
type CallPolicy struct {
	Reject  bool   // turn every incoming call down
	Message string // then tell the caller this, as a text message; "" sends none
}

// MaxCallMessage bounds the message sent to rejected callers.
const MaxCallMessage = 1000

// Session is the aggregate root.
type Session struct {
	id          string
	owner       string // registry of the owning user
	status      Status
	me          *Identity
	lastError   string
	lastConnAt  *time.Time
	webhook     Webhook
	calls       CallPolicy
	historyDays int // chat history kept this many days; 0: the server's default
	autoStart   bool
	createdAt   time.Time
	updatedAt   time.Time
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
	ID          string
	Owner       string
	Status      Status
	Me          *Identity
	LastError   string
	LastConnAt  *time.Time
	Webhook     Webhook
	Calls       CallPolicy
	HistoryDays int
	AutoStart   bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Rehydrate rebuilds a session from stored state; only store adapters call it.
func Rehydrate(s Snapshot) *Session {
	return &Session{id: s.ID, owner: s.Owner, status: s.Status, me: clone(s.Me), lastError: s.LastError,
		lastConnAt: clone(s.LastConnAt), webhook: s.Webhook, calls: s.Calls, historyDays: s.HistoryDays, autoStart: s.AutoStart, createdAt: s.CreatedAt, updatedAt: s.UpdatedAt}
}

// Snapshot returns a copy of the state.
func (s *Session) Snapshot() Snapshot {
	return Snapshot{ID: s.id, Owner: s.owner, Status: s.status, Me: clone(s.me), LastError: s.lastError,
		LastConnAt: clone(s.lastConnAt), Webhook: s.webhook, Calls: s.calls, HistoryDays: s.historyDays, AutoStart: s.autoStart, CreatedAt: s.createdAt, UpdatedAt: s.updatedAt}
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
func (s *Session) Calls() CallPolicy      { return s.calls }

// HistoryRetention is how long the session keeps its chat history; 0: the server's
// default.
func (s *Session) HistoryRetention() time.Duration {
	return time.Duration(s.historyDays) * 24 * time.Hour
}
func (s *Session) CreatedAt() time.Time { return s.createdAt }
func (s *Session) UpdatedAt() time.Time { return s.updatedAt }

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
	if err := s.check(next); err != nil {
		return err
	}
	s.enter(next, reason, nil, now)
	return nil
}

func (s *Session) check(next Status) error {
	if !s.status.CanBecome(next) {
		return fault.FailedPrecondition(fault.ReasonInvalidState, "session %s cannot go from %s to %s", s.id, s.status, next)
	}
	return nil
}

// enter sets the status with what it implies for the identity: a login (me given)
// records who logged in and when; a QR, a pair code or a logout means no account
// is linked.
func (s *Session) enter(next Status, reason string, me *Identity, now time.Time) {
	s.status, s.lastError, s.updatedAt = next, reason, now.UTC()
	switch {
	case next == StatusOpen && me != nil:
		s.me = clone(me)
		t := now.UTC()
		s.lastConnAt = &t
	case next == StatusQR, next == StatusPairing, next == StatusLoggedOut:
		s.me = nil
	}
}

// Opened records a successful login/connection as the given identity.
func (s *Session) Opened(me Identity, now time.Time) error {
	if err := s.check(StatusOpen); err != nil {
		return err
	}
	s.enter(StatusOpen, "", &me, now)
	return nil
}

// LoggedOut records that the device was unlinked; the identity is forgotten.
func (s *Session) LoggedOut(reason string, now time.Time) error {
	return s.Transition(StatusLoggedOut, reason, now)
}

// Observation is a status the transport reported, with the account it logged in
// as when the status is open.
type Observation struct {
	Status Status
	Reason string
	Me     *Identity
}

// Observe applies what the transport reports. The transport is the truth: a move
// the table does not list is still made, and reported as irregular for the caller
// to log. Only a stopped session refuses (failed precondition): its owner ended the
// runtime, and a late event of that runtime must not bring it back.
func (s *Session) Observe(o Observation, now time.Time) (irregular bool, err error) {
	if !o.Status.Valid() {
		return false, fault.Invalid(fault.ReasonInvalidState, "unknown session status %q", o.Status)
	}
	if s.status == StatusStopped && o.Status != StatusStopped {
		return false, fault.FailedPrecondition(fault.ReasonInvalidState, "session %s is stopped; ignoring the transport's %s", s.id, o.Status)
	}
	irregular = !s.status.CanBecome(o.Status)
	s.enter(o.Status, o.Reason, o.Me, now)
	return irregular, nil
}

// Unlinked reports whether no WhatsApp account is linked: the session shows a QR
// or a pair code, was logged out, or was stopped with its credentials purged. What
// was queued for the previous link can never leave under it.
func (s *Session) Unlinked() bool {
	switch s.status {
	case StatusQR, StatusPairing, StatusLoggedOut:
		return true
	case StatusStopped:
		return s.me == nil
	}
	return false
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

// SetCallPolicy changes what the session does with incoming calls.
func (s *Session) SetCallPolicy(p CallPolicy, now time.Time) error {
	if len([]rune(p.Message)) > MaxCallMessage {
		return fault.Invalid(fault.ReasonInvalidParameter, "the message to rejected callers is limited to %d characters", MaxCallMessage)
	}
	if !p.Reject && p.Message != "" {
		return fault.Invalid(fault.ReasonInvalidParameter, "a message to rejected callers needs rejectCalls")
	}
	s.calls = p
	s.updatedAt = now.UTC()
	return nil
}

// MaxHistoryDays bounds a session's own history retention (ten years).
const MaxHistoryDays = 3650

// SetHistoryRetention makes the session keep its chat history days days; 0 returns
// to the server's default.
func (s *Session) SetHistoryRetention(days int, now time.Time) error {
	if days < 0 || days > MaxHistoryDays {
		return fault.Invalid(fault.ReasonInvalidParameter, "retention must be between 0 (the server's default) and %d days", MaxHistoryDays)
	}
	s.historyDays = days
	s.updatedAt = now.UTC()
	return nil
}

// SetWebhook replaces the webhook target. An empty URL disables delivery.
func (s *Session) SetWebhook(w Webhook, now time.Time) {
	s.webhook = w
	s.updatedAt = now.UTC()
}
