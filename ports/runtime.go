package ports

import (
	"context"
	"encoding/json"
	"net/netip"
	"time"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/netpolicy"
)

// Clock tells the time; tests use a fixed or stepped one.
type Clock interface{ Now() time.Time }

// IDs makes unique ids (ULIDs).
type IDs interface{ NewID() string }

// EventPublisher publishes stored events to in-process (or cross-node) subscribers.
// Publish returns once subscribers have handled the events.
type EventPublisher interface {
	Publish(ctx context.Context, events ...event.Envelope) error
}

// EventHandler reacts to one published event; an error asks for redelivery.
type EventHandler func(ctx context.Context, e event.Envelope) error

// BatchHandler reacts to the events one Publish carries, in order, as its
// EventHandler would to each; on an error the events are offered again one by one
// to the EventHandler, so it must leave nothing done that a retry cannot repeat.
type BatchHandler func(ctx context.Context, events []event.Envelope) error

// EventSubscriber registers handlers for published events.
type EventSubscriber interface {
	Subscribe(name string, h EventHandler)
	// SubscribeBatches registers h as Subscribe does, and batch for several events
	// published together: one store transaction for many events instead of one each.
	SubscribeBatches(name string, h EventHandler, batch BatchHandler)
}

// Signals carries wake-ups between the parts of the gateway, over the bus, so across
// nodes when the bus spans them. A signal only saves a poll: the stores stay the
// source of truth, so a lost or repeated signal is harmless.
type Signals interface {
	// Signal announces topic, with an optional key (e.g. a session id), to every
	// handler of the topic on every node. It does not block on the handlers.
	Signal(topic, key string)
	// OnSignal registers fn for topic; call it before the bus starts.
	OnSignal(topic string, fn func(key string))
}

// WebhookRequest is one signed HTTP delivery. Reach is how far the receiver's
// address may be from the public internet, checked on every address dialled.
type WebhookRequest struct {
	URL     string
	Body    []byte
	Headers map[string]string
	Timeout time.Duration
	Reach   netpolicy.Reach
}

// WebhookResponse is what a receiver answered; Body is cut at a small limit.
type WebhookResponse struct {
	Status int
	Body   []byte
}

// EventRenderer renders a stored event in the wire format receivers read (WAREST's
// webhook `data` object, without the sessionId a webhook adds), for webhooks and the
// events API alike. Events are stored neutral; only the renderer knows the format.
type EventRenderer interface {
	Render(e event.Envelope) (json.RawMessage, error)
}

// WebhookSender performs a webhook HTTP POST. err is set only when no response
// arrived; any status that did arrive comes back with err == nil.
type WebhookSender interface {
	Send(ctx context.Context, r WebhookRequest) (WebhookResponse, error)
}

// Resolver looks up the addresses of a host name.
type Resolver interface {
	LookupNetIP(ctx context.Context, host string) ([]netip.Addr, error)
}

// SecretSealer encrypts secrets at rest (webhook secrets) and opens them again.
type SecretSealer interface {
	Seal(plain string) (string, error)
	Open(sealed string) (string, error)
}

// QRRenderer turns a QR payload into a PNG data URL.
type QRRenderer interface {
	DataURL(payload string) (string, error)
}
