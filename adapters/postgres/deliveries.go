package postgres

import (
	"context"
	"time"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

type deliveries struct{ r *repos }

func (d deliveries) Create(ctx context.Context, del webhook.Delivery) error {
	n, err := d.r.q.CreateDelivery(ctx, toDeliveryRow(del))
	if isForeignKeyViolation(err) { // the event went with its session
		return fault.NotFound("", "event %s not found", del.EventID)
	}
	if err != nil {
		return wrap(err, "create delivery")
	}
	if n == 0 {
		return fault.Conflict("", "delivery of event %s to %s (subscription %q) already exists", del.EventID, del.URL, del.SubscriptionID)
	}
	return nil
}

func (d deliveries) Get(ctx context.Context, id string) (webhook.Delivery, error) {
	row, err := d.r.q.GetDelivery(ctx, id)
	if err != nil {
		return webhook.Delivery{}, notFound(err, "", "delivery "+id)
	}
	return deliveryToDomain(row), nil
}

func (d deliveries) Save(ctx context.Context, del webhook.Delivery) error {
	n, err := d.r.q.SaveDelivery(ctx, db.SaveDeliveryParams(toDeliveryRow(del)))
	if err != nil {
		return wrap(err, "save delivery")
	}
	if n == 0 {
		return fault.NotFound("", "delivery %s not found", del.ID)
	}
	return nil
}

// ClaimDue is one statement: see ClaimDueDeliveries for how concurrent claimers
// stay apart.
func (d deliveries) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, lines, perLine int) ([]webhook.Delivery, error) {
	rows, err := d.r.q.ClaimDueDeliveries(ctx, db.ClaimDueDeliveriesParams{Now: now, Lines: toLimit(lines),
		PerLine: toLimit(perLine), LockedUntil: now.Add(lease)})
	if err != nil {
		return nil, wrap(err, "claim due deliveries")
	}
	out := make([]webhook.Delivery, 0, len(rows))
	for _, row := range rows {
		out = append(out, deliveryToDomain(db.WebhookDelivery(row)))
	}
	return out, nil
}

func (d deliveries) List(ctx context.Context, f ports.DeliveryFilter) ([]webhook.Delivery, error) {
	p := db.ListDeliveriesParams{SessionIds: f.SessionIDs, Lim: toLimit(f.Limit)}
	if f.Status != "" {
		p.Status = new(string(f.Status))
	}
	if f.EventID != "" {
		p.EventID = &f.EventID
	}
	if f.SubscriptionID != "" {
		p.SubscriptionID = &f.SubscriptionID
	}
	if !f.CreatedFrom.IsZero() {
		p.CreatedFrom = &f.CreatedFrom
	}
	if !f.CreatedTo.IsZero() {
		p.CreatedTo = &f.CreatedTo
	}
	rows, err := d.r.q.ListDeliveries(ctx, p)
	if err != nil {
		return nil, wrap(err, "list deliveries")
	}
	return deliveriesToDomain(rows), nil
}

func (d deliveries) ListByEvent(ctx context.Context, eventID string) ([]webhook.Delivery, error) {
	rows, err := d.r.q.ListDeliveriesByEvent(ctx, eventID)
	if err != nil {
		return nil, wrap(err, "list deliveries of event")
	}
	return deliveriesToDomain(rows), nil
}

func toDeliveryRow(d webhook.Delivery) db.CreateDeliveryParams {
	return db.CreateDeliveryParams{
		ID: d.ID, EventID: d.EventID, SessionID: d.SessionID, SubscriptionID: d.SubscriptionID, Url: d.URL,
		Status: string(d.Status), Attempts: int32(d.Attempts), NextAttemptAt: d.NextAttemptAt,
		LastError: d.LastError, LastStatus: int32(d.LastStatus), CreatedAt: d.CreatedAt,
		RetryFrom: d.RetryFrom, UpdatedAt: d.UpdatedAt,
	}
}

func deliveryToDomain(row db.WebhookDelivery) webhook.Delivery {
	return webhook.Delivery{
		ID: row.ID, EventID: row.EventID, SessionID: row.SessionID, SubscriptionID: row.SubscriptionID, URL: row.Url,
		Status: webhook.DeliveryStatus(row.Status), Attempts: int(row.Attempts),
		NextAttemptAt: toUTC(row.NextAttemptAt), LastError: row.LastError, LastStatus: int(row.LastStatus),
		CreatedAt: toUTC(row.CreatedAt), RetryFrom: toUTC(row.RetryFrom), UpdatedAt: toUTC(row.UpdatedAt),
	}
}

func deliveriesToDomain(rows []db.WebhookDelivery) []webhook.Delivery {
	out := make([]webhook.Delivery, 0, len(rows))
	for _, row := range rows {
		out = append(out, deliveryToDomain(row))
	}
	return out
}
