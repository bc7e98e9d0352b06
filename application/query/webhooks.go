package query

import (
	"context"
	"slices"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// Webhooks reads webhook subscriptions and deliveries.
type Webhooks struct{ store ports.Store }

// Events reads the stored events and the parked ones.
type Events struct{ store ports.Store }

// Subscriptions lists a session's webhook subscriptions.
func (s *Webhooks) Subscriptions(ctx context.Context, p account.Principal, sessionID string) ([]webhook.Subscription, error) {
	if _, err := access.Session(ctx, s.store, p, sessionID); err != nil {
		return nil, err
	}
	return s.store.Subscriptions().ListBySession(ctx, sessionID)
}

// Subscription returns one subscription of the caller's sessions.
func (s *Webhooks) Subscription(ctx context.Context, p account.Principal, id string) (webhook.Subscription, error) {
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
func (s *Webhooks) Deliveries(ctx context.Context, p account.Principal, f ports.DeliveryFilter) ([]webhook.Delivery, error) {
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
func (s *Webhooks) Delivery(ctx context.Context, p account.Principal, id string) (webhook.Delivery, error) {
	d, err := s.store.Deliveries().Get(ctx, id)
	if err != nil {
		return webhook.Delivery{}, err
	}
	if _, err := access.Session(ctx, s.store, p, d.SessionID); err != nil && !(p.User.IsAdmin() && fault.Is(err, fault.KindNotFound)) {
		return webhook.Delivery{}, err
	}
	return d, nil
}

// EventPage is what the caller may see of one page of the event log; Next is the
// cursor after every event read, shown or not.
type EventPage struct {
	Events []event.Envelope
	Next   int64
}

// Events replays the published event log after a cursor (an event's Seq, its replay
// position), for the caller's sessions or the requested ones. A session id may be
// deleted and taken by another user while the page is read, so the caller's access
// is checked again afterwards: a requested session no longer theirs is an error, and
// events of sessions no longer theirs are left out.
func (s *Events) Events(ctx context.Context, p account.Principal, sessionIDs []string, after int64, limit int) (EventPage, error) {
	scoped, err := access.Scope(ctx, s.store, p, sessionIDs)
	if err != nil {
		return EventPage{}, err
	}
	var list []event.Envelope
	if scoped == nil {
		list, err = s.store.Events().ListAfter(ctx, after, limit)
	} else {
		list, err = s.store.Events().ListAfterFor(ctx, scoped, after, limit)
	}
	if err != nil {
		return EventPage{}, err
	}
	page := EventPage{Events: list, Next: after}
	if len(list) > 0 {
		page.Next = list[len(list)-1].Seq
	}
	if scoped == nil || len(list) == 0 {
		return page, nil // an admin's view of every session, or nothing to check
	}
	still, err := access.Scope(ctx, s.store, p, sessionIDs)
	if err != nil {
		return EventPage{}, err
	}
	page.Events = slices.DeleteFunc(list, func(e event.Envelope) bool { return !slices.Contains(still, e.SessionID) })
	return page, nil
}

// ParkedEvents lists ingest's dead letters, newest first: admins only, since a
// parked event may belong to any session.
func (s *Events) ParkedEvents(ctx context.Context, p account.Principal, limit int) ([]event.Parked, error) {
	if !p.User.IsAdmin() {
		return nil, fault.Forbidden("admin only")
	}
	return s.store.Parked().List(ctx, limit)
}
