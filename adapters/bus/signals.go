package bus

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/warest-go/warest/ports"
)

var _ ports.Signals = (*Bus)(nil)

// Signal publishes a wake-up on its own pub/sub, without waiting for handlers:
// a signal only saves a poll, so one lost before Start or at Close is harmless.
func (b *Bus) Signal(topic, key string) {
	if err := b.signals.Publish(topic, message.NewMessage(watermill.NewUUID(), []byte(key))); err != nil {
		b.log.Debug("signal dropped", "topic", topic, "err", err)
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
	b.router.AddConsumerHandler(name, topic, b.signals, func(msg *message.Message) error {
		fn(string(msg.Payload))
		return nil
	})
}
