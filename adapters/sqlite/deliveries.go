package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"time"

	"github.com/warest-go/warest/adapters/sqlite/internal/db"
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

// ClaimDue selects and leases in one transaction, which takes the write lock at
// BEGIN (see dsn): concurrent claimers queue behind it and see its leases. It runs
// simple statements, one per line, rather than one that does it all: modernc compiles
// a statement on every call, and compiling such a one costs more than running these.
func (d deliveries) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, lines, perLine int) ([]webhook.Delivery, error) {
	var out []webhook.Delivery
	err := d.r.atomic(ctx, func(r *repos) error {
		heads, err := r.q.ListClaimableLines(ctx, db.ListClaimableLinesParams{Now: toMillis(now), Lines: toLimit(lines)})
		if err != nil {
			return wrap(err, "list claimable lines")
		}
		var ids []string
		for _, h := range heads {
			run, err := r.q.ListLineRun(ctx, db.ListLineRunParams{SessionID: h.SessionID, SubscriptionID: h.SubscriptionID,
				Url: h.Url, Head: h.Head, Lim: toLimit(perLine)})
			if err != nil {
				return wrap(err, "list line run")
			}
			for _, row := range run {
				if row.NextAttemptAt > toMillis(now) || (row.LockedUntil.Valid && row.LockedUntil.Int64 > toMillis(now)) {
					break // the rest of the line waits behind it
				}
				ids = append(ids, row.ID)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		until := now.Add(lease)
		if err := r.q.LeaseDeliveries(ctx, db.LeaseDeliveriesParams{LockedUntil: toNullMillis(&until), Ids: ids}); err != nil {
			return wrap(err, "lease deliveries")
		}
		rows, err := r.q.ListDeliveriesByID(ctx, ids)
		if err != nil {
			return wrap(err, "read claimed deliveries")
		}
		out = deliveriesToDomain(rows)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (d deliveries) List(ctx context.Context, f ports.DeliveryFilter) ([]webhook.Delivery, error) {
	p := db.ListDeliveriesParams{
		Status: string(f.Status), EventID: f.EventID, SubscriptionID: f.SubscriptionID,
		CreatedFrom: math.MinInt64, CreatedTo: math.MaxInt64, Lim: toLimit(f.Limit),
	}
	if f.SessionIDs != nil {
		ids, err := json.Marshal(f.SessionIDs)
		if err != nil {
			return nil, wrap(err, "encode session ids")
		}
		p.SessionIds = sql.NullString{String: string(ids), Valid: true}
	}
	if !f.CreatedFrom.IsZero() {
		p.CreatedFrom = toMillis(f.CreatedFrom)
	}
	if !f.CreatedTo.IsZero() {
		p.CreatedTo = toMillis(f.CreatedTo)
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
		Status: string(d.Status), Attempts: int64(d.Attempts), NextAttemptAt: toMillis(d.NextAttemptAt),
		LastError: d.LastError, LastStatus: int64(d.LastStatus), CreatedAt: toMillis(d.CreatedAt),
		RetryFrom: toMillis(d.RetryFrom), UpdatedAt: toMillis(d.UpdatedAt),
	}
}

func deliveryToDomain(row db.WebhookDelivery) webhook.Delivery {
	return webhook.Delivery{
		ID: row.ID, EventID: row.EventID, SessionID: row.SessionID, SubscriptionID: row.SubscriptionID, URL: row.Url,
		Status: webhook.DeliveryStatus(row.Status), Attempts: int(row.Attempts),
		NextAttemptAt: fromMillis(row.NextAttemptAt), LastError: row.LastError, LastStatus: int(row.LastStatus),
		CreatedAt: fromMillis(row.CreatedAt), RetryFrom: fromMillis(row.RetryFrom), UpdatedAt: fromMillis(row.UpdatedAt),
	}
}

func deliveriesToDomain(rows []db.WebhookDelivery) []webhook.Delivery {
	out := make([]webhook.Delivery, 0, len(rows))
	for _, row := range rows {
		out = append(out, deliveryToDomain(row))
	}
	return out
}
