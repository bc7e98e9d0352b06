// Package bus relays stored domain events to in-process subscribers over a watermill
// GoChannel. Publish blocks until every subscriber has handled the event, and fails
// when one of them keeps failing, so the outbox relay leaves it unpublished.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/warest-go/warest/ports"
)

// topic carries every event; each subscriber sees all of them.
const topic = "events"

var (
	_ ports.EventPublisher  = (*Bus)(nil)
	_ ports.EventSubscriber = (*Bus)(nil)
)

// Config bounds redelivery of a failing event to one subscriber.
type Config struct {
	MaxDeliveries   int           // attempts per subscriber before Publish fails; default 3
	RedeliveryDelay time.Duration // pause before each redelivery, growing linearly; default 50ms
}

func (c Config) withDefaults() Config {
	if c.MaxDeliveries <= 0 {
		c.MaxDeliveries = 3
	}
	if c.RedeliveryDelay <= 0 {
		c.RedeliveryDelay = 50 * time.Millisecond
	}
	return c
}

// Bus is the in-process event bus.
type Bus struct {
	cfg    Config
	log    *slog.Logger
	pubsub *gochannel.GoChannel

	mu       sync.Mutex
	handlers []subscription
	started  bool
	closed   bool
	failures map[string][]error // publish key → subscribers' final errors, while publishing

	stop      context.CancelFunc
	consumers sync.WaitGroup
}

type subscription struct {
	name    string
	handler ports.EventHandler
}

// New builds a bus; register subscribers, then Start it.
func New(cfg Config, log *slog.Logger) *Bus {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "bus")
	// Watermill reports routine things (a publish with no subscriber, closing) at
	// info; demote its info to debug so a normal run stays quiet.
	wmLog := watermill.NewSlogLoggerWithLevelMapping(log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	return &Bus{
		cfg: cfg.withDefaults(),
		log: log,
		pubsub: gochannel.NewGoChannel(gochannel.Config{
			BlockPublishUntilSubscriberAck: true,
			// Handlers get the publisher's context: its values and its cancellation.
			PreserveContext: true,
		}, wmLog),
		failures: map[string][]error{},
	}
}

// Subscribe registers a named handler for every event. It must be called before
// Start: a late subscriber would silently miss events already relayed.
func (b *Bus) Subscribe(name string, h ports.EventHandler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		panic(fmt.Sprintf("bus: subscriber %q registered after Start", name))
	}
	for _, s := range b.handlers {
		if s.name == name {
			panic(fmt.Sprintf("bus: subscriber %q registered twice", name))
		}
	}
	b.handlers = append(b.handlers, subscription{name: name, handler: h})
}

// Start attaches the subscribers. They live until Close, not until ctx ends: ctx
// is only the (short) start-up context.
func (b *Bus) Start(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started || b.closed {
		return errors.New("bus: already started or closed")
	}
	life, stop := context.WithCancel(context.WithoutCancel(ctx))
	for _, s := range b.handlers {
		msgs, err := b.pubsub.Subscribe(life, topic)
		if err != nil {
			stop()
			return fmt.Errorf("bus: subscribe %s: %w", s.name, err)
		}
		b.consumers.Go(func() { b.consume(life, s, msgs) })
	}
	b.started, b.stop = true, stop
	return nil
}

// Close stops the subscribers, waiting for handlers in progress; an unfinished
// Publish returns an error.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	stop := b.stop
	b.mu.Unlock()

	err := b.pubsub.Close()
	if stop != nil {
		stop()
	}
	b.consumers.Wait()
	return err
}
