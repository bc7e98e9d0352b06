package sqlite

import (
	"context"
	"encoding/json"

	"github.com/warest-go/warest/adapters/sqlite/internal/db"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

func (r *repos) Subscriptions() ports.SubscriptionRepository { return subscriptions{r} }

type subscriptions struct{ r *repos }

func (s subscriptions) Create(ctx context.Context, sub webhook.Subscription) error {
	row, err := toSubscriptionRow(sub, s.r.sealer)
	if err != nil {
		return err
	}
	n, err := s.r.q.CreateSubscription(ctx, row)
	if isForeignKeyViolation(err) {
		return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", sub.SessionID)
	}
	if err != nil {
		return wrap(err, "create subscription")
	}
	if n == 0 {
		return fault.Conflict("", "subscription %s already exists", sub.ID)
	}
	return nil
}

func (s subscriptions) Get(ctx context.Context, id string) (webhook.Subscription, error) {
	row, err := s.r.q.GetSubscription(ctx, id)
	if err != nil {
		return webhook.Subscription{}, notFound(err, "", "subscription "+id)
	}
	return subscriptionToDomain(row, s.r.sealer)
}

// Update runs under BEGIN IMMEDIATE (see dsn), so the read already holds the write
// lock. It writes back under id: fn may not move the subscription.
func (s subscriptions) Update(ctx context.Context, id string, fn func(*webhook.Subscription) error) (webhook.Subscription, error) {
	var out webhook.Subscription
	err := s.r.atomic(ctx, func(r *repos) error {
		sub, err := r.Subscriptions().Get(ctx, id)
		if err != nil {
			return err
		}
		if err := fn(&sub); err != nil {
			return err
		}
		sub.ID = id
		row, err := toSubscriptionRow(sub, r.sealer)
		if err != nil {
			return err
		}
		if _, err := r.q.UpdateSubscription(ctx, db.UpdateSubscriptionParams(row)); err != nil {
			return wrap(err, "update subscription")
		}
		out = sub
		return nil
	})
	return out, err
}

func (s subscriptions) Put(ctx context.Context, sub webhook.Subscription) error {
	row, err := toSubscriptionRow(sub, s.r.sealer)
	if err != nil {
		return err
	}
	err = s.r.q.PutSubscription(ctx, db.PutSubscriptionParams(row))
	if isForeignKeyViolation(err) {
		return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", sub.SessionID)
	}
	if err != nil {
		return wrap(err, "put subscription")
	}
	return nil
}

func (s subscriptions) Delete(ctx context.Context, id string) error {
	n, err := s.r.q.DeleteSubscription(ctx, id)
	if err != nil {
		return wrap(err, "delete subscription")
	}
	if n == 0 {
		return fault.NotFound("", "subscription %s not found", id)
	}
	return nil
}

func (s subscriptions) ListBySession(ctx context.Context, sessionID string) ([]webhook.Subscription, error) {
	rows, err := s.r.q.ListSubscriptionsBySession(ctx, sessionID)
	if err != nil {
		return nil, wrap(err, "list subscriptions")
	}
	out := make([]webhook.Subscription, 0, len(rows))
	for _, row := range rows {
		sub, err := subscriptionToDomain(row, s.r.sealer)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}

func toSubscriptionRow(s webhook.Subscription, sealer ports.SecretSealer) (db.CreateSubscriptionParams, error) {
	secret, err := sealSecret(s.Secret, sealer)
	if err != nil {
		return db.CreateSubscriptionParams{}, err
	}
	previous, err := sealSecret(s.PreviousSecret, sealer)
	if err != nil {
		return db.CreateSubscriptionParams{}, err
	}
	events, err := json.Marshal(nonNil(s.Events))
	if err != nil {
		return db.CreateSubscriptionParams{}, wrap(err, "encode subscription events")
	}
	row := db.CreateSubscriptionParams{
		ID: s.ID, SessionID: s.SessionID, Url: s.URL, Secret: secret, PreviousSecret: previous,
		Events: string(events), Mode: string(s.Mode), Algorithm: int64(s.Algorithm), Enabled: s.Enabled,
		Failures: int64(s.Failures), DisabledReason: s.DisabledReason,
		CreatedAt: toMillis(s.CreatedAt), UpdatedAt: toMillis(s.UpdatedAt),
	}
	if !s.PreviousUntil.IsZero() {
		row.PreviousUntil = toNullMillis(&s.PreviousUntil)
	}
	return row, nil
}

func subscriptionToDomain(row db.WebhookSubscription, sealer ports.SecretSealer) (webhook.Subscription, error) {
	secret, err := openSecret(row.Secret, sealer)
	if err != nil {
		return webhook.Subscription{}, err
	}
	previous, err := openSecret(row.PreviousSecret, sealer)
	if err != nil {
		return webhook.Subscription{}, err
	}
	var events []string
	if err := json.Unmarshal([]byte(row.Events), &events); err != nil {
		return webhook.Subscription{}, wrap(err, "decode subscription events")
	}
	s := webhook.Subscription{
		ID: row.ID, SessionID: row.SessionID, URL: row.Url, Secret: secret, PreviousSecret: previous,
		Events: emptyToNil(events), Mode: webhook.Mode(row.Mode), Algorithm: webhook.Algorithm(row.Algorithm),
		Enabled: row.Enabled, Failures: int(row.Failures), DisabledReason: row.DisabledReason,
		CreatedAt: fromMillis(row.CreatedAt), UpdatedAt: fromMillis(row.UpdatedAt),
	}
	if t := fromNullMillis(row.PreviousUntil); t != nil {
		s.PreviousUntil = *t
	}
	return s, nil
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
