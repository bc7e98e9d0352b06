package store

import (
	"context"
	"encoding/json"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Subscriptions() ports.SubscriptionRepository { return subscriptions{r} }

type subscriptions struct{ r *Repos }

func (s subscriptions) Create(ctx context.Context, sub webhook.Subscription) error {
	row, err := s.toRow(sub)
	if err != nil {
		return err
	}
	n, err := s.r.Q.CreateSubscription(ctx, row)
	if s.r.D.ForeignKeyViolation(err) {
		return SessionGone(sub.SessionID)
	}
	if err != nil {
		return s.r.D.Wrap(err, "create subscription")
	}
	if n == 0 {
		return fault.Conflict("", "subscription %s already exists", sub.ID)
	}
	return nil
}

func (s subscriptions) Get(ctx context.Context, id string) (webhook.Subscription, error) {
	row, err := s.r.Q.GetSubscription(ctx, id)
	if err != nil {
		return webhook.Subscription{}, s.r.D.NotFound(err, "", "subscription "+id)
	}
	return s.toDomain(row)
}

// Update holds the row (FOR UPDATE, or SQLite's write lock) so concurrent updates
// queue up. It writes back under id: fn may not move the subscription.
func (s subscriptions) Update(ctx context.Context, id string, fn func(*webhook.Subscription) error) (webhook.Subscription, error) {
	var out webhook.Subscription
	err := s.r.Atomic(ctx, func(r *Repos) error {
		cur, err := r.Q.GetSubscriptionForUpdate(ctx, id)
		if err != nil {
			return r.D.NotFound(err, "", "subscription "+id)
		}
		tx := subscriptions{r}
		sub, err := tx.toDomain(cur)
		if err != nil {
			return err
		}
		if err := fn(&sub); err != nil {
			return err
		}
		sub.ID = id
		row, err := tx.toRow(sub)
		if err != nil {
			return err
		}
		if _, err := r.Q.UpdateSubscription(ctx, row); err != nil {
			return r.D.Wrap(err, "update subscription")
		}
		out = sub
		return nil
	})
	return out, err
}

func (s subscriptions) Put(ctx context.Context, sub webhook.Subscription) error {
	row, err := s.toRow(sub)
	if err != nil {
		return err
	}
	err = s.r.Q.PutSubscription(ctx, row)
	if s.r.D.ForeignKeyViolation(err) {
		return SessionGone(sub.SessionID)
	}
	return s.r.D.Wrap(err, "put subscription")
}

func (s subscriptions) Delete(ctx context.Context, id string) error {
	n, err := s.r.Q.DeleteSubscription(ctx, id)
	if err != nil {
		return s.r.D.Wrap(err, "delete subscription")
	}
	if n == 0 {
		return fault.NotFound("", "subscription %s not found", id)
	}
	return nil
}

func (s subscriptions) ListBySession(ctx context.Context, sessionID string) ([]webhook.Subscription, error) {
	rows, err := s.r.Q.ListSubscriptionsBySession(ctx, sessionID)
	if err != nil {
		return nil, s.r.D.Wrap(err, "list subscriptions")
	}
	out := make([]webhook.Subscription, 0, len(rows))
	for _, row := range rows {
		sub, err := s.toDomain(row)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}

func (s subscriptions) toRow(sub webhook.Subscription) (SubscriptionRow, error) {
	secret, err := s.r.secrets.seal(sub.Secret)
	if err != nil {
		return SubscriptionRow{}, err
	}
	previous, err := s.r.secrets.seal(sub.PreviousSecret)
	if err != nil {
		return SubscriptionRow{}, err
	}
	events, err := json.Marshal(nonNil(sub.Events))
	if err != nil {
		return SubscriptionRow{}, s.r.D.Wrap(err, "encode subscription events")
	}
	row := SubscriptionRow{
		ID: sub.ID, SessionID: sub.SessionID, Url: sub.URL, Secret: secret, PreviousSecret: previous,
		Events: string(events), Mode: string(sub.Mode), Algorithm: int(sub.Algorithm), Enabled: sub.Enabled,
		Failures: sub.Failures, DisabledReason: sub.DisabledReason, CreatedAt: sub.CreatedAt, UpdatedAt: sub.UpdatedAt,
	}
	if !sub.PreviousUntil.IsZero() {
		row.PreviousUntil = &sub.PreviousUntil
	}
	return row, nil
}

func (s subscriptions) toDomain(row SubscriptionRow) (webhook.Subscription, error) {
	secret, err := s.r.secrets.open(row.Secret)
	if err != nil {
		return webhook.Subscription{}, err
	}
	previous, err := s.r.secrets.open(row.PreviousSecret)
	if err != nil {
		return webhook.Subscription{}, err
	}
	var events []string
	if err := json.Unmarshal([]byte(row.Events), &events); err != nil {
		return webhook.Subscription{}, s.r.D.Wrap(err, "decode subscription events")
	}
	sub := webhook.Subscription{
		ID: row.ID, SessionID: row.SessionID, URL: row.Url, Secret: secret, PreviousSecret: previous,
		Events: emptyToNil(events), Mode: webhook.Mode(row.Mode), Algorithm: webhook.Algorithm(row.Algorithm),
		Enabled: row.Enabled, Failures: row.Failures, DisabledReason: row.DisabledReason,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	if row.PreviousUntil != nil {
		sub.PreviousUntil = *row.PreviousUntil
	}
	return sub, nil
}

// The column holds "[]" for "all events"; the domain says nil.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func emptyToNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
