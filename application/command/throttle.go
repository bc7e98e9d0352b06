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
// is set, the quota. Counting is one atomic statement in the store, so it holds
// across nodes sharing PostgreSQL. Over a limit the error is KindRateLimited
// wrapping a *throttle.Exceeded; the returned state is valid either way.
func (s *Quotas) Throttle(ctx context.Context, p account.Principal, quota bool) (ThrottleState, error) {
	t := s.tally(p, quota)
	if !t.enabled() {
		return ThrottleState{}, nil
	}
	var st ThrottleState
	// Both counters in one transaction, shared with concurrent requests' (group commit).
	err := s.store.InterleavedGroupTx(ctx, t.scope, func(ctx context.Context, r ports.Repositories) (err error) {
		st, err = t.count(ctx, r)
		return err
	})
	if err != nil {
		return ThrottleState{}, err
	}
	return st, t.verdict(st)
}

// tally is one request's count: the caller's lane and the windows that apply to it.
type tally struct {
	scope       string
	rate, quota throttle.Window // a zero window is not counted
	now         time.Time
}

func (s *Quotas) tally(p account.Principal, quota bool) tally {
	t := tally{scope: callerScope(p), rate: s.cfg.Limits.Rate, now: s.clock.Now()}
	if quota {
		t.quota = s.cfg.Limits.Quota
		if n, ok := s.cfg.Limits.QuotaPerKey[p.KeyID]; ok {
			t.quota.Limit = n
		}
	}
	return t
}

func (t tally) enabled() bool { return t.rate.Enabled() || t.quota.Enabled() }

// count hits the counters in r's transaction, which must be in the lane t.scope: the
// windows that apply, in one statement.
func (t tally) count(ctx context.Context, r ports.Repositories) (ThrottleState, error) {
	type limit struct {
		prefix string
		w      throttle.Window
		st     **throttle.State
	}
	var st ThrottleState
	var on []limit
	for _, l := range []limit{{"rl:", t.rate, &st.Rate}, {"q:", t.quota, &st.Quota}} {
		if l.w.Enabled() {
			on = append(on, l)
		}
	}
	hits := make([]ports.CounterHit, len(on))
	for i, l := range on {
		hits[i] = counterHit(l.prefix+t.scope, l.w, t.now)
	}
	counts, err := r.Counters().Hit(ctx, hits...)
	if err != nil {
		return ThrottleState{}, err
	}
	for i, l := range on {
		s := l.w.After(counts[i], t.now)
		*l.st = &s
	}
	return st, nil
}

// verdict is the error of a request over a limit, nil under them.
func (t tally) verdict(st ThrottleState) error {
	switch {
	case st.Rate != nil && st.Rate.Exceeded:
		return exceeded(throttle.LimitRate, t.rate.RetryAfter(t.now), "")
	case st.Quota != nil && st.Quota.Exceeded:
		return exceeded(throttle.LimitQuota, t.quota.RetryAfter(t.now), "")
	}
	return nil
}

func hit(ctx context.Context, r ports.Repositories, key string, w throttle.Window, now time.Time) (throttle.State, error) {
	n, err := r.Counters().Hit(ctx, counterHit(key, w, now))
	if err != nil {
		return throttle.State{}, err
	}
	return w.After(n[0], now), nil
}

// counterHit is a hit of key's counter in w's window holding now.
func counterHit(key string, w throttle.Window, now time.Time) ports.CounterHit {
	start := w.Start(now)
	return ports.CounterHit{Key: key, Window: start, Expires: start.Add(2 * w.Size)}
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
