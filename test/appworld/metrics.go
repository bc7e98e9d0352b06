package appworld

import (
	"context"
	"sync"
	"time"

	"github.com/warest-go/warest/ports"
)

// Counts is a ports.Metrics that records what the application reported.
type Counts struct {
	mu         sync.Mutex
	accepted   int
	sends      map[ports.SendOutcome]int
	deliveries map[ports.DeliveryOutcome]int
	lags       []time.Duration
	flaps      int
}

var _ ports.Metrics = (*Counts)(nil)

func (c *Counts) SendsAccepted(n int) { c.mu.Lock(); defer c.mu.Unlock(); c.accepted += n }

func (c *Counts) SendFinished(o ports.SendOutcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sends == nil {
		c.sends = map[ports.SendOutcome]int{}
	}
	c.sends[o]++
}

func (c *Counts) DeliveryAttempted(o ports.DeliveryOutcome, lag time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deliveries == nil {
		c.deliveries = map[ports.DeliveryOutcome]int{}
	}
	c.deliveries[o]++
	if o == ports.DeliveryDelivered {
		c.lags = append(c.lags, lag)
	}
}

func (c *Counts) ConnectionLost() { c.mu.Lock(); defer c.mu.Unlock(); c.flaps++ }

// Accepted, Sends, Deliveries, Lags and Flaps read what was recorded.
func (c *Counts) Accepted() int { c.mu.Lock(); defer c.mu.Unlock(); return c.accepted }
func (c *Counts) Sends(o ports.SendOutcome) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sends[o]
}
func (c *Counts) Deliveries(o ports.DeliveryOutcome) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deliveries[o]
}
func (c *Counts) Lags() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.lags...)
}
func (c *Counts) Flaps() int { c.mu.Lock(); defer c.mu.Unlock(); return c.flaps }

// Spans is a ports.Tracer that records the names of the spans ended, with
// " failed" after those that ended with an error.
type Spans struct {
	mu    sync.Mutex
	ended []string
}

var _ ports.Tracer = (*Spans)(nil)

func (s *Spans) Start(ctx context.Context, name string, _ ...string) (context.Context, ports.Span) {
	return ctx, span{s, name}
}

// Ended lists the spans ended so far, in order.
func (s *Spans) Ended() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ended...)
}

type span struct {
	s    *Spans
	name string
}

func (sp span) End(err error, _ ...string) {
	sp.s.mu.Lock()
	defer sp.s.mu.Unlock()
	if err != nil {
		sp.s.ended = append(sp.s.ended, sp.name+" failed")
		return
	}
	sp.s.ended = append(sp.s.ended, sp.name)
}
