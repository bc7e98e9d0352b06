package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/warest-go/warest/ports"
)

func (r *Repos) Counters() ports.CounterRepository        { return counters{r} }
func (r *Repos) Cooldowns() ports.CooldownRepository      { return cooldowns{r} }
func (r *Repos) Idempotency() ports.IdempotencyRepository { return idempotency{r} }

type counters struct{ r *Repos }

// counterHitJSON is a hit as HitCounters reads it from its JSON array, times in unix
// microseconds.
type counterHitJSON struct {
	Key         string `json:"key"`
	WindowStart int64  `json:"window_start"`
	ExpiresAt   int64  `json:"expires_at"`
}

func (c counters) Hit(ctx context.Context, hits ...ports.CounterHit) ([]int64, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	if c.r.Q.HitCounter != nil {
		counts := make([]int64, len(hits))
		for i, h := range hits {
			n, err := c.r.Q.HitCounter(ctx, CounterHitArg{Key: h.Key, WindowStart: h.Window, ExpiresAt: h.Expires})
			if err != nil {
				return nil, c.r.D.Wrap(err, "hit counter")
			}
			counts[i] = n
		}
		return counts, nil
	}
	in := make([]counterHitJSON, len(hits))
	for i, h := range hits {
		in[i] = counterHitJSON{Key: h.Key, WindowStart: h.Window.UnixMicro(), ExpiresAt: h.Expires.UnixMicro()}
	}
	arg, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode counter hits: %w", err)
	}
	got, err := c.r.Q.HitCounters(ctx, string(arg))
	if err != nil {
		return nil, c.r.D.Wrap(err, "hit counters")
	}
	if len(got) != len(hits) {
		return nil, fmt.Errorf("hit counters: %d counts for %d hits (keys must differ)", len(got), len(hits))
	}
	counts := make([]int64, len(hits))
	for i, h := range hits { // the rows come back in no particular order
		j := slices.IndexFunc(got, func(g CounterCount) bool { return g.Key == h.Key })
		if j < 0 {
			return nil, fmt.Errorf("hit counters: no count for %s", h.Key)
		}
		counts[i] = got[j].Count
	}
	return counts, nil
}

type cooldowns struct{ r *Repos }

func (c cooldowns) Touch(ctx context.Context, sessionID, recipient string, at time.Time) error {
	err := c.r.Q.TouchCooldown(ctx, CooldownArg{SessionID: sessionID, Recipient: recipient, LastSentAt: at})
	if c.r.D.ForeignKeyViolation(err) {
		return SessionGone(sessionID)
	}
	return c.r.D.Wrap(err, "touch cooldown")
}

func (c cooldowns) Last(ctx context.Context, sessionID, recipient string) (time.Time, error) {
	at, err := c.r.Q.GetCooldown(ctx, CooldownArg{SessionID: sessionID, Recipient: recipient})
	if errors.Is(err, c.r.D.NoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, c.r.D.Wrap(err, "get cooldown")
	}
	return at, nil
}

type idempotency struct{ r *Repos }

func (i idempotency) Claim(ctx context.Context, rec ports.IdempotencyRecord) (ports.IdempotencyRecord, bool, error) {
	ids, err := json.Marshal(rec.MessageIDs)
	if err != nil {
		return ports.IdempotencyRecord{}, false, fmt.Errorf("encode message ids: %w", err)
	}
	n, err := i.r.Q.ClaimIdempotencyKey(ctx, IdempotencyRow{Scope: rec.Scope, Key: rec.Key, Hash: rec.Hash,
		SessionID: rec.SessionID, MessageIds: string(ids), CreatedAt: rec.CreatedAt, ExpiresAt: rec.ExpiresAt})
	if i.r.D.ForeignKeyViolation(err) {
		return ports.IdempotencyRecord{}, false, SessionGone(rec.SessionID)
	}
	if err != nil {
		return ports.IdempotencyRecord{}, false, i.r.D.Wrap(err, "claim idempotency key")
	}
	if n == 1 {
		return rec, true, nil
	}
	row, err := i.r.Q.GetIdempotencyKey(ctx, IdempotencyRow{Scope: rec.Scope, Key: rec.Key})
	if err != nil {
		return ports.IdempotencyRecord{}, false, i.r.D.Wrap(err, "get idempotency key")
	}
	out := ports.IdempotencyRecord{Scope: row.Scope, Key: row.Key, Hash: row.Hash, SessionID: row.SessionID,
		CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt}
	if err := json.Unmarshal([]byte(row.MessageIds), &out.MessageIDs); err != nil {
		return ports.IdempotencyRecord{}, false, fmt.Errorf("decode message ids: %w", err)
	}
	return out, false, nil
}
