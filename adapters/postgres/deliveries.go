package postgres

import (
	"context"
	"time"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
)

type deliveries struct{ r *repos }

func (d deliveries) Create(ctx context.Context, del webhook.Delivery) error {
	n, err := d.r.q.CreateDelivery(ctx, toDeliveryRow(del))
	if err != nil {
		return wrap(err, "create delivery")
	}
	if n == 0 {
		return fault.Conflict("", "delivery of event %s to %s already exists", del.EventID, del.URL)
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

func (d deliveries) ListDue(ctx context.Context, now time.Time, limit int) ([]webhook.Delivery, error) {
	rows, err := d.r.q.ListDueDeliveries(ctx, db.ListDueDeliveriesParams{Now: now, Lim: toLimit(limit)})
	if err != nil {
		return nil, wrap(err, "list due deliveries")
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
		ID: d.ID, EventID: d.EventID, SessionID: d.SessionID, Url: d.URL, Status: string(d.Status),
		Attempts: int32(d.Attempts), NextAttemptAt: d.NextAttemptAt, LastError: d.LastError,
		LastStatus: int32(d.LastStatus), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
}

func deliveryToDomain(row db.WebhookDelivery) webhook.Delivery {
	return webhook.Delivery{
		ID: row.ID, EventID: row.EventID, SessionID: row.SessionID, URL: row.Url,
		Status: webhook.DeliveryStatus(row.Status), Attempts: int(row.Attempts),
		NextAttemptAt: toUTC(row.NextAttemptAt), LastError: row.LastError, LastStatus: int(row.LastStatus),
		CreatedAt: toUTC(row.CreatedAt), UpdatedAt: toUTC(row.UpdatedAt),
	}
}

func deliveriesToDomain(rows []db.WebhookDelivery) []webhook.Delivery {
	out := make([]webhook.Delivery, 0, len(rows))
	for _, row := range rows {
		out = append(out, deliveryToDomain(row))
	}
	return out
}
