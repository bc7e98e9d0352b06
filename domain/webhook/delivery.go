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

// Delivery is one event to be delivered to one URL, with its attempt history.
type Delivery struct {
	ID            string
	EventID       string
	SessionID     string
	URL           string
	Status        DeliveryStatus
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	LastStatus    int // HTTP status of the last attempt, 0 when none came back
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// NewDelivery schedules a first attempt now.
func NewDelivery(id, eventID, sessionID, url string, now time.Time) Delivery {
	now = now.UTC()
	return Delivery{ID: id, EventID: eventID, SessionID: sessionID, URL: url, Status: DeliveryPending,
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
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

// Policy decides when to retry. Delay before attempt n+1 is Base*2^(n-1) capped at
// Max, plus a uniform jitter of up to Jitter; attempts stop at MaxAttempts.
type Policy struct {
	MaxAttempts int
	Base        time.Duration
	Max         time.Duration
	Jitter      time.Duration
}

// DefaultPolicy mirrors WAREST's defaults: 4 attempts, 800 ms doubling, 300 ms jitter.
var DefaultPolicy = Policy{MaxAttempts: 4, Base: 800 * time.Millisecond, Max: 5 * time.Minute, Jitter: 300 * time.Millisecond}

// Delay returns the wait after the given (1-based) failed attempt, before jitter.
func (p Policy) Delay(attempt int) time.Duration {
	d := p.Base
	for i := 1; i < attempt && (p.Max <= 0 || d < p.Max); i++ {
		d *= 2
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	return d
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
	switch {
	case o.OK():
		d.Status = DeliveryDelivered
	case !o.Retryable() || d.Attempts >= p.MaxAttempts:
		d.Status = DeliveryDead
	default:
		wait := p.Delay(d.Attempts)
		if p.Jitter > 0 {
			wait += rand.N(p.Jitter)
		}
		d.NextAttemptAt = now.Add(wait)
	}
}
