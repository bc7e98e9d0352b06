// Package notify carries signals between use cases and background workers: wake-ups
// for the send queue, the outbox relay and the webhook dispatcher (Signal), session
// changes a request may wait on (Sessions), the latest login QR of each session,
// kept on the node running the session (QRCodes), messages leaving the queue
// (Messages), and newly published events for live streams (Publications). Attached to
// a ports.Signals, the signals go over the bus (to every node when it spans them);
// otherwise they stay in process. Nothing here is durable: the stores are the source
// of truth, signals only save a poll.
package notify

import (
	"strings"

	"github.com/warest-go/warest/ports"
)

// Bus topics of the signals.
const (
	TopicOutbox          = "wake.outbox"      // events to relay
	TopicQueue           = "wake.queue"       // messages to send
	TopicWebhooks        = "wake.webhooks"    // webhook deliveries due
	TopicMessageDone     = "message.done"     // key session/message: the message left "queued"
	TopicSessionChanged  = "session.changed"  // key session
	TopicEventsPublished = "events.published" // the relay published events: live streams read on
)

// Hub holds one of each signal; a consumer is handed the ones it uses. The zero
// value is not usable; call NewHub.
type Hub struct {
	Outbox   *Signal // new events to relay
	Queue    *Signal // new messages to send
	Webhooks *Signal // new webhook deliveries due
	Sessions *Sessions
	QRs      *QRCodes
	Messages *Messages
	Events   *Publications
}

func NewHub() *Hub {
	sessions := newSessions()
	return &Hub{Outbox: NewSignal(), Queue: NewSignal(), Webhooks: NewSignal(), Sessions: sessions,
		QRs: newQRCodes(sessions), Messages: newMessages(), Events: newPublications()}
}

// Attach sends the hub's signals over the bus and wakes local waiters on the bus's
// signals, whichever node sent them. Call it once, before the bus starts.
func (h *Hub) Attach(bus ports.Signals) {
	for topic, s := range map[string]*Signal{TopicOutbox: h.Outbox, TopicQueue: h.Queue, TopicWebhooks: h.Webhooks} {
		s.bus = newBatcher(func(string) { bus.Signal(topic, "") })
		bus.OnSignal(topic, func(string) { s.wake() })
	}
	h.Messages.over(bus, TopicMessageDone, h.Messages.done)
	h.Sessions.over(bus, TopicSessionChanged, h.Sessions.changed)
	h.Events.over(bus, TopicEventsPublished, func(string) { h.Events.announced() })
}

// broadcast sends keyed signals over the bus once attached (batched: several keys a
// send, one per line), else straight to this process's waiters; this node's come
// back over the bus too.
type broadcast struct {
	bus *batcher // nil: not attached
}

func (b *broadcast) over(bus ports.Signals, topic string, local func(key string)) {
	b.bus = newBatcher(func(keys string) { bus.Signal(topic, keys) })
	bus.OnSignal(topic, func(keys string) {
		for key := range strings.SplitSeq(keys, "\n") {
			local(key)
		}
	})
}

func (b *broadcast) signal(key string, local func(string)) {
	if b.bus != nil {
		b.bus.add(key)
		return
	}
	local(key)
}
