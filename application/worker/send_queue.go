package worker

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/ports"
)

// SendQueue drains the durable queue of outbound messages: one line per session,
// messages in the order they were accepted, each sent with its own id so a retry
// after a crash cannot produce a second message.
//
// A failed attempt is classed (message.ClassifySend): a permanent failure fails the
// message at once with its reason; a transient one (the session or network cannot
// take it now) leaves it queued without using up an attempt, and the session's line
// waits until the session is open again or a growing pause passes; an unclassified
// error fails the message after MaxAttempts tries. A message still queued at its
// expiry fails as expired, and what was queued for a session that lost its link
// (QR, logged out) fails as not paired.
//
// Its parts: the attempt (send_attempt.go) with its pacing and presence
// (send_pacing.go), and the outcomes it records (send_outcome.go).
type SendQueue struct {
	SendTuning
	store ports.Store
	wake  *notify.Signal // new messages to send
	log   *slog.Logger

	attempt  *sendAttempt
	outcomes *outcomes
	holds    *lineHolds

	mu      sync.Mutex
	running map[string]chan struct{} // the sessions being drained; closed when done
	wg      sync.WaitGroup
}

// SendTuning are the send queue's tunables; set them between NewSendQueue and Run.
type SendTuning struct {
	Poll time.Duration
	// MaxAttempts bounds the tries of a message whose errors nobody classified.
	MaxAttempts int
	// Pace is the least gap between two sends to one recipient; 0 sends at once.
	Pace time.Duration
	// Grace is how long the attempt in flight at shutdown may still take to finish
	// and be recorded before it is cancelled.
	Grace time.Duration
	// MaxHold caps the pause of an open session's line after transient failures.
	MaxHold time.Duration
	// Wait pauses the worker (presence steps, pacing); it reports false when ctx ended.
	// Rand drives the human-like presence delays. Tests replace both.
	Wait func(ctx context.Context, d time.Duration) bool
	Rand func() float64
	// Metrics counts sent and failed messages; Tracer spans each attempt.
	Metrics ports.Metrics
	Tracer  ports.Tracer
	// Fences keeps the queue to the sessions this node owns and fences its writes
	// (several nodes on one store); nil: every session, unfenced.
	Fences ports.Fences
}

func NewSendQueue(store ports.Store, transport ports.Transport, clock ports.Clock, hub *notify.Hub, log *slog.Logger) *SendQueue {
	q := &SendQueue{store: store, wake: hub.Queue, log: log, running: map[string]chan struct{}{},
		SendTuning: SendTuning{Poll: time.Second, MaxAttempts: 3, Grace: 10 * time.Second, MaxHold: time.Minute, Wait: pause, Rand: rand.Float64,
			Metrics: ports.NoMetrics{}, Tracer: ports.NoTracer{}}}
	q.holds = &lineHolds{clock: clock, m: map[string]hold{}}
	q.outcomes = &outcomes{tuning: &q.SendTuning, store: store, clock: clock, outbox: hub.Outbox, messages: hub.Messages, log: log}
	q.attempt = &sendAttempt{tuning: &q.SendTuning, transport: transport, clock: clock, messages: hub.Messages, log: log,
		outcomes: q.outcomes, holds: q.holds, pacing: &pacing{tuning: &q.SendTuning, store: store, transport: transport, clock: clock, log: log}}
	return q
}

// Run starts session workers whenever messages are queued, until ctx ends; it waits
// for the workers, and so for the attempts in flight (at most Grace), before returning.
func (q *SendQueue) Run(ctx context.Context) {
	loop(ctx, q.Poll, q.wake.C(), q.dispatch)
	q.wg.Wait()
}

func (q *SendQueue) dispatch(ctx context.Context) bool {
	ids, err := q.store.Messages().SessionsWithQueued(ctx)
	if err != nil {
		if ctx.Err() == nil { // a shutdown is not an error
			q.log.ErrorContext(ctx, "send queue: list sessions", "err", err)
		}
		return false
	}
	for _, id := range ids {
		if _, owned := q.fence(ctx, id); !owned {
			continue // another node's
		}
		q.mu.Lock()
		_, busy := q.running[id]
		done := make(chan struct{})
		if !busy {
			q.running[id] = done
		}
		q.mu.Unlock()
		if busy {
			continue
		}
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			q.drain(ctx, id)
			q.mu.Lock()
			delete(q.running, id)
			q.mu.Unlock()
			close(done)
		}()
	}
	return false
}

// Settled waits until no worker sends for the session, at most Grace. A node giving
// the session up calls it once its lease is no longer its own (the worker stops
// before its next message): an attempt in flight then stores its outcome under the
// node's fence before the lease goes, so the next owner does not send it again.
func (q *SendQueue) Settled(ctx context.Context, sessionID string) {
	q.mu.Lock()
	done, ok := q.running[sessionID]
	q.mu.Unlock()
	if !ok {
		return
	}
	t := time.NewTimer(q.Grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
}

// drain works through the session's queue as its status allows: sends in order
// while it is open, fails everything when it has no linked account, and otherwise
// only fails what expired.
func (q *SendQueue) drain(stop context.Context, sessionID string) {
	for stop.Err() == nil {
		ctx, owned := q.fence(stop, sessionID)
		if !owned {
			return
		}
		sess, err := q.store.Sessions().Get(ctx, sessionID)
		if err != nil {
			return
		}
		switch {
		case sess.Unlinked():
			q.holds.release(sessionID)
			q.outcomes.failUnlinked(ctx, sess)
			return
		case sess.CanSend() != nil:
			q.holds.release(sessionID) // it must open again first; then it is tried at once
			q.outcomes.expire(ctx, sessionID)
			return
		case q.holds.held(sessionID):
			return
		}
		batch, err := q.store.Messages().ListQueued(ctx, sessionID, 50)
		if err != nil || len(batch) == 0 {
			return
		}
		for _, m := range batch {
			if ctx, owned = q.fence(stop, sessionID); !owned || !q.attempt.send(ctx, m) {
				return
			}
		}
	}
}

// fence gives ctx the fence of the session's lease; owned is false when this node
// does not own the session (now), and must then neither send nor write for it.
func (q *SendQueue) fence(ctx context.Context, sessionID string) (_ context.Context, owned bool) {
	if q.Fences == nil {
		return ctx, true
	}
	return q.Fences.Fence(ctx, sessionID)
}

// lineHolds are the paused lines of open sessions.
type lineHolds struct {
	clock ports.Clock
	mu    sync.Mutex
	m     map[string]hold
}

// hold pauses a session's line after a transient failure while it looked open.
type hold struct {
	until time.Time
	delay time.Duration
}

// hold pauses the session's line after a transient failure, twice as long as the
// last pause (from least up to most), and returns the pause.
func (l *lineHolds) hold(sessionID string, least, most time.Duration) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.m[sessionID]
	h.delay = min(max(2*h.delay, least), max(most, least))
	h.until = l.clock.Now().Add(h.delay)
	l.m[sessionID] = h
	return h.delay
}

func (l *lineHolds) held(sessionID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.m[sessionID]
	return ok && l.clock.Now().Before(h.until)
}

func (l *lineHolds) release(sessionID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, sessionID)
}
