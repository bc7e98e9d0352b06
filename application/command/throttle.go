package command

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/ports"
)

// Quotas reports and counts a caller's send rate and quota.
type Quotas struct {
	cfg   Config
	store ports.Store
	clock ports.Clock
}

// Limits are WAREST's anti-abuse knobs. A zero window disables its limit.
type Limits struct {
	Rate           throttle.Window // RATE_LIMIT_WINDOW_MS / RATE_LIMIT_MAX, per API key, every route
	Quota          throttle.Window // QUOTA_WINDOW_MS / QUOTA_MAX, per API key, sending routes
	QuotaPerKey    map[string]int  // overrides Quota.Limit by API key id (0 disables it for the key)
	Cooldown       time.Duration   // SPAM_COOLDOWN_MS, per session and normalised recipient
	Pace           time.Duration   // minimum gap between two sends to one recipient (the worker waits)
	IdempotencyTTL time.Duration   // how long an Idempotency-Key is remembered
}

// DefaultLimits are WAREST's defaults (behaviour §4).
var DefaultLimits = Limits{
	Rate:           throttle.Window{Limit: 120, Size: time.Minute},
	Quota:          throttle.Window{Limit: 500, Size: time.Minute},
	Cooldown:       3 * time.Second,
	IdempotencyTTL: 24 * time.Hour,
}

// ThrottleState is what the limits said about one request, for the X-RateLimit-* and
// X-Quota-* headers; a nil field means that limit does not apply.
type ThrottleState struct {
	Rate  *throttle.State
	Quota *throttle.State
}

// Throttle counts one request of the caller against the rate limit and, when quota
// is set, the quota. Counting is one atomic statement per limit in the store, so it
// holds across nodes sharing PostgreSQL. Over a limit the error is KindRateLimited
// wrapping a *throttle.Exceeded; the returned state is valid either way.
func (s *Quotas) Throttle(ctx context.Context, p account.Principal, quota bool) (ThrottleState, error) {
	var st ThrottleState
	scope := callerScope(p)
	now := s.clock.Now()
	rate, q := s.cfg.Limits.Rate, s.cfg.Limits.Quota
	if n, ok := s.cfg.Limits.QuotaPerKey[p.KeyID]; ok {
		q.Limit = n
	}
	quota = quota && q.Enabled()
	if !rate.Enabled() && !quota {
		return st, nil
	}
	// Both counters in one transaction: one write instead of two on the hot path.
	err := s.store.InTx(ctx, func(r ports.Repositories) error {
		if rate.Enabled() {
			state, err := hit(ctx, r, "rl:"+scope, rate, now)
			if err != nil {
				return err
			}
			st.Rate = &state
		}
		if quota {
			state, err := hit(ctx, r, "q:"+scope, q, now)
			if err != nil {
				return err
			}
			st.Quota = &state
		}
		return nil
	})
	switch {
	case err != nil:
		return ThrottleState{}, err
	case st.Rate != nil && st.Rate.Exceeded:
		return st, exceeded(throttle.LimitRate, rate.RetryAfter(now), "")
	case st.Quota != nil && st.Quota.Exceeded:
		return st, exceeded(throttle.LimitQuota, q.RetryAfter(now), "")
	}
	return st, nil
}

func hit(ctx context.Context, r ports.Repositories, key string, w throttle.Window, now time.Time) (throttle.State, error) {
	start := w.Start(now)
	n, err := r.Counters().Hit(ctx, key, start, start.Add(2*w.Size))
	if err != nil {
		return throttle.State{}, err
	}
	return w.After(n, now), nil
}

// callerScope names the caller for limits and idempotency keys: the API key, or the
// user when the call did not come with one (webhook response actions).
func callerScope(p account.Principal) string {
	if p.KeyID != "" {
		return "key:" + p.KeyID
	}
	return "user:" + p.User.ID
}

func exceeded(l throttle.Limit, retry time.Duration, recipient string) error {
	e := &throttle.Exceeded{Limit: l, RetryAfter: retry, Recipient: recipient}
	return fault.Wrap(e, fault.KindRateLimited, "", e.Error())
}
