package worker_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// leadStore is a store whose relay lead another node may hold (taken), and
// whose event listing can fail.
type leadStore struct {
	ports.Store
	mu      sync.Mutex
	taken   bool
	leading bool
	fail    atomic.Bool
}

func (s *leadStore) TryLeadRelay(context.Context) (func(), bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken || s.leading {
		return nil, false, nil
	}
	s.leading = true
	return func() { s.mu.Lock(); s.leading = false; s.mu.Unlock() }, true, nil
}

func (s *leadStore) set(taken bool) { s.mu.Lock(); s.taken = taken; s.mu.Unlock() }

func (s *leadStore) isLeading() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.leading }

func (s *leadStore) Events() ports.EventRepository { return failingList{s.Store.Events(), s} }

type failingList struct {
	ports.EventRepository
	s *leadStore
}

func (f failingList) ListUnpublished(ctx context.Context, limit int) ([]event.Envelope, error) {
	if f.s.fail.Load() {
		return nil, errors.New("connection lost")
	}
	return f.EventRepository.ListUnpublished(ctx, limit)
}

type countingPublisher struct{ n atomic.Int64 }

func (p *countingPublisher) Publish(_ context.Context, es ...event.Envelope) error {
	p.n.Add(int64(len(es)))
	return nil
}

func startRelay(t *testing.T, s *leadStore) (*countingPublisher, context.CancelFunc, <-chan struct{}) {
	t.Helper()
	pub := &countingPublisher{}
	relay := worker.NewRelay(s, pub, appworld.RealClock{}, notify.NewHub(), appworld.Discard)
	relay.Poll = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); relay.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return pub, cancel, done
}

func appendEvent(t *testing.T, s ports.Store) {
	t.Helper()
	sess, err := session.New("alice", "BUDIBUDIBU", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions().Create(t.Context(), sess); err != nil && !fault.Is(err, fault.KindConflict) {
		t.Fatal(err)
	}
	e, err := event.New(event.MessageReceived, "alice", time.Now(), event.Legacy(`{"text":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Events().Append(t.Context(), e); err != nil {
		t.Fatal(err)
	}
}

func TestRelay_PublishesOnlyWhileLeading(t *testing.T) {
	t.Parallel()
	s := &leadStore{Store: appworld.NewStore(t), taken: true}
	pub, stop, done := startRelay(t, s)
	appendEvent(t, s)
	time.Sleep(50 * time.Millisecond) // ten polls
	if n := pub.n.Load(); n != 0 || s.isLeading() {
		t.Fatalf("a follower published %d events", n)
	}
	s.set(false) // the leader went away
	appworld.Eventually(t, 30*time.Second, func() bool { return pub.n.Load() == 1 }, "the follower never took over")
	stop()
	<-done
	if s.isLeading() {
		t.Fatal("a stopped relay kept the lead")
	}
}

func TestRelay_GivesUpTheLeadWhenTheStoreFails(t *testing.T) {
	t.Parallel()
	s := &leadStore{Store: appworld.NewStore(t)}
	pub, _, _ := startRelay(t, s)
	appworld.Eventually(t, 30*time.Second, s.isLeading, "the relay never led")
	s.set(true) // another node takes the lead as soon as it is free
	s.fail.Store(true)
	appworld.Eventually(t, 30*time.Second, func() bool { return !s.isLeading() }, "the relay kept the lead of a failing store")
	s.fail.Store(false)
	appendEvent(t, s)
	time.Sleep(50 * time.Millisecond)
	if n := pub.n.Load(); n != 0 {
		t.Fatalf("a relay that lost the lead published %d events", n)
	}
	s.set(false)
	appworld.Eventually(t, 30*time.Second, func() bool { return pub.n.Load() == 1 }, "the relay never led again")
}
