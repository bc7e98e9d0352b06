package webhook

import (
	"sync"
	"time"
)

// Breaker is a per-URL circuit breaker, kept in memory: after Threshold consecutive
// failed attempts a URL is left alone for Cooldown; a 401 or 403 means the receiver
// rejects us, so it is left alone for SecurityCooldown. Deliveries are deferred
// while a circuit is open, never dropped.
type Breaker struct {
	Threshold        int
	Cooldown         time.Duration
	SecurityCooldown time.Duration

	mu       sync.Mutex
	circuits map[string]*circuit
}

type circuit struct {
	failures  int
	openUntil time.Time
}

// DefaultBreaker follows WAREST: 5 failures open for 60 s, 401/403 for 15 min.
func DefaultBreaker() *Breaker {
	return &Breaker{Threshold: 5, Cooldown: time.Minute, SecurityCooldown: 15 * time.Minute}
}

// Allow reports whether url may be tried now, and if not, until when it is open.
func (b *Breaker) Allow(url string, now time.Time) (bool, time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.circuits[url]
	if !ok || !now.Before(c.openUntil) {
		return true, time.Time{}
	}
	return false, c.openUntil
}

// Record updates url's circuit with an attempt's outcome.
func (b *Breaker) Record(url string, o Outcome, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.circuits == nil {
		b.circuits = map[string]*circuit{}
	}
	if o.OK() {
		delete(b.circuits, url)
		return
	}
	c, ok := b.circuits[url]
	if !ok {
		c = &circuit{}
		b.circuits[url] = c
	}
	c.failures++
	switch {
	case o.HTTPStatus == 401 || o.HTTPStatus == 403:
		c.openUntil = now.Add(b.SecurityCooldown)
	case b.Threshold > 0 && c.failures >= b.Threshold:
		c.openUntil = now.Add(b.Cooldown)
		c.failures = 0
	}
}
