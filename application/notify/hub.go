// Package notify carries signals between use cases and background workers: the
// latest login QR of each session (kept on the node running the session), wake-ups
// for the send queue, the outbox relay and the webhook dispatcher, messages leaving
// the queue that a waiting request may want to see, session changes, and newly
// published events for live streams. Attached to a ports.Signals, the signals go
// over the bus (to every node when it spans them); otherwise they stay in process.
// Nothing here is durable: the stores are the source of truth, signals only save a poll.
package notify

import (
	"context"
	"strings"
	"sync"
	"time"

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

// QR is the latest login code of a session.
type QR struct {
	Code      string
	DataURL   string
	ExpiresAt time.Time
}

// Hub is safe for concurrent use. The zero value is not usable; call NewHub.
type Hub struct {
	mu        sync.Mutex
	qr        map[string]QR
	changed   map[string]chan struct{} // closed and replaced when a session's state changes
	Outbox    *Signal                  // new events to relay
	Queue     *Signal                  // new messages to send
	Webhooks  *Signal                  // new webhook deliveries due
	messages  map[string]chan struct{} // closed when a message leaves "queued"
	published chan struct{}            // closed and replaced when events were published
	bus       ports.Signals            // nil: signals stay in this process
}

func NewHub() *Hub {
	return &Hub{qr: map[string]QR{}, changed: map[string]chan struct{}{}, Outbox: NewSignal(), Queue: NewSignal(), Webhooks: NewSignal(),
		messages: map[string]chan struct{}{}, published: make(chan struct{})}
}

// Attach sends the hub's signals over the bus and wakes local waiters on the bus's
// signals, whichever node sent them. Call it once, before the bus starts.
func (h *Hub) Attach(bus ports.Signals) {
	h.bus = bus
	for topic, s := range map[string]*Signal{TopicOutbox: h.Outbox, TopicQueue: h.Queue, TopicWebhooks: h.Webhooks} {
		s.send = func() { bus.Signal(topic, "") }
		bus.OnSignal(topic, func(string) { s.wake() })
	}
	bus.OnSignal(TopicMessageDone, func(key string) {
		if session, message, ok := strings.Cut(key, "/"); ok {
			h.messageDone(session, message)
		}
	})
	bus.OnSignal(TopicSessionChanged, h.sessionChanged)
	bus.OnSignal(TopicEventsPublished, func(string) { h.eventsPublished() })
}

func (h *Hub) changedLocked(sessionID string) chan struct{} {
	c, ok := h.changed[sessionID]
	if !ok {
		c = make(chan struct{})
		h.changed[sessionID] = c
	}
	return c
}

// SessionChanged wakes everyone waiting on the session.
func (h *Hub) SessionChanged(sessionID string) {
	if h.bus != nil {
		h.bus.Signal(TopicSessionChanged, sessionID)
		return
	}
	h.sessionChanged(sessionID)
}

func (h *Hub) sessionChanged(sessionID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.changedLocked(sessionID))
	h.changed[sessionID] = make(chan struct{})
}

// SetQR records a fresh QR and wakes waiters.
func (h *Hub) SetQR(sessionID string, q QR) {
	h.mu.Lock()
	h.qr[sessionID] = q
	h.mu.Unlock()
	h.sessionChanged(sessionID) // the QR lives on this node only
}

// ClearQR forgets the session's QR (it paired, stopped or was deleted).
func (h *Hub) ClearQR(sessionID string) {
	h.mu.Lock()
	delete(h.qr, sessionID)
	h.mu.Unlock()
	h.sessionChanged(sessionID) // the QR lives on this node only
}

// QR returns the session's current, unexpired QR.
func (h *Hub) QR(sessionID string, now time.Time) (QR, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	q, ok := h.qr[sessionID]
	if !ok || (!q.ExpiresAt.IsZero() && now.After(q.ExpiresAt)) {
		return QR{}, false
	}
	return q, true
}

// WaitSession blocks until done() is true, re-checking on every change of the session,
// or until ctx ends. It returns whether done() became true.
func (h *Hub) WaitSession(ctx context.Context, sessionID string, done func() bool) bool {
	for {
		h.mu.Lock()
		c := h.changedLocked(sessionID)
		h.mu.Unlock()
		if done() {
			return true
		}
		select {
		case <-c:
		case <-ctx.Done():
			return done()
		}
	}
}

// MessageDone wakes requests waiting for the message to leave the queue.
func (h *Hub) MessageDone(sessionID, messageID string) {
	if h.bus != nil {
		h.bus.Signal(TopicMessageDone, sessionID+"/"+messageID)
		return
	}
	h.messageDone(sessionID, messageID)
}

func (h *Hub) messageDone(sessionID, messageID string) {
	key := sessionID + "/" + messageID
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.messages[key]; ok {
		close(c)
		delete(h.messages, key)
	}
}

// WatchMessage returns a channel closed when the message leaves the queue, and a
// function to stop watching.
func (h *Hub) WatchMessage(sessionID, messageID string) (<-chan struct{}, func()) {
	key := sessionID + "/" + messageID
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.messages[key]
	if !ok {
		c = make(chan struct{})
		h.messages[key] = c
	}
	return c, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.messages[key] == c {
			delete(h.messages, key)
		}
	}
}

// EventsPublished tells live streams that the relay published events.
func (h *Hub) EventsPublished() {
	if h.bus != nil {
		h.bus.Signal(TopicEventsPublished, "")
		return
	}
	h.eventsPublished()
}

func (h *Hub) eventsPublished() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.published)
	h.published = make(chan struct{})
}

// Published returns a channel closed the next time events are published. Take it
// before reading the log, so a publication between the read and the wait counts.
func (h *Hub) Published() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.published
}

// Signal is a level-triggered wake-up: many Pokes before a Wait count as one.
type Signal struct {
	c    chan struct{}
	send func() // set when the hub is attached to a bus
}

func NewSignal() *Signal { return &Signal{c: make(chan struct{}, 1)} }

// Poke wakes this node's waiter at once and, when the hub is attached to a bus, the
// other nodes' through it (a second wake here when the signal comes back is harmless).
func (s *Signal) Poke() {
	s.wake()
	if s.send != nil {
		s.send()
	}
}

func (s *Signal) wake() {
	select {
	case s.c <- struct{}{}:
	default:
	}
}

// C is the channel to select on.
func (s *Signal) C() <-chan struct{} { return s.c }
