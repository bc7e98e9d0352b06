package bus

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/warest-go/warest/ports"
)

var _ ports.Signals = (*Bus)(nil)

// Signal publishes a wake-up on its own pub/sub, without waiting for handlers
// (over SQL it waits for the insert): a signal only saves a poll, so one lost
// before Start, at Close or to a database error is harmless.
func (b *Bus) Signal(topic, key string) {
	if err := b.signalPub.Publish(topic, message.NewMessage(watermill.NewUUID(), []byte(key))); err != nil {
		b.mu.Lock()
		closed := b.closed
		b.mu.Unlock()
		level := slog.LevelWarn
		if closed {
			level = slog.LevelDebug // shutting down: expected
		}
		b.log.Log(context.Background(), level, "signal dropped", "topic", topic, "err", err)
	}
}

// OnSignal registers fn as a router handler of topic; every handler of the topic
// gets every signal. It must be called before Start.
func (b *Bus) OnSignal(topic string, fn func(key string)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		panic(fmt.Sprintf("bus: signal handler for %q registered after Start", topic))
	}
	b.signalHandlers++
	name := fmt.Sprintf("signal %s #%d", topic, b.signalHandlers)
	sub, err := b.signalSub(b.signalHandlers, topic)
	if err != nil {
		panic(fmt.Sprintf("bus: signal subscriber for %q: %v", topic, err)) // only a bad config fails
	}
	b.router.AddConsumerHandler(name, topic, sub, func(msg *message.Message) error {
		fn(string(msg.Payload))
		return nil
	})
}
