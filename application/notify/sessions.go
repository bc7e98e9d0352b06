package notify

import (
	"context"
	"sync"
	"time"
)

// Sessions wakes requests waiting for a session to change.
type Sessions struct {
	broadcast
	mu      sync.Mutex
	changes map[string]chan struct{} // closed and replaced when a session's state changes
}

func newSessions() *Sessions { return &Sessions{changes: map[string]chan struct{}{}} }

// Changed wakes everyone waiting on the session, on every node.
func (s *Sessions) Changed(sessionID string) { s.signal(sessionID, s.changed) }

// changed wakes this node's waiters on the session.
func (s *Sessions) changed(sessionID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.channel(sessionID))
	s.changes[sessionID] = make(chan struct{})
}

// channel is closed at the session's next change; s.mu is held.
func (s *Sessions) channel(sessionID string) chan struct{} {
	c, ok := s.changes[sessionID]
	if !ok {
		c = make(chan struct{})
		s.changes[sessionID] = c
	}
	return c
}

// Wait blocks until done() is true, re-checking on every change of the session, or
// until ctx ends. It returns whether done() became true.
func (s *Sessions) Wait(ctx context.Context, sessionID string, done func() bool) bool {
	for {
		s.mu.Lock()
		c := s.channel(sessionID)
		s.mu.Unlock()
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

// QR is the latest login code of a session.
type QR struct {
	Code      string
	DataURL   string
	ExpiresAt time.Time
}

// QRCodes keeps each session's latest login QR on the node running the session; a
// new or cleared code is a change of the session for this node's waiters.
type QRCodes struct {
	mu       sync.Mutex
	codes    map[string]QR
	sessions *Sessions
}

func newQRCodes(sessions *Sessions) *QRCodes {
	return &QRCodes{codes: map[string]QR{}, sessions: sessions}
}

// Set records a fresh QR and wakes waiters.
func (q *QRCodes) Set(sessionID string, code QR) {
	q.mu.Lock()
	q.codes[sessionID] = code
	q.mu.Unlock()
	q.sessions.changed(sessionID) // the QR lives on this node only
}

// Clear forgets the session's QR (it paired, stopped or was deleted).
func (q *QRCodes) Clear(sessionID string) {
	q.mu.Lock()
	delete(q.codes, sessionID)
	q.mu.Unlock()
	q.sessions.changed(sessionID) // the QR lives on this node only
}

// Get returns the session's current, unexpired QR.
func (q *QRCodes) Get(sessionID string, now time.Time) (QR, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	code, ok := q.codes[sessionID]
	if !ok || (!code.ExpiresAt.IsZero() && now.After(code.ExpiresAt)) {
		return QR{}, false
	}
	return code, true
}
