package worker

import (
	"context"
	"fmt"
	"github.com/warest-go/warest/application/eventlog"
	"github.com/warest-go/warest/application/history"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/ports"
)

// SendQueue drains the durable queue of outbound messages: one worker per session,
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
type SendQueue struct {
	store     ports.Store
	transport ports.Transport
	clock     ports.Clock
	hub       *notify.Hub
	log       *slog.Logger
	Poll      time.Duration
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

	mu      sync.Mutex
	running map[string]bool
	holds   *lineHolds
	wg      sync.WaitGroup
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

func NewSendQueue(store ports.Store, transport ports.Transport, clock ports.Clock, hub *notify.Hub, log *slog.Logger) *SendQueue {
	return &SendQueue{store: store, transport: transport, clock: clock, hub: hub, log: log,
		Poll: time.Second, MaxAttempts: 3, Grace: 10 * time.Second, MaxHold: time.Minute, Wait: pause, Rand: rand.Float64, Metrics: ports.NoMetrics{}, Tracer: ports.NoTracer{},
		running: map[string]bool{}, holds: &lineHolds{clock: clock, m: map[string]hold{}}}
}

// Run starts session workers whenever messages are queued, until ctx ends; it waits
// for the workers, and so for the attempts in flight (at most Grace), before returning.
func (q *SendQueue) Run(ctx context.Context) {
	loop(ctx, q.Poll, q.hub.Queue.C(), q.dispatch)
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
		q.mu.Lock()
		busy := q.running[id]
		q.running[id] = true
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
		}()
	}
	return false
}

// drain works through the session's queue as its status allows: sends in order
// while it is open, fails everything when it has no linked account, and otherwise
// only fails what expired.
func (q *SendQueue) drain(ctx context.Context, sessionID string) {
	for ctx.Err() == nil {
		sess, err := q.store.Sessions().Get(ctx, sessionID)
		if err != nil {
			return
		}
		switch {
		case sess.Unlinked():
			q.holds.release(sessionID)
			q.failUnlinked(ctx, sess)
			return
		case sess.CanSend() != nil:
			q.holds.release(sessionID) // it must open again first; then it is tried at once
			q.expire(ctx, sessionID)
			return
		case q.holds.held(sessionID):
			return
		}
		batch, err := q.store.Messages().ListQueued(ctx, sessionID, 50)
		if err != nil || len(batch) == 0 {
			return
		}
		for _, m := range batch {
			if !q.sendOne(ctx, m) {
				return
			}
		}
	}
}

// failUnlinked fails what is queued for a session with no linked account: it was
// accepted for a link that is gone, and a new link may be another number.
func (q *SendQueue) failUnlinked(ctx context.Context, sess *session.Session) {
	reason := fmt.Sprintf("session %s is not paired (status %s); pair it again and resend", sess.ID(), sess.Status())
	failAll(ctx, func() ([]message.Outbound, error) { return q.store.Messages().ListQueued(ctx, sess.ID(), 50) },
		func(m message.Outbound) bool { return q.fail(ctx, m, fault.ReasonNotPaired, reason, false) })
}

// expire fails the session's queued messages that are past their expiry.
func (q *SendQueue) expire(ctx context.Context, sessionID string) {
	failAll(ctx, func() ([]message.Outbound, error) {
		return q.store.Messages().ListExpired(ctx, sessionID, q.clock.Now(), 50)
	},
		func(m message.Outbound) bool { return q.fail(ctx, m, fault.ReasonExpired, expiredReason(m), false) })
}

// failAll fails every message list returns, batch after batch, until none is left or
// fail reports it could not record one.
func failAll(ctx context.Context, list func() ([]message.Outbound, error), fail func(message.Outbound) bool) {
	for ctx.Err() == nil {
		batch, err := list()
		if err != nil || len(batch) == 0 {
			return
		}
		for _, m := range batch {
			if !fail(m) {
				return
			}
		}
	}
}

func expiredReason(m message.Outbound) string {
	return "expired: not sent by " + m.ExpiresAt.UTC().Format(time.RFC3339)
}

// sendOne reports whether the worker should go on with the next message. The message
// goes out under its stored id, so a resend after a crash is the same message.
func (q *SendQueue) sendOne(stop context.Context, m message.Outbound) bool {
	if m.Expired(q.clock.Now()) {
		return q.fail(stop, m, fault.ReasonExpired, expiredReason(m), false)
	}
	if !q.pace(stop, m) {
		return false
	}
	q.showPresence(stop, m)
	if stop.Err() != nil {
		return false // nothing is in flight yet
	}
	ctx, done := q.attempt(stop)
	defer done()
	ctx, span := q.Tracer.Start(ctx, "warest.send", "warest.session", m.SessionID, "warest.message", m.ID)
	_, err := q.transport.Send(ctx, m.SessionID, m)
	span.End(err)
	log := q.log.With("session", m.SessionID, "message", m.ID)
	switch {
	case err == nil:
		q.holds.release(m.SessionID)
		if q.record(ctx, m, func(x *message.Outbound) bool {
			x.Attempts++
			return x.Advance(message.StatusSent, "", q.clock.Now())
		}) {
			q.Metrics.SendFinished(ports.SendSent)
		}
		q.hub.MessageDone(m.SessionID, m.ID)
		return true
	case ctx.Err() != nil && stop.Err() != nil:
		log.WarnContext(ctx, "send queue: shutdown cut the attempt in flight; the message stays queued and goes out under its id after the restart",
			"grace", q.Grace)
		return false
	}
	switch message.ClassifySend(err) {
	case message.FailurePermanent:
		log.WarnContext(ctx, "send failed for good", "err", err)
		return q.fail(ctx, m, message.FailCodeOf(err), err.Error(), true)
	case message.FailureTransient:
		delay := q.holds.hold(m.SessionID, q.Poll, q.MaxHold)
		log.InfoContext(ctx, "send deferred: the session cannot take it now", "retry_in", delay, "err", err)
		return false
	}
	log.WarnContext(ctx, "send failed", "attempt", m.Attempts+1, "err", err)
	if m.Attempts+1 < q.MaxAttempts {
		q.record(ctx, m, func(x *message.Outbound) bool { x.Attempts++; return false })
		return false // retried on the next wake-up or poll
	}
	return q.fail(ctx, m, fault.ReasonSendFailed, err.Error(), true)
}

// attempt gives one send its own context: a shutdown (stop ending) does not cut
// it at once but lets it finish and be recorded within Grace.
func (q *SendQueue) attempt(stop context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(stop))
	unhook := context.AfterFunc(stop, func() {
		t := time.NewTimer(q.Grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-ctx.Done():
		}
	})
	return ctx, func() { unhook(); cancel() }
}

// fail records m as failed with a reason and wakes whoever waits for it; it reports
// whether the failure was recorded.
func (q *SendQueue) fail(ctx context.Context, m message.Outbound, code fault.Reason, reason string, attempted bool) bool {
	ok := q.record(ctx, m, func(x *message.Outbound) bool {
		if attempted {
			x.Attempts++
		}
		return x.Fail(code, reason, q.clock.Now())
	})
	if ok {
		q.Metrics.SendFinished(ports.SendFailed)
	}
	q.hub.MessageDone(m.SessionID, m.ID)
	return ok
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

// pace waits until the recipient's last send is Pace ago.
func (q *SendQueue) pace(ctx context.Context, m message.Outbound) bool {
	if q.Pace <= 0 {
		return true
	}
	last, err := q.store.Cooldowns().Last(ctx, m.SessionID, m.To.String())
	if err != nil {
		if ctx.Err() == nil {
			q.log.WarnContext(ctx, "send queue: read last send", "session", m.SessionID, "err", err)
		}
		return ctx.Err() == nil
	}
	if left := throttle.PaceLeft(last, q.Pace, q.clock.Now()); left > 0 {
		return q.Wait(ctx, left)
	}
	return true
}

// showPresence plays available → composing/recording → paused before the message,
// as a person would. Presence is cosmetic: failures are logged, never fatal.
func (q *SendQueue) showPresence(ctx context.Context, m message.Outbound) {
	for _, step := range throttle.PresencePlan(string(m.Content.Presence), q.Rand) {
		var err error
		switch step.State {
		case "available":
			err = q.transport.SetPresence(ctx, m.SessionID, true)
		default:
			err = q.transport.SetChatPresence(ctx, m.SessionID, m.To, ports.ChatState(step.State))
		}
		if err != nil {
			q.log.DebugContext(ctx, "send queue: presence", "session", m.SessionID, "state", step.State, "err", err)
		}
		if !q.Wait(ctx, step.Pause) {
			return
		}
	}
}

func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// record updates the message and, when its status moved, records the status event.
// It reports whether the update was stored.
func (q *SendQueue) record(ctx context.Context, m message.Outbound, change func(*message.Outbound) bool) bool {
	err := q.store.InTx(ctx, func(r ports.Repositories) error {
		moved := false
		cur, err := r.Messages().Update(ctx, m.SessionID, m.ID, func(x *message.Outbound) error {
			moved = change(x)
			return nil
		})
		if err != nil || !moved {
			return err
		}
		if cur.Status == message.StatusSent {
			// The recipient cooldown starts with a successful send only.
			if err := r.Cooldowns().Touch(ctx, m.SessionID, m.To.String(), cur.UpdatedAt); err != nil {
				return err
			}
			if err := history.Sent(ctx, r, cur); err != nil {
				return err
			}
		}
		return eventlog.Append(ctx, r, q.clock, event.MessageStatus, m.SessionID, event.MessageStatusOf(cur, q.clock.Now()))
	})
	if err != nil {
		if ctx.Err() == nil {
			q.log.ErrorContext(ctx, "send queue: record message", "session", m.SessionID, "message", m.ID, "err", err)
		}
		return false
	}
	q.hub.Outbox.Poke()
	return true
}
