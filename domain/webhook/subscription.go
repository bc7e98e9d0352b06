package webhook

import (
	"net/url"
	"slices"
	"time"

	"github.com/warest-go/warest/domain/fault"
)

// Mode is the signing scheme of a subscription.
type Mode string

const (
	// ModeWAREST signs like WAREST: X-WAREST-Signature, HMAC over the body with the
	// key secret+owner username. Existing WAREST receivers keep working.
	ModeWAREST Mode = "warest"
	// ModeStandard follows the Standard Webhooks spec: webhook-id, webhook-timestamp,
	// webhook-signature over "id.timestamp.body", so the timestamp is signed too.
	ModeStandard Mode = "standard"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModeWAREST || m == ModeStandard }

// MinSecretLength is WAREST's: shorter secrets are refused.
const MinSecretLength = 6

// PrimaryID is the id of the subscription that /session/{id}/config manages.
func PrimaryID(sessionID string) string { return "primary:" + sessionID }

// Subscription is one target receiving a session's events.
type Subscription struct {
	ID             string
	SessionID      string
	URL            string
	Secret         string
	PreviousSecret string    // still accepted until PreviousUntil, during a rotation
	PreviousUntil  time.Time //
	Events         []string  // event types to deliver; empty means all
	Mode           Mode
	Algorithm      Algorithm // WAREST mode only; 0 means the server default
	Enabled        bool
	Failures       int    // consecutive events that could not be delivered
	DisabledReason string //
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NewSubscription validates and builds an enabled subscription.
func NewSubscription(id, sessionID, rawURL, secret string, events []string, mode Mode, alg Algorithm, now time.Time) (Subscription, error) {
	if err := ValidateURL(rawURL); err != nil {
		return Subscription{}, err
	}
	if mode == "" {
		mode = ModeWAREST
	}
	if !mode.Valid() {
		return Subscription{}, fault.Invalid(fault.ReasonInvalidParameter, "mode must be warest or standard")
	}
	if len(secret) < MinSecretLength {
		return Subscription{}, fault.Invalid(fault.ReasonInvalidParameter, "secret must be at least %d characters", MinSecretLength)
	}
	if alg != 0 && ParseAlgorithm(int(alg)) != alg {
		return Subscription{}, fault.Invalid(fault.ReasonInvalidParameter, "algorithm must be 224, 256, 384 or 512")
	}
	now = now.UTC()
	return Subscription{ID: id, SessionID: sessionID, URL: rawURL, Secret: secret, Events: slices.Clone(events),
		Mode: mode, Algorithm: alg, Enabled: true, CreatedAt: now, UpdatedAt: now}, nil
}

// ValidateURL accepts absolute http(s) URLs only.
func ValidateURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fault.Invalid(fault.ReasonInvalidParameter, "webhook URL must be an absolute http(s) URL")
	}
	return nil
}

// Wants reports whether the subscription takes events of type t.
func (s Subscription) Wants(t string) bool {
	return s.Enabled && (len(s.Events) == 0 || slices.Contains(s.Events, t))
}

// Secrets returns the secrets to sign with now: the current one, then the previous
// one while the rotation overlap lasts.
func (s Subscription) Secrets(now time.Time) []string {
	if s.PreviousSecret != "" && now.Before(s.PreviousUntil) {
		return []string{s.Secret, s.PreviousSecret}
	}
	return []string{s.Secret}
}

// Rotate makes secret current; the old one stays valid for overlap.
func (s *Subscription) Rotate(secret string, overlap time.Duration, now time.Time) error {
	if len(secret) < MinSecretLength {
		return fault.Invalid(fault.ReasonInvalidParameter, "secret must be at least %d characters", MinSecretLength)
	}
	now = now.UTC()
	s.PreviousSecret, s.PreviousUntil = s.Secret, now.Add(overlap)
	s.Secret = secret
	s.UpdatedAt = now
	return nil
}

// Delivered resets the failure count.
func (s *Subscription) Delivered(now time.Time) {
	s.Failures = 0
	s.UpdatedAt = now.UTC()
}

// Undeliverable counts an event that could not be delivered and disables the
// subscription once threshold consecutive events failed. It reports whether this
// call disabled it.
func (s *Subscription) Undeliverable(threshold int, reason string, now time.Time) bool {
	s.Failures++
	s.UpdatedAt = now.UTC()
	if !s.Enabled || threshold <= 0 || s.Failures < threshold {
		return false
	}
	s.Enabled = false
	s.DisabledReason = reason
	return true
}

// Enable turns the subscription back on with a clean failure count.
func (s *Subscription) Enable(now time.Time) {
	s.Enabled, s.Failures, s.DisabledReason = true, 0, ""
	s.UpdatedAt = now.UTC()
}
