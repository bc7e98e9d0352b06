// Package bus relays stored domain events, and carries wake-up signals
// (ports.Signals), through a watermill Router over in-process GoChannels; with
// NewPostgres the signals cross nodes over watermill-sql. Each subscriber is a router handler on the events
// topic, wrapped in watermill's middleware: Recoverer turns a panic into an error,
// Retry redelivers with backoff, and PoisonQueue moves an event a subscriber keeps
// failing on to the poison topic, where it is logged. Publish blocks until every
// subscriber has handled (or poisoned) the event, so the outbox relay marks an
// event published only once the subscribers are done with it; a subscriber whose
// store is unavailable makes Publish fail instead, so the relay offers the event
// again rather than losing it.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/ports"
)

// Topics: every subscriber sees every event on eventsTopic, or several at once on
// batchTopic; events a subscriber gave up on land on poisonTopic.
const (
	eventsTopic = "events"
	batchTopic  = "events.batch"
	poisonTopic = "events.poison"
)

var (
	_ ports.EventPublisher  = (*Bus)(nil)
	_ ports.EventSubscriber = (*Bus)(nil)
)

// Config bounds redelivery of a failing event to one subscriber.
type Config struct {
	MaxDeliveries   int           // attempts per subscriber before the event is poisoned; default 3
	RedeliveryDelay time.Duration // pause before the first redelivery, doubling after; default 50ms
	// PostgresURL, when set, makes the module build the bus with NewPostgres:
	// signals cross the nodes sharing that database.
	PostgresURL string
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

// Bus is the event bus.
type Bus struct {
	cfg       Config
	log       *slog.Logger
	pubsub    *gochannel.GoChannel // events: Publish waits for the handlers
	signalPub message.Publisher    // where Signal publishes: a GoChannel in process, or SQL across nodes
	// signalSub gives the subscriber of the n-th signal handler, of topic.
	signalSub func(n int, topic string) (message.Subscriber, error)
	onClose   func()
	// background, when set, runs from Start until Close (the SQL signals' pruner).
	background func(context.Context)
	bg         sync.WaitGroup
	wmLog      watermill.LoggerAdapter
	router     *message.Router
	events     []message.HandlerMiddleware // applied to every subscriber's handler

	mu             sync.Mutex
	names          map[string]bool
	signalHandlers int
	started        bool
	closed         bool
	stop           context.CancelFunc
	done           chan struct{} // closed when the router has stopped
}

// New builds a bus; register subscribers, then Start it.
func New(cfg Config, log *slog.Logger) *Bus {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "bus")
	cfg = cfg.withDefaults()
	// Watermill reports routine things (a publish with no subscriber, closing) at
	// info; demote its info to debug so a normal run stays quiet.
	wmLog := watermill.NewSlogLoggerWithLevelMapping(log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	pubsub := gochannel.NewGoChannel(gochannel.Config{
		BlockPublishUntilSubscriberAck: true,
		// Handlers get the publisher's context: its values and its cancellation.
		PreserveContext: true,
	}, wmLog)
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, wmLog)
	if err != nil {
		panic(err) // only an invalid config fails, and ours is fixed
	}
	poison, err := middleware.PoisonQueue(pubsub, poisonTopic)
	if err != nil {
		panic(err) // only an empty topic fails
	}
	b := &Bus{
		cfg:    cfg,
		log:    log,
		pubsub: pubsub,
		wmLog:  wmLog,
		router: router,
		// Outermost first: a panic becomes an error (Recoverer), is retried
		// (Retry); a store that is still unavailable hands the event back to the
		// relay (deferUnavailable), and only another final error poisons it.
		events: []message.HandlerMiddleware{
			poison,
			deferUnavailable,
			middleware.Retry{
				MaxRetries:      cfg.MaxDeliveries - 1,
				InitialInterval: cfg.RedeliveryDelay,
				MaxInterval:     time.Second,
				Multiplier:      2,
			}.Middleware,
			middleware.Recoverer,
		},
		names: map[string]bool{},
	}
	signals := gochannel.NewGoChannel(gochannel.Config{}, wmLog)
	b.signalPub = signals
	b.signalSub = func(int, string) (message.Subscriber, error) { return signals, nil }
	router.AddConsumerHandler("poison-log", poisonTopic, pubsub, b.logPoisoned)
	return b
}

// logPoisoned reports an event a subscriber gave up on; the handler that failed
// never sees it again.
func (b *Bus) logPoisoned(msg *message.Message) error {
	b.log.Error("subscriber gave up on event", "subscriber", msg.Metadata.Get(middleware.PoisonedHandlerKey),
		"event_id", msg.UUID, "type", msg.Metadata.Get(metaType), "session_id", msg.Metadata.Get(metaSession),
		"err", msg.Metadata.Get(middleware.ReasonForPoisonedKey))
	return nil
}

// Subscribe registers a named handler for every event. It must be called before
// Start: a late subscriber would silently miss events already relayed. Events
// published together reach it one after another in one message.
func (b *Bus) Subscribe(name string, h ports.EventHandler) {
	b.SubscribeBatches(name, h, func(ctx context.Context, events []event.Envelope) error {
		for _, e := range events {
			if err := h(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// SubscribeBatches registers h as Subscribe does, and batch for the events of one
// Publish, all in one message. A batch is attempted once, without the middleware: any
// failure has Publish offer its events again one by one to h, which are retried,
// handed back or poisoned each on its own.
func (b *Bus) SubscribeBatches(name string, h ports.EventHandler, batch ports.BatchHandler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		panic(fmt.Sprintf("bus: subscriber %q registered after Start", name))
	}
	if b.names[name] {
		panic(fmt.Sprintf("bus: subscriber %q registered twice", name))
	}
	b.names[name] = true
	handler := b.router.AddConsumerHandler(name, eventsTopic, b.pubsub, func(msg *message.Message) error {
		if only := msg.Metadata.Get(metaOnly); only != "" && !slices.Contains(strings.Split(only, ","), name) {
			return nil // this subscriber handled the event in its batch
		}
		e, err := fromMessage(msg)
		if err != nil {
			return err
		}
		return h(msg.Context(), e)
	})
	handler.AddMiddleware(b.events...)
	batches := b.router.AddConsumerHandler(name+".batch", batchTopic, b.pubsub, func(msg *message.Message) error {
		events, err := fromBatchMessage(msg)
		if err != nil {
			return err
		}
		return batch(msg.Context(), events)
	})
	batches.AddMiddleware(handBack(name), middleware.Recoverer)
}

// Start runs the router. It lives until Close, not until ctx ends: ctx is only
// the (short) start-up context.
func (b *Bus) Start(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started || b.closed {
		return errors.New("bus: already started or closed")
	}
	life, stop := context.WithCancel(context.WithoutCancel(ctx))
	failed, done := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(done)
		if err := b.router.Run(life); err != nil {
			failed <- err
		}
	}()
	select {
	case <-b.router.Running():
	case err := <-failed:
		stop()
		return fmt.Errorf("bus: start router: %w", err)
	case <-ctx.Done():
		stop()
		return fmt.Errorf("bus: start router: %w", ctx.Err())
	}
	b.started, b.stop, b.done = true, stop, done
	if b.background != nil {
		b.bg.Go(func() { b.background(life) })
	}
	return nil
}

// Close stops the router, waiting for handlers in progress; an unfinished
// Publish returns an error.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	stop, done := b.stop, b.done
	b.mu.Unlock()

	err := b.router.Close()
	if stop != nil {
		stop()
		<-done
		b.bg.Wait()
	}
	err = errors.Join(err, b.pubsub.Close(), b.signalPub.Close())
	if b.onClose != nil {
		b.onClose()
	}
	return err
}
