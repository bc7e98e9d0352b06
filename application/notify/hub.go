// Package notify carries in-process signals between use cases and background workers:
// the latest login QR of each session, wake-ups for the send queue and the outbox
// relay, and message status changes that a waiting request may want to see.
// Nothing here is durable: the stores are the source of truth, signals only save a poll.
package notify

import (
	"context"
	"sync"
	"time"
)

// QR is the latest login code of a session.
type QR struct {
	Code      string
	DataURL   string
	ExpiresAt time.Time
}

// Hub is safe for concurrent use. The zero value is not usable; call NewHub.
type Hub struct {
	mu       sync.Mutex
	qr       map[string]QR
	changed  map[string]chan struct{} // closed and replaced when a session's state changes
	Outbox   *Signal                  // new events to relay
	Queue    *Signal                  // new messages to send
	Webhooks *Signal                  // new webhook deliveries due
	messages map[string]chan struct{} // closed when a message leaves "queued"
}

func NewHub() *Hub {
	return &Hub{qr: map[string]QR{}, changed: map[string]chan struct{}{}, Outbox: NewSignal(), Queue: NewSignal(), Webhooks: NewSignal(),
		messages: map[string]chan struct{}{}}
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
	h.SessionChanged(sessionID)
}

// ClearQR forgets the session's QR (it paired, stopped or was deleted).
func (h *Hub) ClearQR(sessionID string) {
	h.mu.Lock()
	delete(h.qr, sessionID)
	h.mu.Unlock()
	h.SessionChanged(sessionID)
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

// Signal is a level-triggered wake-up: many Pokes before a Wait count as one.
type Signal struct{ c chan struct{} }

func NewSignal() *Signal { return &Signal{c: make(chan struct{}, 1)} }

// Poke wakes the waiter without blocking.
func (s *Signal) Poke() {
	select {
	case s.c <- struct{}{}:
	default:
	}
}

// C is the channel to select on.
func (s *Signal) C() <-chan struct{} { return s.c }
