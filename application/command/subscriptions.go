package command

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// Subscriptions manages webhook subscriptions and redeliveries.
type Subscriptions struct {
	store   ports.Store
	clock   ports.Clock
	ids     ports.IDs
	wake    wakeup // the webhook dispatcher's
	targets targets
}

// wakeup wakes a background worker (notify.Signal).
type wakeup interface{ Poke() }

// SubscriptionInput describes a new webhook subscription. An empty Secret is
// generated (Standard Webhooks mode: "whsec_" + base64, as that spec expects).
type SubscriptionInput struct {
	SessionID string
	URL       string
	Secret    string
	Events    []string
	Mode      webhook.Mode
	Algorithm webhook.Algorithm
}

// CreateSubscription adds a webhook target to one of the caller's sessions. A URL
// outside the reach of the session's receivers is refused.
func (s *Subscriptions) CreateSubscription(ctx context.Context, p account.Principal, in SubscriptionInput) (webhook.Subscription, error) {
	sess, err := ownedSession(ctx, s.store, p, in.SessionID)
	if err != nil {
		return webhook.Subscription{}, err
	}
	if err := s.targets.check(ctx, sess, in.URL); err != nil {
		return webhook.Subscription{}, err
	}
	if err := validateEventNames(in.Events); err != nil {
		return webhook.Subscription{}, err
	}
	if in.Secret == "" {
		in.Secret = newSecret(in.Mode)
	}
	sub, err := webhook.NewSubscription(s.ids.NewID(), in.SessionID, in.URL, in.Secret, in.Events, in.Mode, in.Algorithm, s.clock.Now())
	if err != nil {
		return webhook.Subscription{}, err
	}
	return sub, s.store.Subscriptions().Create(ctx, sub)
}

// SubscriptionPatch changes a subscription; nil fields stay as they are.
type SubscriptionPatch struct {
	URL     *string
	Events  *[]string
	Enabled *bool
}

// UpdateSubscription changes URL, event filter or enabled state. Enabling clears the
// failure count.
func (s *Subscriptions) UpdateSubscription(ctx context.Context, p account.Principal, id string, patch SubscriptionPatch) (webhook.Subscription, error) {
	_, sess, err := s.ownedSubscription(ctx, p, id)
	if err != nil {
		return webhook.Subscription{}, err
	}
	if patch.URL != nil {
		if err := s.targets.check(ctx, sess, *patch.URL); err != nil {
			return webhook.Subscription{}, err
		}
	}
	if patch.Events != nil {
		if err := validateEventNames(*patch.Events); err != nil {
			return webhook.Subscription{}, err
		}
	}
	return s.store.Subscriptions().Update(ctx, id, func(sub *webhook.Subscription) error {
		now := s.clock.Now()
		if patch.URL != nil {
			sub.URL = *patch.URL
		}
		if patch.Events != nil {
			sub.Events = *patch.Events
		}
		if patch.Enabled != nil {
			if *patch.Enabled {
				sub.Enable(now)
			} else {
				sub.Enabled = false
				sub.DisabledReason = "disabled by the owner"
			}
		}
		sub.UpdatedAt = now.UTC()
		return nil
	})
}

// DeleteSubscription removes a subscription. The primary one belongs to the session
// config route.
func (s *Subscriptions) DeleteSubscription(ctx context.Context, p account.Principal, id string) error {
	sub, _, err := s.ownedSubscription(ctx, p, id)
	if err != nil {
		return err
	}
	if sub.ID == webhook.PrimaryID(sub.SessionID) {
		return fault.FailedPrecondition(fault.ReasonInvalidState, "the session's own webhook is removed with POST /api/v1/session/%s/config and an empty webhookUrl", sub.SessionID)
	}
	return s.store.Subscriptions().Delete(ctx, id)
}

// RotateSubscriptionSecret makes a new secret current (generated when empty); the
// old one keeps signing alongside for overlap so receivers can switch without loss.
func (s *Subscriptions) RotateSubscriptionSecret(ctx context.Context, p account.Principal, id, secret string, overlap time.Duration) (webhook.Subscription, error) {
	sub, _, err := s.ownedSubscription(ctx, p, id)
	if err != nil {
		return webhook.Subscription{}, err
	}
	if secret == "" {
		secret = newSecret(sub.Mode)
	}
	if overlap <= 0 {
		overlap = rotationOverlap
	}
	return s.store.Subscriptions().Update(ctx, id, func(sub *webhook.Subscription) error {
		return sub.Rotate(secret, overlap, s.clock.Now())
	})
}

// Redeliver schedules a delivery again now, whatever its state.
func (s *Subscriptions) Redeliver(ctx context.Context, p account.Principal, deliveryID string) (webhook.Delivery, error) {
	d, err := s.store.Deliveries().Get(ctx, deliveryID)
	if err != nil {
		return webhook.Delivery{}, err
	}
	if _, err := ownedSession(ctx, s.store, p, d.SessionID); err != nil {
		if fault.Is(err, fault.KindNotFound) && p.User.IsAdmin() {
			err = nil // an admin may redeliver events of a deleted session
		}
		if err != nil {
			return webhook.Delivery{}, err
		}
	}
	d.Redeliver(s.clock.Now())
	if err := s.store.Deliveries().Save(ctx, d); err != nil {
		return webhook.Delivery{}, err
	}
	s.wake.Poke()
	return d, nil
}

// RedeliverMatching schedules again every delivery the filter selects among the
// caller's sessions (at most f.Limit, default 1000) and reports how many.
func (s *Subscriptions) RedeliverMatching(ctx context.Context, p account.Principal, f ports.DeliveryFilter) (int, error) {
	scoped, err := access.Scope(ctx, s.store, p, f.SessionIDs)
	if err != nil {
		return 0, err
	}
	f.SessionIDs = scoped
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	list, err := s.store.Deliveries().List(ctx, f)
	if err != nil {
		return 0, err
	}
	now := s.clock.Now()
	for _, d := range list {
		d.Redeliver(now)
		if err := s.store.Deliveries().Save(ctx, d); err != nil {
			return 0, err
		}
	}
	s.wake.Poke()
	return len(list), nil
}

// ownedSubscription loads a subscription the caller may act on, with its session.
func (s *Subscriptions) ownedSubscription(ctx context.Context, p account.Principal, id string) (webhook.Subscription, *session.Session, error) {
	sub, err := s.store.Subscriptions().Get(ctx, id)
	if err != nil {
		return webhook.Subscription{}, nil, err
	}
	sess, err := ownedSession(ctx, s.store, p, sub.SessionID)
	if err != nil {
		return webhook.Subscription{}, nil, err
	}
	return sub, sess, nil
}

func validateEventNames(names []string) error {
	for _, n := range names {
		if !event.Known(event.Type(n)) {
			return fault.Invalid(fault.ReasonInvalidParameter, "unknown event %q", n)
		}
	}
	return nil
}

func newSecret(mode webhook.Mode) string {
	if mode == webhook.ModeStandard {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		return "whsec_" + base64.StdEncoding.EncodeToString(b)
	}
	return randomSecret(24)
}
