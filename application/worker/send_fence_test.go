package worker_test

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// sendLog is a network that records every send attempt (session/message) and
// accepts it.
type sendLog struct {
	ports.Transport // nil: the queue calls only Send here
	mu              sync.Mutex
	sent            []string
}

func (s *sendLog) Send(_ context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sessionID+"/"+m.ID)
	return ports.SendReceipt{ID: m.ID, Timestamp: time.Now()}, nil
}

func (s *sendLog) attempts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// fences is this node's view of its leases: the token it holds per session and
// whether it believes the lease live; it records what it was asked and told.
type fences struct {
	tokens map[string]int64
	live   map[string]bool
	mu     sync.Mutex
	asked  map[string]bool
	fenced []string
}

func (f *fences) Fence(ctx context.Context, id string) (context.Context, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked[id] = true
	token, ok := f.tokens[id]
	if !ok {
		return ctx, false
	}
	return ports.WithFence(ctx, ports.Fence{SessionID: id, Token: token}), f.live[id]
}

func (f *fences) Fenced(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fenced = append(f.fenced, id)
	f.live[id] = false // as the node does: the session is no longer its own
}

func (f *fences) state() (asked map[string]bool, fenced []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.asked), slices.Clone(f.fenced)
}

// Several nodes share the store: the queue sends only for the sessions this node
// owns. "mine" is ours; "theirs" is leased to another node and never attempted
// here; "lost" was taken over (token 2) while this node still believed its token
// 1 live (a pause): its send's outcome is refused by the store, nothing of it is
// written, and the node hears it lost the session.
func TestSendQueue_SendsOnlyForOwnedSessionsUnderTheirFence(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := appworld.NewStore(t)
	now := time.Now()
	for _, id := range []string{"mine", "theirs", "lost"} {
		s, _ := session.New(id, "BUDIBUDIBU", now)
		if err := s.Opened(session.Identity{JID: alicePhone + "@s.whatsapp.net"}, now); err != nil {
			t.Fatal(err)
		}
		if err := store.Sessions().Create(ctx, s); err != nil {
			t.Fatal(err)
		}
		m, _ := message.NewOutbound("3EB0"+id, id, chat.UserJID(bobPhone), message.TextContent("x"), now)
		if err := store.Messages().Create(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	lease := func(id, node string, at time.Time) {
		if _, ok, err := store.Leases().Acquire(ctx, id, node, at, at.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("lease %s to %s: %v %v", id, node, ok, err)
		}
	}
	lease("mine", "A", now)
	lease("theirs", "B", now)
	lease("lost", "A", now.Add(-2*time.Minute))
	lease("lost", "B", now) // taken over: token 2
	f := &fences{tokens: map[string]int64{"mine": 1, "lost": 1}, live: map[string]bool{"mine": true, "lost": true},
		asked: map[string]bool{}}
	net := &sendLog{}
	q := worker.NewSendQueue(store, net, appworld.RealClock{}, notify.NewHub(), slog.New(slog.DiscardHandler))
	q.Poll, q.Fences = 5*time.Millisecond, f
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { q.Run(run); close(done) }()
	defer func() { stop(); <-done }()

	appworld.Eventually(t, 5*time.Second, func() bool {
		m, err := store.Messages().Get(ctx, "mine", "3EB0mine")
		_, fenced := f.state()
		return err == nil && m.Status == message.StatusSent && len(fenced) > 0
	}, "mine was never sent, or lost never fenced")
	asked, fenced := f.state()
	if !asked["theirs"] || !slices.Equal(fenced, []string{"lost"}) {
		t.Fatalf("asked %v, fenced %v; want theirs looked at and lost fenced", asked, fenced)
	}
	if got := net.attempts(); slices.Contains(got, "theirs/3EB0theirs") {
		t.Fatalf("attempts %v: sent for another node's session", got)
	}
	m, err := store.Messages().Get(ctx, "lost", "3EB0lost")
	if err != nil || m.Status != message.StatusQueued || m.Attempts != 0 {
		t.Fatalf("lost's message after the fenced outcome: %+v, %v; want queued untouched for its new owner", m, err)
	}
	if evs := appworld.SessionEvents(t, ctx, store, "lost", event.MessageStatus); len(evs) != 0 {
		t.Fatalf("the fenced outcome wrote %d status events", len(evs))
	}
	if m, _ := store.Messages().Get(ctx, "theirs", "3EB0theirs"); m.Status != message.StatusQueued {
		t.Fatalf("theirs: %+v; want queued for its owner", m)
	}
}

// blockingNet holds every send until released, announcing it first.
type blockingNet struct {
	ports.Transport // nil: the queue calls only Send here
	entered         chan string
	release         chan struct{}
}

func (b *blockingNet) Send(ctx context.Context, _ string, m message.Outbound) (ports.SendReceipt, error) {
	b.entered <- m.ID
	select {
	case <-b.release:
		return ports.SendReceipt{ID: m.ID, Timestamp: time.Now()}, nil
	case <-ctx.Done(): // the test failed: let the queue stop
		return ports.SendReceipt{}, ctx.Err()
	}
}

// A node giving a session up waits (Settled) for the send in flight to finish and
// store its outcome before the lease goes, so the next owner does not send it again.
func TestSendQueue_SettledWaitsForTheAttemptInFlight(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := appworld.NewStore(t)
	now := time.Now()
	s, _ := session.New("mine", "BUDIBUDIBU", now)
	if err := s.Opened(session.Identity{JID: alicePhone + "@s.whatsapp.net"}, now); err != nil {
		t.Fatal(err)
	}
	if err := store.Sessions().Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	m, _ := message.NewOutbound("3EB0INFLIGHT", "mine", chat.UserJID(bobPhone), message.TextContent("x"), now)
	if err := store.Messages().Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := store.Leases().Acquire(ctx, "mine", "A", now, now.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("lease: %v %v", ok, err)
	}
	f := &fences{tokens: map[string]int64{"mine": 1}, live: map[string]bool{"mine": true}, asked: map[string]bool{}}
	net := &blockingNet{entered: make(chan string, 1), release: make(chan struct{})}
	q := worker.NewSendQueue(store, net, appworld.RealClock{}, notify.NewHub(), slog.New(slog.DiscardHandler))
	q.Poll, q.Fences, q.Grace = 5*time.Millisecond, f, time.Minute
	q.Settled(ctx, "mine") // nothing in flight: at once
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { q.Run(run); close(done) }()
	defer func() { stop(); <-done }()

	select {
	case <-net.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the message was never sent")
	}
	f.mu.Lock()
	f.live["mine"] = false // given up: no further message goes out
	f.mu.Unlock()
	settled := make(chan struct{})
	go func() { q.Settled(ctx, "mine"); close(settled) }()
	select {
	case <-settled:
		t.Fatal("Settled returned while the send was in flight")
	case <-time.After(200 * time.Millisecond):
	}
	close(net.release)
	select {
	case <-settled:
	case <-time.After(10 * time.Second):
		t.Fatal("Settled did not return once the send finished")
	}
	if got, err := store.Messages().Get(ctx, "mine", "3EB0INFLIGHT"); err != nil || got.Status != message.StatusSent {
		t.Fatalf("after Settled: %+v, %v; want the outcome stored (sent)", got.Status, err)
	}
}
