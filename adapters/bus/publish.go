package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/warest-go/warest/domain/fault"

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
	handedBack := &deferred{}
	msg.SetContext(context.WithValue(ctx, deferredKey{}, handedBack))

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
	case handedBack.err() != nil:
		return fmt.Errorf("bus: publish %s: a subscriber will take it again: %w", e.ID, handedBack.err())
	}
	return nil
}

// deferred collects the failures of one publish that a later attempt may not meet
// (the store unavailable): the subscriber acks the message, since a GoChannel nack
// is redelivered at once in a loop, and Publish reports the failure, so the relay
// leaves the event unpublished and offers it again. Subscribers are idempotent per
// event, so the ones that succeeded do nothing the second time.
type deferred struct {
	mu    sync.Mutex
	first error
}

type deferredKey struct{}

func (d *deferred) add(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.first == nil {
		d.first = err
	}
}

func (d *deferred) err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.first
}

// deferUnavailable hands an event back to its publisher when the subscriber's last
// attempt failed because the store was unavailable or the publisher gave up: such
// an event is not poison, and poisoning it would lose its webhooks to a blip.
func deferUnavailable(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		d, ok := msg.Context().Value(deferredKey{}).(*deferred)
		if err == nil || !ok || !(fault.Is(err, fault.KindUnavailable) || errors.Is(err, context.Canceled) ||
			errors.Is(err, context.DeadlineExceeded)) {
			return out, err
		}
		d.add(err)
		return nil, nil
	}
}
