package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/warest-go/warest/adapters/sqlite/internal/db"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
)

type events struct{ r *repos }

func (e events) Append(ctx context.Context, env event.Envelope) (event.Envelope, error) {
	_, err := e.r.q.AppendEvent(ctx, db.AppendEventParams{
		ID: env.ID, Type: string(env.Type), SessionID: env.SessionID,
		OccurredAt: toMillis(env.OccurredAt), Payload: string(env.Payload), MessageID: env.MessageID,
	})
	if errors.Is(err, sql.ErrNoRows) { // ON CONFLICT DO NOTHING returned no seq
		return event.Envelope{}, fault.Conflict("", "event %s already exists", env.ID)
	}
	if isForeignKeyViolation(err) {
		return event.Envelope{}, sessionGone(env.SessionID)
	}
	if err != nil {
		return event.Envelope{}, wrap(err, "append event")
	}
	return env, nil
}

func (e events) Get(ctx context.Context, id string) (event.Envelope, error) {
	row, err := e.r.q.GetEvent(ctx, id)
	if err != nil {
		return event.Envelope{}, notFound(err, "", "event "+id)
	}
	return eventToDomain(row), nil
}

func (e events) ListAfter(ctx context.Context, after int64, limit int) ([]event.Envelope, error) {
	rows, err := e.r.q.ListEventsAfter(ctx, db.ListEventsAfterParams{After: after, Lim: toLimit(limit)})
	if err != nil {
		return nil, wrap(err, "list events")
	}
	return eventsToDomain(rows), nil
}

func (e events) ListAfterFor(ctx context.Context, sessionIDs []string, after int64, limit int) ([]event.Envelope, error) {
	if len(sessionIDs) == 0 {
		return []event.Envelope{}, nil
	}
	ids, err := json.Marshal(sessionIDs)
	if err != nil {
		return nil, wrap(err, "encode session ids")
	}
	rows, err := e.r.q.ListEventsAfterFor(ctx, db.ListEventsAfterForParams{After: after, SessionIds: string(ids), Lim: toLimit(limit)})
	if err != nil {
		return nil, wrap(err, "list events of sessions")
	}
	return eventsToDomain(rows), nil
}

func (e events) ListUnpublished(ctx context.Context, limit int) ([]event.Envelope, error) {
	rows, err := e.r.q.ListUnpublishedEvents(ctx, toLimit(limit))
	if err != nil {
		return nil, wrap(err, "list unpublished events")
	}
	return eventsToDomain(rows), nil
}

// MarkPublished ignores unknown and already published ids (relaying is
// at-least-once); they take no position. Positions continue from the greatest one in
// the table, so they survive restarts.
func (e events) MarkPublished(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return e.r.atomic(ctx, func(r *repos) error {
		last, err := r.q.LastEventPosition(ctx)
		if err != nil {
			return wrap(err, "last event position")
		}
		for _, id := range ids {
			n, err := r.q.PublishEvent(ctx, db.PublishEventParams{ID: id, Position: last + 1, PublishedAt: toNullMillis(&at)})
			if err != nil {
				return wrap(err, "publish event")
			}
			last += n
		}
		return nil
	})
}

// eventToDomain sets Seq to the replay position of a published event, and leaves it 0
// otherwise (an older unpublished row's position is only a floor).
func eventToDomain(row db.Event) event.Envelope {
	var position int64
	if row.PublishedAt.Valid {
		position = row.Position.Int64
	}
	return event.Envelope{ID: row.ID, Seq: position, Type: event.Type(row.Type), SessionID: row.SessionID,
		OccurredAt: fromMillis(row.OccurredAt), Payload: json.RawMessage(row.Payload), MessageID: row.MessageID}
}

func eventsToDomain(rows []db.Event) []event.Envelope {
	out := make([]event.Envelope, 0, len(rows))
	for _, row := range rows {
		out = append(out, eventToDomain(row))
	}
	return out
}
