// Package worker holds the background work of the gateway, each a named worker with a
// Run loop: the outbox relay, the send queue, the webhook dispatcher and the blob sweeper.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/ports"
)

// Relay publishes stored events that were not yet published, oldest first. An event is
// marked published only after every subscriber handled it, so a crash re-publishes
// (subscribers are idempotent) and nothing is lost. Marking it published gives it
// its replay position, so only one relay among the nodes sharing the store (the
// leader) publishes: positions then become visible in the order they are given.
type Relay struct {
	store  ports.Store
	pub    ports.EventPublisher
	clock  ports.Clock
	wake   *notify.Signal // events to relay
	events announcer
	log    *slog.Logger
	Poll   time.Duration
	Batch  int
}

// announcer tells live streams that events were published (notify.Publications).
type announcer interface{ Announce() }

func NewRelay(store ports.Store, pub ports.EventPublisher, clock ports.Clock, hub *notify.Hub, log *slog.Logger) *Relay {
	return &Relay{store: store, pub: pub, clock: clock, wake: hub.Outbox, events: hub.Events, log: log, Poll: 500 * time.Millisecond, Batch: 100}
}

// Run relays until ctx ends: it tries to take the lead every Poll and relays while
// it holds it.
func (r *Relay) Run(ctx context.Context) {
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	for {
		r.lead(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// lead relays while this relay leads, until ctx ends or the store fails: then it
// gives the lead up, since a failing store may have lost the leader's lock with
// its connection, and Run takes it again once the store answers.
func (r *Relay) lead(ctx context.Context) {
	release, ok, err := r.store.TryLeadRelay(ctx)
	if err != nil {
		r.log.ErrorContext(ctx, "relay: take the lead", "err", err)
		return
	}
	if !ok {
		return
	}
	defer release()
	ctx, resign := context.WithCancel(ctx)
	defer resign()
	loop(ctx, r.Poll, r.wake.C(), func(ctx context.Context) bool {
		more, err := r.once(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.log.ErrorContext(ctx, "relay: store failed, giving up the lead", "err", err)
			}
			resign()
		}
		return more
	})
}

// once relays one batch and reports whether there may be more, or a store error.
func (r *Relay) once(ctx context.Context) (bool, error) {
	events, err := r.store.Events().ListUnpublished(ctx, r.Batch)
	if err != nil {
		return false, fmt.Errorf("list unpublished events: %w", err)
	}
	if len(events) == 0 {
		return false, nil
	}
	// The batch is published together, so subscribers may handle it in one
	// transaction, and marked in one statement after: a failure or a crash in
	// between publishes it all again, which subscribers take as already handled.
	if err := r.pub.Publish(ctx, events...); err != nil {
		r.log.WarnContext(ctx, "relay: publish failed, will retry", "events", len(events), "first", events[0].ID, "err", err)
		return false, nil
	}
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	if err := r.store.Events().MarkPublished(ctx, ids, r.clock.Now()); err != nil {
		return false, fmt.Errorf("mark %d events published: %w", len(ids), err)
	}
	r.events.Announce() // live streams read on, on every node
	return len(events) == r.Batch, nil
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
