package store

import (
	"context"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Parked() ports.ParkedEventRepository { return parked{r} }

type parked struct{ r *Repos }

func (p parked) Park(ctx context.Context, e event.Parked) error {
	n, err := p.r.Q.ParkEvent(ctx, ParkedRow{ID: e.ID, SessionID: e.SessionID, Kind: e.Kind,
		Payload: e.Payload, Reason: e.Reason, ParkedAt: e.ParkedAt})
	if err != nil {
		return p.r.D.Wrap(err, "park event")
	}
	if n == 0 {
		return fault.Conflict("", "parked event %s already exists", e.ID)
	}
	return nil
}

func (p parked) List(ctx context.Context, limit int) ([]event.Parked, error) {
	rows, err := p.r.Q.ListParkedEvents(ctx, Limit(limit))
	if err != nil {
		return nil, p.r.D.Wrap(err, "list parked events")
	}
	out := make([]event.Parked, len(rows))
	for i, row := range rows {
		out[i] = event.Parked{ID: row.ID, SessionID: row.SessionID, Kind: row.Kind, Payload: row.Payload,
			Reason: row.Reason, ParkedAt: row.ParkedAt}
	}
	return out, nil
}
