package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warest-go/warest/adapters/sqlite/internal/db"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

type counters struct{ r *repos }

func (c counters) Hit(ctx context.Context, key string, window, expires time.Time) (int64, error) {
	n, err := c.r.q.HitCounter(ctx, db.HitCounterParams{Key: key, WindowStart: toMillis(window), ExpiresAt: toMillis(expires)})
	if err != nil {
		return 0, wrap(err, "hit counter")
	}
	return n, nil
}

type cooldowns struct{ r *repos }

func (c cooldowns) Touch(ctx context.Context, sessionID, recipient string, at time.Time) error {
	err := c.r.q.TouchCooldown(ctx, db.TouchCooldownParams{SessionID: sessionID, Recipient: recipient, LastSentAt: toMillis(at)})
	if isForeignKeyViolation(err) {
		return sessionGone(sessionID)
	}
	return wrapIf(err, "touch cooldown")
}

func (c cooldowns) Last(ctx context.Context, sessionID, recipient string) (time.Time, error) {
	ms, err := c.r.q.GetCooldown(ctx, db.GetCooldownParams{SessionID: sessionID, Recipient: recipient})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, wrap(err, "get cooldown")
	}
	return fromMillis(ms), nil
}

type idempotency struct{ r *repos }

func (i idempotency) Claim(ctx context.Context, rec ports.IdempotencyRecord) (ports.IdempotencyRecord, bool, error) {
	ids, err := json.Marshal(rec.MessageIDs)
	if err != nil {
		return ports.IdempotencyRecord{}, false, fmt.Errorf("encode message ids: %w", err)
	}
	n, err := i.r.q.ClaimIdempotencyKey(ctx, db.ClaimIdempotencyKeyParams{Scope: rec.Scope, Key: rec.Key, Hash: rec.Hash,
		SessionID: rec.SessionID, MessageIds: string(ids), CreatedAt: toMillis(rec.CreatedAt), ExpiresAt: toMillis(rec.ExpiresAt)})
	if isForeignKeyViolation(err) {
		return ports.IdempotencyRecord{}, false, sessionGone(rec.SessionID)
	}
	if err != nil {
		return ports.IdempotencyRecord{}, false, wrap(err, "claim idempotency key")
	}
	if n == 1 {
		return rec, true, nil
	}
	row, err := i.r.q.GetIdempotencyKey(ctx, db.GetIdempotencyKeyParams{Scope: rec.Scope, Key: rec.Key})
	if err != nil {
		return ports.IdempotencyRecord{}, false, wrap(err, "get idempotency key")
	}
	out := ports.IdempotencyRecord{Scope: row.Scope, Key: row.Key, Hash: row.Hash, SessionID: row.SessionID,
		CreatedAt: fromMillis(row.CreatedAt), ExpiresAt: fromMillis(row.ExpiresAt)}
	if err := json.Unmarshal([]byte(row.MessageIds), &out.MessageIDs); err != nil {
		return ports.IdempotencyRecord{}, false, fmt.Errorf("decode message ids: %w", err)
	}
	return out, false, nil
}

type inbound struct{ r *repos }

func (i inbound) FindReceived(ctx context.Context, sessionID, messageID string) (event.Envelope, error) {
	row, err := i.r.q.FindReceivedMessage(ctx, db.FindReceivedMessageParams{SessionID: sessionID, MessageID: messageID})
	if err != nil {
		return event.Envelope{}, notFound(err, fault.ReasonMessageNotFound, "message "+messageID)
	}
	return eventToDomain(row), nil
}

func wrapIf(err error, what string) error {
	if err != nil {
		return wrap(err, what)
	}
	return nil
}
