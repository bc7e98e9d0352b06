package reaction

import (
	"context"
	"log/slog"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/ports"
)

// Relay publishes stored events that were not yet published, oldest first. An event is
// marked published only after every subscriber handled it, so a crash re-publishes
// (subscribers are idempotent) and nothing is lost.
type Relay struct {
	store ports.Store
	pub   ports.EventPublisher
	clock ports.Clock
	hub   *notify.Hub
	log   *slog.Logger
	Poll  time.Duration
	Batch int
}

func NewRelay(store ports.Store, pub ports.EventPublisher, clock ports.Clock, hub *notify.Hub, log *slog.Logger) *Relay {
	return &Relay{store: store, pub: pub, clock: clock, hub: hub, log: log, Poll: 500 * time.Millisecond, Batch: 100}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	loop(ctx, r.Poll, r.hub.Outbox.C(), r.Once)
}

// Once relays one batch and reports whether there may be more.
func (r *Relay) Once(ctx context.Context) bool {
	events, err := r.store.Events().ListUnpublished(ctx, r.Batch)
	if err != nil {
		r.log.ErrorContext(ctx, "relay: list unpublished events", "err", err)
		return false
	}
	for _, e := range events {
		if err := r.pub.Publish(ctx, e); err != nil {
			r.log.WarnContext(ctx, "relay: publish failed, will retry", "event", e.ID, "err", err)
			return false
		}
		if err := r.store.Events().MarkPublished(ctx, []string{e.ID}, r.clock.Now()); err != nil {
			r.log.ErrorContext(ctx, "relay: mark published", "event", e.ID, "err", err)
			return false
		}
	}
	return len(events) == r.Batch
}

// loop calls once whenever woken or every poll interval, and again at once while it
// reports more work.
func loop(ctx context.Context, poll time.Duration, wake <-chan struct{}, once func(context.Context) bool) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		for once(ctx) && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}
