// Package throttle holds the pure maths of WAREST's limits: fixed-window rate limits
// and quotas, the recipient cooldown, per-recipient pacing and the human-like
// presence delays shown before a send. Counting itself happens in the store.
package throttle

import (
	"fmt"
	"time"
)

// Window is a fixed-window limit: at most Limit hits per Size, the window restarting
// on multiples of Size since the Unix epoch (so every node agrees on its bounds).
type Window struct {
	Limit int
	Size  time.Duration
}

// Enabled reports whether the window limits anything.
func (w Window) Enabled() bool { return w.Limit > 0 && w.Size > 0 }

// Start is the beginning of the window holding now.
func (w Window) Start(now time.Time) time.Time {
	return now.Truncate(w.Size).UTC()
}

// Reset is when the window holding now ends.
func (w Window) Reset(now time.Time) time.Time { return w.Start(now).Add(w.Size) }

// State is a window's state after a hit, as reported in X-RateLimit-* / X-Quota-*.
type State struct {
	Limit     int
	Remaining int
	Reset     time.Time
	Exceeded  bool
}

// After returns the state once count hits (this one included) fell in now's window.
func (w Window) After(count int64, now time.Time) State {
	remaining := max(int64(w.Limit)-count, 0)
	return State{Limit: w.Limit, Remaining: int(remaining), Reset: w.Reset(now), Exceeded: count > int64(w.Limit)}
}

// RetryAfter is how long until the window holding now ends, rounded up to a second
// as the Retry-After header needs.
func (w Window) RetryAfter(now time.Time) time.Duration { return ceilSecond(w.Reset(now).Sub(now)) }

func ceilSecond(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return ((d + time.Second - 1) / time.Second) * time.Second
}

// Limit names which limit refused a request.
type Limit string

const (
	LimitRate     Limit = "rate"
	LimitQuota    Limit = "quota"
	LimitCooldown Limit = "cooldown"
)

// Exceeded is the error of a refused request; RetryAfter is whole seconds.
type Exceeded struct {
	Limit      Limit
	RetryAfter time.Duration
	Recipient  string // the cooling recipient, for LimitCooldown
}

func (e *Exceeded) Error() string {
	switch e.Limit {
	case LimitQuota:
		return "Quota exceeded"
	case LimitCooldown:
		return fmt.Sprintf("Recipient cooldown: %s, retry in %ds", e.Recipient, int(e.RetryAfter/time.Second))
	}
	return "Too many requests"
}

// CooldownLeft is how long a recipient last sent to at last must still wait; zero
// when it may be sent to now (or never was).
func CooldownLeft(last time.Time, cooldown time.Duration, now time.Time) time.Duration {
	if last.IsZero() || cooldown <= 0 {
		return 0
	}
	return max(last.Add(cooldown).Sub(now), 0)
}
