package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/warest-go/warest/domain/fault"

	"github.com/warest-go/warest/domain/event"
)

// Publish delivers several events at once to every subscriber's batch handler,
// then one after another to the subscribers whose batch failed, each once every
// such subscriber has handled or poisoned it; it stops at the first one the bus
// could not deliver.
func (b *Bus) Publish(ctx context.Context, events ...event.Envelope) error {
	var only string // every subscriber
	if len(events) > 1 {
		msg, err := toBatchMessage(events)
		if err != nil {
			return err
		}
		batch := &deferred{}
		err = b.publish(ctx, batchTopic, msg, "a batch from "+events[0].ID, batch)
		failed := batch.subscribers()
		switch {
		case err == nil:
			return nil
		case len(failed) == 0: // the bus or the publisher gave up: so would one by one
			return err
		}
		only = strings.Join(failed, ",")
	}
	for _, e := range events {
		msg, err := toMessage(e)
		if err != nil {
			return err
		}
		if only != "" {
			msg.Metadata.Set(metaOnly, only)
		}
		if err := b.publish(ctx, eventsTopic, msg, e.ID, &deferred{}); err != nil {
			return err
		}
	}
	return nil
}

// publish publishes msg on topic and waits for every subscriber to handle it;
// handedBack collects the failures they hand back, what names msg in errors.
func (b *Bus) publish(ctx context.Context, topic string, msg *message.Message, what string, handedBack *deferred) error {
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

	err := b.pubsub.Publish(topic, msg)

	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("bus: publish %s: %w", what, err)
	case ctx.Err() != nil:
		// A subscriber may have failed (and poisoned the event) only because the
		// publisher gave up; leave the event to be relayed again.
		return fmt.Errorf("bus: publish %s: %w", what, ctx.Err())
	case closed:
		// GoChannel releases a blocked Publish on close without an ack.
		return fmt.Errorf("bus: closed while publishing %s", what)
	case handedBack.err() != nil:
		return fmt.Errorf("bus: publish %s: a subscriber will take it again: %w", what, handedBack.err())
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
	by    []string // the subscribers that handed back
}

type deferredKey struct{}

func (d *deferred) add(subscriber string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.first == nil {
		d.first = err
	}
	d.by = append(d.by, subscriber)
}

func (d *deferred) subscribers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.by
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
		d.add(message.HandlerNameFromCtx(msg.Context()), err)
		return nil, nil
	}
}

// handBack hands any failure of subscriber's batch back to its publisher, which
// then offers its events one by one to the subscriber: the batch is acked, since a
// GoChannel nack is redelivered at once in a loop.
func handBack(subscriber string) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			d, ok := msg.Context().Value(deferredKey{}).(*deferred)
			if err == nil || !ok {
				return out, err
			}
			d.add(subscriber, err)
			return nil, nil
		}
	}
}
