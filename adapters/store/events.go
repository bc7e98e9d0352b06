package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Events() ports.EventRepository { return events{r} }

type events struct{ r *Repos }

func (e events) Append(ctx context.Context, env event.Envelope) (event.Envelope, error) {
	_, err := e.r.Q.AppendEvent(ctx, EventRow{
		ID: env.ID, Type: string(env.Type), SessionID: env.SessionID,
		OccurredAt: env.OccurredAt, Payload: env.Payload,
	})
	if errors.Is(err, e.r.D.NoRows) { // ON CONFLICT DO NOTHING returned no seq
		return event.Envelope{}, eventExists(env.ID)
	}
	if e.r.D.ForeignKeyViolation(err) {
		return event.Envelope{}, SessionGone(env.SessionID)
	}
	if err != nil {
		return event.Envelope{}, e.r.D.Wrap(err, "append event")
	}
	return env, nil
}

func eventExists(id string) error { return fault.Conflict("", "event %s already exists", id) }

func (e events) Get(ctx context.Context, id string) (event.Envelope, error) {
	row, err := e.r.Q.GetEvent(ctx, id)
	if err != nil {
		return event.Envelope{}, e.r.D.NotFound(err, "", "event "+id)
	}
	return eventToDomain(row), nil
}

func (e events) GetMany(ctx context.Context, ids []string) ([]event.Envelope, error) {
	if len(ids) == 0 {
		return []event.Envelope{}, nil
	}
	rows, err := e.r.Q.ListEventsByID(ctx, ids)
	if err != nil {
		return nil, e.r.D.Wrap(err, "get events")
	}
	return eventsToDomain(rows), nil
}

func (e events) ListAfter(ctx context.Context, after int64, limit int) ([]event.Envelope, error) {
	rows, err := e.r.Q.ListEventsAfter(ctx, ListArg{After: after, Lim: Limit(limit)})
	if err != nil {
		return nil, e.r.D.Wrap(err, "list events")
	}
	return eventsToDomain(rows), nil
}

func (e events) ListAfterFor(ctx context.Context, sessionIDs []string, after int64, limit int) ([]event.Envelope, error) {
	if len(sessionIDs) == 0 {
		return []event.Envelope{}, nil
	}
	rows, err := e.r.Q.ListEventsAfterFor(ctx, ListArg{After: after, SessionIds: sessionIDs, Lim: Limit(limit)})
	if err != nil {
		return nil, e.r.D.Wrap(err, "list events of sessions")
	}
	return eventsToDomain(rows), nil
}

func (e events) ListUnpublished(ctx context.Context, limit int) ([]event.Envelope, error) {
	rows, err := e.r.Q.ListUnpublishedEvents(ctx, Limit(limit))
	if err != nil {
		return nil, e.r.D.Wrap(err, "list unpublished events")
	}
	return eventsToDomain(rows), nil
}

// MarkPublished ignores unknown and already published ids (relaying is
// at-least-once); they take no position. Positions continue from the greatest one in
// the table, so they survive restarts; on PostgreSQL the unique index turns a second,
// concurrent assigner into an error rather than interleaved positions.
func (e events) MarkPublished(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	// One statement for the batch: the i-th id takes the i-th position after the last,
	// and one that takes none (already published, unknown) leaves its position unused.
	return e.r.Atomic(ctx, func(r *Repos) error {
		last, err := r.Q.LastEventPosition(ctx)
		if err != nil {
			return r.D.Wrap(err, "last event position")
		}
		_, err = r.Q.PublishEvents(ctx, PublishArg{Ids: ids, After: last, PublishedAt: at})
		return r.D.Wrap(err, "publish events")
	})
}

// eventToDomain sets Seq to the replay position of a published event, and leaves it 0
// otherwise (an older unpublished row's position is only a floor).
func eventToDomain(row EventRow) event.Envelope {
	var position int64
	if row.PublishedAt != nil && row.Position != nil {
		position = *row.Position
	}
	return event.Envelope{ID: row.ID, Seq: position, Type: event.Type(row.Type), SessionID: row.SessionID,
		OccurredAt: row.OccurredAt, Payload: json.RawMessage(row.Payload)}
}

func eventsToDomain(rows []EventRow) []event.Envelope {
	out := make([]event.Envelope, 0, len(rows))
	for _, row := range rows {
		out = append(out, eventToDomain(row))
	}
	return out
}
