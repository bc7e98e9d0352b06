package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newBus(t *testing.T, cfg Config) *Bus {
	t.Helper()
	if cfg.RedeliveryDelay == 0 {
		cfg.RedeliveryDelay = time.Millisecond
	}
	b := New(cfg, quiet)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func start(t *testing.T, b *Bus) {
	t.Helper()
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func envelope(t *testing.T, n int) event.Envelope {
	t.Helper()
	e, err := event.New(event.MessageReceived, "s1", time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		event.Legacy(fmt.Sprintf(`{"n":%d,"text":"hello"}`, n)))
	if err != nil {
		t.Fatal(err)
	}
	e.Seq = int64(n)
	return e
}

// recorder collects what a handler saw.
type recorder struct {
	mu   sync.Mutex
	seen []event.Envelope
}

func (r *recorder) handle(_ context.Context, e event.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, e)
	return nil
}

func (r *recorder) events() []event.Envelope {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event.Envelope(nil), r.seen...)
}

func TestPublishDeliversIdenticalEnvelope(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{})
	var r recorder
	b.Subscribe("rec", r.handle)
	start(t, b)

	want := envelope(t, 7)
	if err := b.Publish(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	// Publish returned: the handler has already run.
	got := r.events()
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestEverySubscriberGetsEveryEvent(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{})
	var r1, r2 recorder
	b.Subscribe("one", r1.handle)
	b.Subscribe("two", r2.handle)
	start(t, b)

	e1, e2 := envelope(t, 1), envelope(t, 2)
	if err := b.Publish(context.Background(), e1, e2); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*recorder{&r1, &r2} {
		if got := r.events(); len(got) != 2 || got[0].ID != e1.ID || got[1].ID != e2.ID {
			t.Fatalf("subscriber saw %v", got)
		}
	}
}

func TestEventsPublishedTogetherReachABatchHandlerOnce(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{})
	var each, batches recorder
	var calls atomic.Int32
	b.SubscribeBatches("batches", each.handle, func(ctx context.Context, events []event.Envelope) error {
		calls.Add(1)
		for _, e := range events {
			_ = batches.handle(ctx, e)
		}
		return nil
	})
	start(t, b)

	want := []event.Envelope{envelope(t, 1), envelope(t, 2), envelope(t, 3)}
	if err := b.Publish(context.Background(), want...); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || !reflect.DeepEqual(batches.events(), want) {
		t.Fatalf("batch handler called %d times with %v, want once with %v", calls.Load(), batches.events(), want)
	}
	if got := each.events(); len(got) != 0 {
		t.Fatalf("the event handler saw %d events its batch handled", len(got))
	}
}

func TestAFailedBatchIsOfferedOneByOneToItsSubscriberOnly(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{})
	var healthy, healthyEach, failing recorder
	b.SubscribeBatches("healthy", healthyEach.handle, func(ctx context.Context, events []event.Envelope) error {
		for _, e := range events {
			_ = healthy.handle(ctx, e)
		}
		return nil
	})
	b.SubscribeBatches("failing", failing.handle, func(context.Context, []event.Envelope) error {
		return errors.New("one of them cannot be handled with the others")
	})
	start(t, b)

	want := []event.Envelope{envelope(t, 1), envelope(t, 2)}
	if err := b.Publish(context.Background(), want...); err != nil {
		t.Fatal(err)
	}
	if got := failing.events(); !reflect.DeepEqual(got, want) {
		t.Fatalf("the subscriber whose batch failed got %v one by one, want %v", got, want)
	}
	if !reflect.DeepEqual(healthy.events(), want) || len(healthyEach.events()) != 0 {
		t.Fatalf("the healthy subscriber got %v in its batch and %v again one by one, want its batch only",
			healthy.events(), healthyEach.events())
	}
}

// poisonLog records the bus's "gave up" log lines: the poison topic's handler.
type poisonLog struct {
	mu    sync.Mutex
	lines []map[string]string
}

func (p *poisonLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *poisonLog) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *poisonLog) WithGroup(string) slog.Handler            { return p }
func (p *poisonLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "subscriber gave up on event" {
		return nil
	}
	line := map[string]string{}
	r.Attrs(func(a slog.Attr) bool { line[a.Key] = a.Value.String(); return true })
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, line)
	return nil
}

func (p *poisonLog) seen() []map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]string(nil), p.lines...)
}

// waitPoisoned waits for n poison log lines: the poison handler runs after the
// publish that poisoned the event has been released.
func waitPoisoned(t *testing.T, p *poisonLog, n int) []map[string]string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got := p.seen(); len(got) >= n {
			return got
		}
	}
	t.Fatalf("poisoned events logged: %v, want %d", p.seen(), n)
	return nil
}

func TestFailingHandlerIsRetriedThenPoisonedAndLogged(t *testing.T) {
	t.Parallel()
	var logged poisonLog
	b := New(Config{MaxDeliveries: 3, RedeliveryDelay: time.Millisecond}, slog.New(&logged))
	t.Cleanup(func() { _ = b.Close() })
	var calls atomic.Int32
	var ok recorder
	b.Subscribe("ok", ok.handle)
	b.Subscribe("broken", func(context.Context, event.Envelope) error {
		calls.Add(1)
		return errors.New("database down")
	})
	start(t, b)

	first, second := envelope(t, 1), envelope(t, 2)
	if err := b.Publish(context.Background(), first, second); err != nil {
		t.Fatalf("a poisoned event must not hold up the relay: %v", err)
	}
	if calls.Load() != 7 {
		t.Fatalf("handler called %d times, want once for the batch (failing at the first), then 3 per event", calls.Load())
	}
	if got := ok.events(); len(got) != 2 || got[0].ID != first.ID || got[1].ID != second.ID {
		t.Fatalf("healthy subscriber saw %v", got)
	}
	lines := waitPoisoned(t, &logged, 2)
	for i, want := range []string{first.ID, second.ID} {
		if l := lines[i]; l["event_id"] != want || l["subscriber"] != "broken" || l["err"] == "" {
			t.Fatalf("poison log %d = %v, want event %s of subscriber broken with its error", i, l, want)
		}
	}
}

func TestUnavailableStoreHandsTheEventBackToTheRelay(t *testing.T) {
	t.Parallel()
	var logged poisonLog
	b := New(Config{MaxDeliveries: 2, RedeliveryDelay: time.Millisecond}, slog.New(&logged))
	t.Cleanup(func() { _ = b.Close() })
	var down atomic.Bool
	down.Store(true)
	var calls atomic.Int32
	b.Subscribe("scheduler", func(context.Context, event.Envelope) error {
		calls.Add(1)
		if down.Load() {
			return fault.New(fault.KindUnavailable, "", "database down")
		}
		return nil
	})
	start(t, b)

	e := envelope(t, 1)
	if err := b.Publish(context.Background(), e); err == nil {
		t.Fatal("Publish succeeded while the subscriber's store was down: the relay would mark the event published and lose it")
	}
	if calls.Load() != 2 {
		t.Fatalf("handler called %d times, want the 2 attempts of one delivery", calls.Load())
	}
	down.Store(false)
	if err := b.Publish(context.Background(), e); err != nil {
		t.Fatalf("the relay's second offer: %v", err)
	}
	time.Sleep(50 * time.Millisecond) // a poison line would be logged by now
	if n := len(logged.seen()); n != 0 {
		t.Fatalf("an event handed back was also poisoned: %d poison lines", n)
	}
}

func TestCancelledPublishFailsSoTheEventIsRelayedAgain(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{MaxDeliveries: 2})
	b.Subscribe("honours-ctx", func(ctx context.Context, _ event.Envelope) error { return ctx.Err() })
	start(t, b)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Publish(ctx, envelope(t, 1)); err == nil {
		t.Fatal("Publish succeeded although the subscriber failed only because the publisher gave up")
	}
}

func TestTransientFailureIsRedeliveredAndSucceeds(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{MaxDeliveries: 3})
	var calls atomic.Int32
	b.Subscribe("flaky", func(context.Context, event.Envelope) error {
		if calls.Add(1) == 1 {
			return errors.New("transient")
		}
		return nil
	})
	start(t, b)
	if err := b.Publish(context.Background(), envelope(t, 1)); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Fatalf("handler called %d times, want 2", calls.Load())
	}
}

func TestPanickingHandlerIsRecoveredAndPoisoned(t *testing.T) {
	t.Parallel()
	var logged poisonLog
	b := New(Config{MaxDeliveries: 1}, slog.New(&logged))
	t.Cleanup(func() { _ = b.Close() })
	var next recorder
	b.Subscribe("panics", func(_ context.Context, e event.Envelope) error {
		if e.Seq == 1 {
			panic("boom")
		}
		return next.handle(context.Background(), e)
	})
	start(t, b)
	if err := b.Publish(context.Background(), envelope(t, 1), envelope(t, 2)); err != nil {
		t.Fatal(err)
	}
	if l := waitPoisoned(t, &logged, 1)[0]; l["subscriber"] != "panics" || !strings.Contains(l["err"], "boom") {
		t.Fatalf("poison log = %v", l)
	}
	if got := next.events(); len(got) != 1 || got[0].Seq != 2 {
		t.Fatalf("the subscriber did not survive its panic: %v", got)
	}
}

func TestSequentialPublishesKeepOrder(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{})
	var r recorder
	b.Subscribe("rec", r.handle)
	start(t, b)

	var want []string
	for i := range 200 {
		e := envelope(t, i)
		want = append(want, e.ID)
		if err := b.Publish(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, e := range r.events() {
		got = append(got, e.ID)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("events arrived out of order")
	}
}

func TestHandlerGetsPublisherContext(t *testing.T) {
	t.Parallel()
	type key struct{}
	b := newBus(t, Config{})
	var got atomic.Value
	b.Subscribe("ctx", func(ctx context.Context, _ event.Envelope) error {
		got.Store(fmt.Sprint(ctx.Value(key{})))
		return nil
	})
	start(t, b)
	if err := b.Publish(context.WithValue(context.Background(), key{}, "trace-1"), envelope(t, 1)); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "trace-1" {
		t.Fatalf("handler context value = %v", got.Load())
	}
}

func TestPublishOutsideRunningBusFails(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{})
	if err := b.Publish(context.Background(), envelope(t, 1)); err == nil {
		t.Fatal("publish before Start must fail, or the event would be lost")
	}
	start(t, b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(context.Background(), envelope(t, 1)); err == nil {
		t.Fatal("publish after Close must fail")
	}
}

func TestSubscribeAfterStartPanics(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{})
	start(t, b)
	defer func() {
		if recover() == nil {
			t.Fatal("want panic")
		}
	}()
	b.Subscribe("late", func(context.Context, event.Envelope) error { return nil })
}

func TestMessageCarriesTypeAndSession(t *testing.T) {
	t.Parallel()
	e := envelope(t, 1)
	msg, err := toMessage(e)
	if err != nil {
		t.Fatal(err)
	}
	if msg.UUID != e.ID || msg.Metadata.Get("type") != string(e.Type) || msg.Metadata.Get("session_id") != "s1" {
		t.Fatalf("message = %s %v", msg.UUID, msg.Metadata)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(msg.Payload, &body); err != nil || string(body["payload"]) != string(e.Payload) {
		t.Fatalf("payload = %s", msg.Payload)
	}
}

func TestModuleStartsAndStopsWithApp(t *testing.T) {
	t.Parallel()
	var r recorder
	var pub ports.EventPublisher
	app := fx.New(Module, fx.NopLogger,
		fx.Invoke(func(s ports.EventSubscriber) { s.Subscribe("rec", r.handle) }),
		fx.Populate(&pub),
	)
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish(ctx, envelope(t, 1)); err != nil {
		t.Fatal(err)
	}
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.events()) != 1 {
		t.Fatal("subscriber registered through fx did not get the event")
	}
}
