package notify_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/application/notify"
)

// loopback is a bus of one node that records what was signalled and hands every
// signal to the handlers of its topic, as the real bus does on every node.
type loopback struct {
	mu       sync.Mutex
	sent     []string // topic|key
	handlers map[string][]func(string)
}

func (l *loopback) Signal(topic, key string) {
	l.mu.Lock()
	l.sent = append(l.sent, topic+"|"+key)
	hs := l.handlers[topic]
	l.mu.Unlock()
	for _, h := range hs {
		h(key)
	}
}

func (l *loopback) OnSignal(topic string, fn func(string)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.handlers == nil {
		l.handlers = map[string][]func(string){}
	}
	l.handlers[topic] = append(l.handlers[topic], fn)
}

// deliver is a signal sent by another node.
func (l *loopback) deliver(topic, key string) {
	l.mu.Lock()
	hs := l.handlers[topic]
	l.mu.Unlock()
	for _, h := range hs {
		h(key)
	}
}

func ready(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	case <-time.After(time.Second):
		return false
	}
}

func TestAttachedHubSignalsOverTheBus(t *testing.T) {
	bus := &loopback{}
	h := notify.NewHub()
	h.Attach(bus)

	h.Outbox.Poke()
	h.Queue.Poke()
	h.Webhooks.Poke()
	h.Messages.Done("s1", "m1")
	h.Sessions.Changed("s1")
	h.Events.Announce()
	// The wake-ups are sent in the background, the others at once.
	want := []string{"events.published|", "message.done|s1/m1", "session.changed|s1", "wake.outbox|", "wake.queue|", "wake.webhooks|"}
	var got []string
	for deadline := time.Now().Add(time.Second); len(got) < len(want) && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		got = bus.signalled()
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("signalled %v, want %v", got, want)
	}
}

func (l *loopback) signalled() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.sent)
}

// gated is a bus whose sends wait at the gate, as an insert over SQL takes its time;
// arrived tells of each send reaching it.
type gated struct {
	loopback
	arrived, gate chan struct{}
}

func newGated() *gated { return &gated{arrived: make(chan struct{}, 16), gate: make(chan struct{})} }

func (g *gated) Signal(topic, key string) {
	g.arrived <- struct{}{}
	<-g.gate
	g.loopback.Signal(topic, key)
}

// reached waits for a send to reach the gate.
func (g *gated) reached(t *testing.T) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(time.Second):
		t.Fatal("no send reached the gate")
	}
}

// pass lets the next send through the gate, once it is there.
func (g *gated) pass(t *testing.T) {
	t.Helper()
	g.reached(t)
	g.gate <- struct{}{}
}

func TestPokesDuringABusSendShareTheNext(t *testing.T) {
	bus := newGated()
	h := notify.NewHub()
	h.Attach(bus)

	h.Queue.Poke() // its send waits at the gate
	bus.reached(t)
	for range 100 {
		h.Queue.Poke()
		if !ready(h.Queue.C()) {
			t.Fatal("Poke did not wake this node's worker at once")
		}
	}
	bus.gate <- struct{}{} // the first send
	bus.pass(t)            // one more, for the 100 Pokes made while it waited
	select {
	case <-bus.arrived:
		t.Fatal("a third send: Pokes made during a send were not coalesced")
	case <-time.After(100 * time.Millisecond):
	}
	if got := bus.signalled(); len(got) != 2 {
		t.Fatalf("sent %v, want two wake.queue", got)
	}
	h.Queue.Poke() // idle again: a Poke sends at once
	bus.pass(t)
	for deadline := time.Now().Add(time.Second); len(bus.signalled()) < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a Poke after the sends ended was not sent")
		}
	}
}

func TestAttachedHubWakesOnSignalsOfOtherNodes(t *testing.T) {
	bus := &loopback{}
	h := notify.NewHub()
	h.Attach(bus)

	for topic, s := range map[string]*notify.Signal{notify.TopicOutbox: h.Outbox, notify.TopicQueue: h.Queue, notify.TopicWebhooks: h.Webhooks} {
		bus.deliver(topic, "")
		if !ready(s.C()) {
			t.Fatalf("%s did not wake its worker", topic)
		}
	}

	done, stop := h.Messages.Watch("s1", "m1")
	defer stop()
	bus.deliver(notify.TopicMessageDone, "s1/m1")
	if !ready(done) {
		t.Fatal("message.done did not wake the waiting request")
	}

	published := h.Events.Published()
	bus.deliver(notify.TopicEventsPublished, "")
	if !ready(published) {
		t.Fatal("events.published did not wake live streams")
	}

	woken := make(chan bool)
	var calls int
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		woken <- h.Sessions.Wait(ctx, "s1", func() bool { calls++; return calls > 1 })
	}()
	time.Sleep(20 * time.Millisecond)
	bus.deliver(notify.TopicSessionChanged, "s1")
	if !<-woken {
		t.Fatal("session.changed did not wake the session's waiter")
	}
}

func TestDetachedHubWakesInProcess(t *testing.T) {
	h := notify.NewHub()
	published := h.Events.Published()
	h.Events.Announce()
	if !ready(published) {
		t.Fatal("EventsPublished did not wake live streams")
	}
	h.Outbox.Poke()
	if !ready(h.Outbox.C()) {
		t.Fatal("Poke did not wake the worker")
	}
}

func TestMessagesDoneDuringABusSendGoTogetherInTheNext(t *testing.T) {
	bus := newGated()
	h := notify.NewHub()
	h.Attach(bus)
	m2, stop2 := h.Messages.Watch("s1", "m2")
	defer stop2()
	m3, stop3 := h.Messages.Watch("s2", "m3")
	defer stop3()

	h.Messages.Done("s1", "m1") // its send waits at the gate
	bus.reached(t)
	h.Messages.Done("s1", "m2")
	h.Messages.Done("s2", "m3")
	h.Messages.Done("s1", "m2") // twice: sent once
	bus.gate <- struct{}{}
	bus.pass(t)
	if !ready(m2) || !ready(m3) {
		t.Fatal("the messages done during a send did not wake their waiters")
	}
	want := []string{"message.done|s1/m1", "message.done|s1/m2\ns2/m3"}
	if got := bus.signalled(); !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
}
