package query

import (
	"context"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// Subscriptions lists a session's webhook subscriptions.
func (s *Service) Subscriptions(ctx context.Context, p account.Principal, sessionID string) ([]webhook.Subscription, error) {
	if _, err := access.Session(ctx, s.store, p, sessionID); err != nil {
		return nil, err
	}
	return s.store.Subscriptions().ListBySession(ctx, sessionID)
}

// Subscription returns one subscription of the caller's sessions.
func (s *Service) Subscription(ctx context.Context, p account.Principal, id string) (webhook.Subscription, error) {
	sub, err := s.store.Subscriptions().Get(ctx, id)
	if err != nil {
		return webhook.Subscription{}, err
	}
	if _, err := access.Session(ctx, s.store, p, sub.SessionID); err != nil {
		return webhook.Subscription{}, err
	}
	return sub, nil
}

// Deliveries lists webhook deliveries of the caller's sessions, newest first.
func (s *Service) Deliveries(ctx context.Context, p account.Principal, f ports.DeliveryFilter) ([]webhook.Delivery, error) {
	scoped, err := access.Scope(ctx, s.store, p, f.SessionIDs)
	if err != nil {
		return nil, err
	}
	if scoped != nil && len(scoped) == 0 {
		return []webhook.Delivery{}, nil
	}
	f.SessionIDs = scoped
	return s.store.Deliveries().List(ctx, f)
}

// Delivery returns one delivery of the caller's sessions.
func (s *Service) Delivery(ctx context.Context, p account.Principal, id string) (webhook.Delivery, error) {
	d, err := s.store.Deliveries().Get(ctx, id)
	if err != nil {
		return webhook.Delivery{}, err
	}
	if _, err := access.Session(ctx, s.store, p, d.SessionID); err != nil && !(p.User.IsAdmin() && fault.Is(err, fault.KindNotFound)) {
		return webhook.Delivery{}, err
	}
	return d, nil
}

// Events replays the published event log after a cursor (an event's Seq, its replay
// position), for the caller's sessions or the requested ones.
func (s *Service) Events(ctx context.Context, p account.Principal, sessionIDs []string, after int64, limit int) ([]event.Envelope, error) {
	scoped, err := access.Scope(ctx, s.store, p, sessionIDs)
	if err != nil {
		return nil, err
	}
	if scoped == nil {
		return s.store.Events().ListAfter(ctx, after, limit)
	}
	return s.store.Events().ListAfterFor(ctx, scoped, after, limit)
}

// ParkedEvents lists ingest's dead letters, newest first: admins only, since a
// parked event may belong to any session.
func (s *Service) ParkedEvents(ctx context.Context, p account.Principal, limit int) ([]event.Parked, error) {
	if !p.User.IsAdmin() {
		return nil, fault.Forbidden("admin only")
	}
	return s.store.Parked().List(ctx, limit)
}
