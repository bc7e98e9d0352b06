package postgres

import (
	"context"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
)

type parked struct{ r *repos }

func (p parked) Park(ctx context.Context, e event.Parked) error {
	n, err := p.r.q.ParkEvent(ctx, db.ParkEventParams{ID: e.ID, SessionID: e.SessionID, Kind: e.Kind,
		Payload: e.Payload, Reason: e.Reason, ParkedAt: e.ParkedAt})
	if err != nil {
		return wrap(err, "park event")
	}
	if n == 0 {
		return fault.Conflict("", "parked event %s already exists", e.ID)
	}
	return nil
}

func (p parked) List(ctx context.Context, limit int) ([]event.Parked, error) {
	rows, err := p.r.q.ListParkedEvents(ctx, toLimit(limit))
	if err != nil {
		return nil, wrap(err, "list parked events")
	}
	out := make([]event.Parked, len(rows))
	for i, row := range rows {
		out[i] = event.Parked{ID: row.ID, SessionID: row.SessionID, Kind: row.Kind, Payload: row.Payload,
			Reason: row.Reason, ParkedAt: toUTC(row.ParkedAt)}
	}
	return out, nil
}
