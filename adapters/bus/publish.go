package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/warest-go/warest/domain/event"
)

// Publish delivers events one after another, each once every subscriber has
// handled or poisoned it, and stops at the first one the bus could not deliver.
func (b *Bus) Publish(ctx context.Context, events ...event.Envelope) error {
	for _, e := range events {
		if err := b.publishOne(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (b *Bus) publishOne(ctx context.Context, e event.Envelope) error {
	msg, err := toMessage(e)
	if err != nil {
		return err
	}
	msg.SetContext(ctx)

	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return errors.New("bus: closed")
	case !b.started:
		// Without subscribers attached the event would be dropped and then marked
		// published; refuse so the relay retries once the bus runs.
		b.mu.Unlock()
		return errors.New("bus: not started")
	}
	b.mu.Unlock()

	err = b.pubsub.Publish(eventsTopic, msg)

	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("bus: publish %s: %w", e.ID, err)
	case ctx.Err() != nil:
		// A subscriber may have failed (and poisoned the event) only because the
		// publisher gave up; leave the event to be relayed again.
		return fmt.Errorf("bus: publish %s: %w", e.ID, ctx.Err())
	case closed:
		// GoChannel releases a blocked Publish on close without an ack.
		return fmt.Errorf("bus: closed while publishing %s", e.ID)
	}
	return nil
}
