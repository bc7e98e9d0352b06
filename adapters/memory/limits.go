package memory

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/warest-go/warest/ports"
)

// limits is the state of counters, cooldowns and idempotency keys.
type limits struct {
	counters  map[string]counter
	cooldowns map[cooldownKey]time.Time
	idem      map[idemKey]ports.IdempotencyRecord
}

type counter struct {
	window time.Time
	count  int64
}

type cooldownKey struct{ sessionID, recipient string }

type idemKey struct{ scope, key string }

func (l limits) clone() limits {
	return limits{counters: maps.Clone(l.counters), cooldowns: maps.Clone(l.cooldowns), idem: maps.Clone(l.idem)}
}

type counters repos

func (r counters) Hit(_ context.Context, key string, window, _ time.Time) (int64, error) {
	var n int64
	err := r.with(func(st *state) error {
		c := st.limits.counters[key]
		if c.window.Equal(window) {
			c.count++
		} else {
			c = counter{window: window, count: 1}
		}
		st.limits.counters[key] = c
		n = c.count
		return nil
	})
	return n, err
}

type cooldowns repos

func (r cooldowns) Touch(_ context.Context, sessionID, recipient string, at time.Time) error {
	return r.with(func(st *state) error {
		if err := st.sessionGone(sessionID); err != nil {
			return err
		}
		k := cooldownKey{sessionID, recipient}
		if at.After(st.limits.cooldowns[k]) {
			st.limits.cooldowns[k] = at.UTC()
		}
		return nil
	})
}

func (r cooldowns) Last(_ context.Context, sessionID, recipient string) (time.Time, error) {
	var out time.Time
	err := r.with(func(st *state) error {
		out = st.limits.cooldowns[cooldownKey{sessionID, recipient}]
		return nil
	})
	return out, err
}

type idempotency repos

func (r idempotency) Claim(_ context.Context, rec ports.IdempotencyRecord) (ports.IdempotencyRecord, bool, error) {
	var (
		out     ports.IdempotencyRecord
		claimed bool
	)
	err := r.with(func(st *state) error {
		k := idemKey{rec.Scope, rec.Key}
		if cur, ok := st.limits.idem[k]; ok && cur.ExpiresAt.After(rec.CreatedAt) {
			out = cur
			out.MessageIDs = slices.Clone(cur.MessageIDs)
			return nil
		}
		if err := st.sessionGone(rec.SessionID); err != nil {
			return err
		}
		rec.MessageIDs = slices.Clone(rec.MessageIDs)
		st.limits.idem[k] = rec
		out, claimed = rec, true
		return nil
	})
	return out, claimed, err
}
