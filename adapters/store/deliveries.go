package store

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Deliveries() ports.DeliveryRepository { return deliveries{r} }

type deliveries struct{ r *Repos }

func (d deliveries) Create(ctx context.Context, del webhook.Delivery) error {
	n, err := d.r.Q.CreateDelivery(ctx, toDeliveryRow(del))
	if d.r.D.ForeignKeyViolation(err) { // the event went with its session
		return fault.NotFound("", "event %s not found", del.EventID)
	}
	if err != nil {
		return d.r.D.Wrap(err, "create delivery")
	}
	if n == 0 {
		return fault.Conflict("", "delivery of event %s to %s (subscription %q) already exists", del.EventID, del.URL, del.SubscriptionID)
	}
	return nil
}

func (d deliveries) CreateMany(ctx context.Context, ds []webhook.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return d.r.Atomic(ctx, func(r *Repos) error {
		for batch := range slices.Chunk(ds, cmp.Or(r.D.BatchRows, 500)) {
			rows, err := deliveriesJSON(batch)
			if err != nil {
				return err
			}
			_, err = r.Q.CreateDeliveries(ctx, rows)
			if r.D.ForeignKeyViolation(err) { // an event went with its session
				return fault.NotFound("", "an event of %d deliveries not found", len(batch))
			}
			if err != nil {
				return r.D.Wrap(err, "create deliveries")
			}
		}
		return nil
	})
}

// deliveryJSON is a delivery as CreateDeliveries and SaveDeliveries read it, times in unix
// microseconds (each dialect turns them into its own).
type deliveryJSON struct {
	ID             string `json:"id"`
	EventID        string `json:"event_id"`
	SessionID      string `json:"session_id"`
	SubscriptionID string `json:"subscription_id"`
	URL            string `json:"url"`
	Status         string `json:"status"`
	Attempts       int    `json:"attempts"`
	NextAttemptAt  int64  `json:"next_attempt_at"`
	LastError      string `json:"last_error"`
	LastStatus     int    `json:"last_status"`
	CreatedAt      int64  `json:"created_at"`
	RetryFrom      int64  `json:"retry_from"`
	UpdatedAt      int64  `json:"updated_at"`
}

func deliveriesJSON(ds []webhook.Delivery) (string, error) {
	rows := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		rows[i] = deliveryJSON{ID: d.ID, EventID: d.EventID, SessionID: d.SessionID, SubscriptionID: d.SubscriptionID,
			URL: d.URL, Status: string(d.Status), Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt.UnixMicro(),
			LastError: d.LastError, LastStatus: d.LastStatus, CreatedAt: d.CreatedAt.UnixMicro(),
			RetryFrom: d.RetryFrom.UnixMicro(), UpdatedAt: d.UpdatedAt.UnixMicro()}
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

func (d deliveries) Get(ctx context.Context, id string) (webhook.Delivery, error) {
	row, err := d.r.Q.GetDelivery(ctx, id)
	if err != nil {
		return webhook.Delivery{}, d.r.D.NotFound(err, "", "delivery "+id)
	}
	return deliveryToDomain(row), nil
}

func (d deliveries) Save(ctx context.Context, del webhook.Delivery) error {
	n, err := d.r.Q.SaveDelivery(ctx, toDeliveryRow(del))
	if err != nil {
		return d.r.D.Wrap(err, "save delivery")
	}
	if n == 0 {
		return fault.NotFound("", "delivery %s not found", del.ID)
	}
	return nil
}

// SaveMany saves ds in one transaction, in one statement a batch where the dialect
// has it; one of them gone fails them all.
func (d deliveries) SaveMany(ctx context.Context, ds []webhook.Delivery) error {
	return d.r.Atomic(ctx, func(r *Repos) error {
		if r.Q.SaveDeliveries == nil {
			for _, del := range ds {
				if err := r.Deliveries().Save(ctx, del); err != nil {
					return err
				}
			}
			return nil
		}
		for batch := range slices.Chunk(ds, cmp.Or(r.D.BatchRows, 500)) {
			rows, err := deliveriesJSON(batch)
			if err != nil {
				return err
			}
			n, err := r.Q.SaveDeliveries(ctx, rows)
			if err != nil {
				return r.D.Wrap(err, "save deliveries")
			}
			if n != int64(len(batch)) {
				return fault.NotFound("", "%d of %d deliveries not found", int64(len(batch))-n, len(batch))
			}
		}
		return nil
	})
}

// ClaimDue selects and leases in one transaction, so concurrent claimers never share
// a delivery (see Queries.ClaimDueDeliveries for how each dialect keeps them apart).
func (d deliveries) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, lines, perLine int) ([]webhook.Delivery, error) {
	var rows []DeliveryRow
	err := d.r.Atomic(ctx, func(r *Repos) error {
		var err error
		rows, err = r.Q.ClaimDueDeliveries(ctx, ClaimArg{Now: now, LockedUntil: now.Add(lease),
			Lines: Limit(lines), PerLine: Limit(perLine)})
		return r.D.Wrap(err, "claim due deliveries")
	})
	if err != nil {
		return nil, err
	}
	return deliveriesToDomain(rows), nil
}

func (d deliveries) List(ctx context.Context, f ports.DeliveryFilter) ([]webhook.Delivery, error) {
	p := DeliveryFilterArg{SessionIds: f.SessionIDs, Lim: Limit(f.Limit)}
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
	rows, err := d.r.Q.ListDeliveries(ctx, p)
	if err != nil {
		return nil, d.r.D.Wrap(err, "list deliveries")
	}
	return deliveriesToDomain(rows), nil
}

func (d deliveries) ListByEvent(ctx context.Context, eventID string) ([]webhook.Delivery, error) {
	rows, err := d.r.Q.ListDeliveriesByEvent(ctx, eventID)
	if err != nil {
		return nil, d.r.D.Wrap(err, "list deliveries of event")
	}
	return deliveriesToDomain(rows), nil
}

func toDeliveryRow(d webhook.Delivery) DeliveryRow {
	return DeliveryRow{
		ID: d.ID, EventID: d.EventID, SessionID: d.SessionID, SubscriptionID: d.SubscriptionID, Url: d.URL,
		Status: string(d.Status), Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt, LastError: d.LastError,
		LastStatus: d.LastStatus, CreatedAt: d.CreatedAt, RetryFrom: d.RetryFrom, UpdatedAt: d.UpdatedAt,
	}
}

func deliveryToDomain(row DeliveryRow) webhook.Delivery {
	return webhook.Delivery{
		ID: row.ID, EventID: row.EventID, SessionID: row.SessionID, SubscriptionID: row.SubscriptionID, URL: row.Url,
		Status: webhook.DeliveryStatus(row.Status), Attempts: row.Attempts, NextAttemptAt: row.NextAttemptAt,
		LastError: row.LastError, LastStatus: row.LastStatus, CreatedAt: row.CreatedAt, RetryFrom: row.RetryFrom,
		UpdatedAt: row.UpdatedAt,
	}
}

func deliveriesToDomain(rows []DeliveryRow) []webhook.Delivery {
	out := make([]webhook.Delivery, 0, len(rows))
	for _, row := range rows {
		out = append(out, deliveryToDomain(row))
	}
	return out
}
