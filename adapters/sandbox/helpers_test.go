package sandbox

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recordingSink keeps what it accepted; fail, when set, may reject an event.
type recordingSink struct {
	mu     sync.Mutex
	events []ports.TransportEvent
	calls  int
	fail   func(call int, ev ports.TransportEvent) error
}

func (s *recordingSink) Handle(_ context.Context, ev ports.TransportEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		if err := s.fail(s.calls, ev); err != nil {
			return err
		}
	}
	s.events = append(s.events, ev)
	return nil
}

func (s *recordingSink) snapshot() []ports.TransportEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ports.TransportEvent(nil), s.events...)
}

// waitFor polls until the sink accepted n events matching T and returns them.
func waitFor[T ports.TransportEvent](t *testing.T, s *recordingSink, n int) []T {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := only[T](s.snapshot())
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d %T, got %d; all events: %v", n, *new(T), len(got), s.snapshot())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitCalls polls until the sink was called at least n times.
func waitCalls(t *testing.T, s *recordingSink, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.mu.Lock()
		calls := s.calls
		s.mu.Unlock()
		if calls >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sink called %d times, want %d", calls, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func only[T ports.TransportEvent](evs []ports.TransportEvent) []T {
	var out []T
	for _, ev := range evs {
		if e, ok := ev.(T); ok {
			out = append(out, e)
		}
	}
	return out
}

// newTestNetwork returns a network whose QR codes rotate only when a test says so.
func newTestNetwork(t *testing.T, cfg Config) (*Network, *fakeClock) {
	t.Helper()
	if cfg.QRInterval == 0 {
		cfg.QRInterval = time.Hour
	}
	if cfg.ReconnectDelay == 0 {
		cfg.ReconnectDelay = 10 * time.Millisecond
	}
	clock := newFakeClock()
	n := NewNetwork(cfg, clock)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return n, clock
}

// startPaired starts sessionID and pairs it with phone by scanning its QR.
func startPaired(t *testing.T, n *Network, sessionID, phone string) *recordingSink {
	t.Helper()
	sink := &recordingSink{}
	if err := n.Start(context.Background(), sessionID, sink); err != nil {
		t.Fatal(err)
	}
	qr := waitFor[ports.TransportQR](t, sink, 1)[0]
	if err := n.Scan(sessionID, qr.Code, phone, "User "+phone); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportConnected](t, sink, 1)
	return sink
}

var msgSeq struct {
	sync.Mutex
	n int
}

func nextMessageID() string {
	msgSeq.Lock()
	defer msgSeq.Unlock()
	msgSeq.n++
	return fmt.Sprintf("3EB0TEST%012d", msgSeq.n)
}

// isReason reports whether err is a fault of kind k with reason r.
func isReason(err error, k fault.Kind, r fault.Reason) bool {
	fe, ok := fault.As(err)
	return ok && fe.Kind == k && fe.Reason == r
}
