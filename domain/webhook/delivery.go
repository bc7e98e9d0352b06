// Package webhook holds the pure parts of webhook delivery: the WAREST body and
// signature, delivery attempts and the retry policy.
package webhook

import (
	"math/rand/v2"
	"time"
)

// DeliveryStatus is the state of one event's delivery to one target.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryDead      DeliveryStatus = "dead" // gave up: retries exhausted or rejected
)

// Delivery is one event to be delivered to one subscription, with its attempt history.
type Delivery struct {
	ID             string
	EventID        string
	SessionID      string
	SubscriptionID string
	URL            string
	Status         DeliveryStatus
	Attempts       int
	NextAttemptAt  time.Time
	LastError      string
	LastStatus     int // HTTP status of the last attempt, 0 when none came back
	CreatedAt      time.Time
	RetryFrom      time.Time // start of the current retry window (creation or last redelivery)
	UpdatedAt      time.Time
}

// NewDelivery schedules a first attempt now.
func NewDelivery(id, eventID, sessionID, subscriptionID, url string, now time.Time) Delivery {
	now = now.UTC()
	return Delivery{ID: id, EventID: eventID, SessionID: sessionID, SubscriptionID: subscriptionID, URL: url,
		Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now, RetryFrom: now, UpdatedAt: now}
}

// Redeliver schedules the delivery again now with a fresh retry window, whatever
// its state; its attempt count keeps growing so the history stays visible.
func (d *Delivery) Redeliver(now time.Time) {
	now = now.UTC()
	d.Status = DeliveryPending
	d.NextAttemptAt = now
	d.RetryFrom = now
	d.UpdatedAt = now
}

// Defer postpones the next attempt without counting one (an open circuit).
func (d *Delivery) Defer(until, now time.Time) {
	d.NextAttemptAt = until.UTC()
	d.UpdatedAt = now.UTC()
}

// Outcome is what one attempt produced.
type Outcome struct {
	HTTPStatus int   // 0 when no response arrived
	Err        error // transport error, if any
}

// OK reports a 2xx response.
func (o Outcome) OK() bool { return o.Err == nil && o.HTTPStatus >= 200 && o.HTTPStatus < 300 }

// Retryable reports whether a failed attempt is worth repeating: network errors,
// timeouts, 408, 429 and 5xx (WAREST's rule, plus 408).
func (o Outcome) Retryable() bool {
	if o.Err != nil {
		return true
	}
	s := o.HTTPStatus
	return s == 408 || s == 429 || s >= 500
}

// Policy decides when to retry. The delay before attempt n+1 is Base*2^(n-1) capped
// at Max, plus a uniform jitter of up to Jitter. A delivery is dead when its response
// is not worth retrying, when MaxAttempts (if set) is reached, or when the next
// attempt would fall outside Horizon from the start of its retry window.
type Policy struct {
	MaxAttempts int // 0: no limit but the horizon
	Horizon     time.Duration
	Base        time.Duration
	Max         time.Duration
	Jitter      time.Duration
}

// DefaultPolicy retries for 24 hours, starting at WAREST's 800 ms and doubling up to
// 10 minutes between attempts, with WAREST's 300 ms jitter.
var DefaultPolicy = Policy{Horizon: 24 * time.Hour, Base: 800 * time.Millisecond, Max: 10 * time.Minute, Jitter: 300 * time.Millisecond}

// Delay returns the wait after the given (1-based) failed attempt, before jitter.
func (p Policy) Delay(attempt int) time.Duration {
	limit := p.Max
	if limit <= 0 {
		limit = DefaultPolicy.Max
	}
	d := p.Base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Record applies an attempt's outcome: delivered, rescheduled with backoff, or dead.
func (p Policy) Record(d *Delivery, o Outcome, now time.Time) {
	now = now.UTC()
	d.Attempts++
	d.LastStatus = o.HTTPStatus
	d.UpdatedAt = now
	d.LastError = ""
	if o.Err != nil {
		d.LastError = o.Err.Error()
	}
	if o.OK() {
		d.Status = DeliveryDelivered
		return
	}
	wait := p.Delay(d.Attempts)
	if p.Jitter > 0 {
		wait += rand.N(p.Jitter)
	}
	next := now.Add(wait)
	switch {
	case !o.Retryable(),
		p.MaxAttempts > 0 && d.Attempts >= p.MaxAttempts,
		p.Horizon > 0 && next.After(d.RetryFrom.Add(p.Horizon)):
		d.Status = DeliveryDead
	default:
		d.NextAttemptAt = next
	}
}
