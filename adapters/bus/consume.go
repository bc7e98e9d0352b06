package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// consume runs one subscriber: a failed event is nacked, which makes GoChannel
// redeliver it, up to MaxDeliveries; then the failure is recorded for Publish and
// the event acked so the publisher is released.
func (b *Bus) consume(life context.Context, s subscription, msgs <-chan *message.Message) {
	attempts := map[string]int{}
	for msg := range msgs {
		key := msg.Metadata.Get(metaPublishKey)
		err := b.handle(s, msg)
		if err == nil {
			delete(attempts, key)
			msg.Ack()
			continue
		}
		attempts[key]++
		n := attempts[key]
		if n >= b.cfg.MaxDeliveries || msg.Context().Err() != nil {
			delete(attempts, key)
			b.log.Warn("subscriber gave up on event", "subscriber", s.name, "event_id", msg.UUID,
				"type", msg.Metadata.Get(metaType), "attempts", n, "err", err)
			b.recordFailure(key, fmt.Errorf("subscriber %s: %w", s.name, err))
			msg.Ack()
			continue
		}
		b.log.Debug("redelivering event", "subscriber", s.name, "event_id", msg.UUID, "attempt", n, "err", err)
		pause(life, msg.Context(), time.Duration(n)*b.cfg.RedeliveryDelay)
		msg.Nack()
	}
}

// handle runs the handler, turning a panic into an error so one bad handler
// cannot take the process down.
func (b *Bus) handle(s subscription, msg *message.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	e, err := fromMessage(msg)
	if err != nil {
		return err
	}
	return s.handler(msg.Context(), e)
}

func pause(life, publish context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-life.Done():
	case <-publish.Done():
	}
}
