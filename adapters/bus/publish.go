package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/warest-go/warest/domain/event"
)

// Publish delivers events one after another and stops at the first one a
// subscriber could not handle: later events are not delivered ahead of it.
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
	// Failures are collected per publish call, not per event id: the same event may
	// be published concurrently (a relay tick racing a direct publish).
	key := msg.Metadata.Get(metaPublishKey)

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
	b.failures[key] = nil
	b.mu.Unlock()

	err = b.pubsub.Publish(topic, msg)

	b.mu.Lock()
	failures := b.failures[key]
	delete(b.failures, key)
	closed := b.closed
	b.mu.Unlock()

	switch {
	case err != nil:
		return fmt.Errorf("bus: publish %s: %w", e.ID, err)
	case len(failures) > 0:
		return fmt.Errorf("bus: event %s (%s) not handled: %w", e.ID, e.Type, errors.Join(failures...))
	case closed:
		// GoChannel releases a blocked Publish on close without an ack.
		return fmt.Errorf("bus: closed while publishing %s", e.ID)
	}
	return nil
}

// recordFailure notes that a subscriber gave up on a publish; Publish reports it.
func (b *Bus) recordFailure(key string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if list, publishing := b.failures[key]; publishing {
		b.failures[key] = append(list, err)
	}
}
