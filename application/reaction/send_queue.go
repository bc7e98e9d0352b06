package reaction

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/ports"
)

// SendQueue drains the durable queue of outbound messages: one worker per session,
// messages in the order they were accepted, each sent with its own id so a retry
// after a crash cannot produce a second message.
type SendQueue struct {
	store       ports.Store
	transport   ports.Transport
	clock       ports.Clock
	hub         *notify.Hub
	log         *slog.Logger
	Poll        time.Duration
	MaxAttempts int
	// Pace is the least gap between two sends to one recipient; 0 sends at once.
	Pace time.Duration
	// Wait pauses the worker (presence steps, pacing); it reports false when ctx ended.
	// Rand drives the human-like presence delays. Tests replace both.
	Wait func(ctx context.Context, d time.Duration) bool
	Rand func() float64

	mu      sync.Mutex
	running map[string]bool
	wg      sync.WaitGroup
}

func NewSendQueue(store ports.Store, transport ports.Transport, clock ports.Clock, hub *notify.Hub, log *slog.Logger) *SendQueue {
	return &SendQueue{store: store, transport: transport, clock: clock, hub: hub, log: log,
		Poll: time.Second, MaxAttempts: 3, Wait: pause, Rand: rand.Float64, running: map[string]bool{}}
}

// Run starts session workers whenever messages are queued, until ctx ends; it waits
// for the workers before returning.
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

// drain sends the session's queued messages in order. It stops at the first message
// the transport cannot take right now (session offline) and leaves the rest queued.
func (q *SendQueue) drain(ctx context.Context, sessionID string) {
	for ctx.Err() == nil {
		sess, err := q.store.Sessions().Get(ctx, sessionID)
		if err != nil || sess.CanSend() != nil {
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

// sendOne reports whether the worker should go on with the next message. The message
// goes out under its stored id, so a resend after a crash is the same message.
func (q *SendQueue) sendOne(ctx context.Context, m message.Outbound) bool {
	if !q.pace(ctx, m) {
		return false
	}
	q.showPresence(ctx, m)
	_, err := q.transport.Send(ctx, m.SessionID, m)
	next, reason := message.StatusSent, ""
	if err != nil {
		q.log.WarnContext(ctx, "send failed", "session", m.SessionID, "message", m.ID, "attempt", m.Attempts+1, "err", err)
		if m.Attempts+1 < q.MaxAttempts {
			q.record(ctx, m, func(x *message.Outbound) bool { x.Attempts++; return false })
			return false // retried on the next wake-up or poll
		}
		next, reason = message.StatusFailed, err.Error()
	}
	q.record(ctx, m, func(x *message.Outbound) bool {
		x.Attempts++
		return x.Advance(next, reason, q.clock.Now())
	})
	q.hub.MessageDone(m.SessionID, m.ID)
	return true
}

// pace waits until the recipient's last send is Pace ago.
func (q *SendQueue) pace(ctx context.Context, m message.Outbound) bool {
	if q.Pace <= 0 {
		return true
	}
	last, err := q.store.Cooldowns().Last(ctx, m.SessionID, m.To.String())
	if err != nil {
		q.log.WarnContext(ctx, "send queue: read last send", "session", m.SessionID, "err", err)
		return true
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
func (q *SendQueue) record(ctx context.Context, m message.Outbound, change func(*message.Outbound) bool) {
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
		}
		return appendEvent(ctx, r, event.MessageStatus, m.SessionID, q.clock, event.MessageStatusOf(cur, q.clock.Now()))
	})
	if err != nil {
		q.log.ErrorContext(ctx, "send queue: record message", "session", m.SessionID, "message", m.ID, "err", err)
		return
	}
	q.hub.Outbox.Poke()
}
