package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/warest-go/warest/application/eventlog"
	"github.com/warest-go/warest/application/history"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// outcomes record what became of queued messages: each change with its
// message_status event, and failures in bulk for a line that cannot send.
type outcomes struct {
	tuning   *SendTuning // the queue's: its Metrics
	store    ports.Store
	clock    ports.Clock
	outbox   wakeup // events to relay
	messages messagesDone
	log      *slog.Logger
}

// failUnlinked fails what is queued for a session with no linked account: it was
// accepted for a link that is gone, and a new link may be another number.
func (o *outcomes) failUnlinked(ctx context.Context, sess *session.Session) {
	reason := fmt.Sprintf("session %s is not paired (status %s); pair it again and resend", sess.ID(), sess.Status())
	failAll(ctx, func() ([]message.Outbound, error) { return o.store.Messages().ListQueued(ctx, sess.ID(), 50) },
		func(m message.Outbound) bool { return o.fail(ctx, m, fault.ReasonNotPaired, reason, false) })
}

// expire fails the session's queued messages that are past their expiry.
func (o *outcomes) expire(ctx context.Context, sessionID string) {
	failAll(ctx, func() ([]message.Outbound, error) {
		return o.store.Messages().ListExpired(ctx, sessionID, o.clock.Now(), 50)
	},
		func(m message.Outbound) bool { return o.fail(ctx, m, fault.ReasonExpired, expiredReason(m), false) })
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

// fail records m as failed with a reason and wakes whoever waits for it; it reports
// whether the failure was recorded.
func (o *outcomes) fail(ctx context.Context, m message.Outbound, code fault.Reason, reason string, attempted bool) bool {
	ok := o.record(ctx, m, false, func(x *message.Outbound) bool {
		if attempted {
			x.Attempts++
		}
		return x.Fail(code, reason, o.clock.Now())
	})
	if ok {
		o.tuning.Metrics.SendFinished(ports.SendFailed)
	}
	o.messages.Done(m.SessionID, m.ID)
	return ok
}

// record updates the message and, when its status moved, records the status event.
// A successful send (sent) starts the recipient's cooldown and joins the chat
// history, and only that: also when
// a receipt overtook the worker and the message is past "sent" already. It reports
// whether the update was stored.
func (o *outcomes) record(ctx context.Context, m message.Outbound, sent bool, change func(*message.Outbound) bool) bool {
	// A group transaction: every send's outcome would cost a commit of its own. The
	// session's lane: receipts update its messages too.
	err := o.store.InGroupTx(ctx, m.SessionID, func(ctx context.Context, r ports.Repositories) error {
		moved := false
		cur, err := r.Messages().Update(ctx, m.SessionID, m.ID, func(x *message.Outbound) error {
			moved = change(x)
			return nil
		})
		if err != nil {
			return err
		}
		if sent {
			if err := r.Cooldowns().Touch(ctx, m.SessionID, m.To.String(), o.clock.Now()); err != nil {
				return err
			}
			// What went out joins the chat history (again, harmlessly, after a receipt overtook us).
			if err := history.Sent(ctx, r, cur); err != nil {
				return err
			}
		}
		if !moved {
			return nil
		}
		return eventlog.Append(ctx, r, o.clock, event.MessageStatus, m.SessionID, event.MessageStatusOf(cur, o.clock.Now()))
	})
	if err != nil {
		if fe, ok := fault.As(err); ok && fe.Reason == fault.ReasonFenced && o.tuning.Fences != nil {
			o.tuning.Fences.Fenced(m.SessionID) // another node owns the session now: it records the outcome
		} else if ctx.Err() == nil {
			o.log.ErrorContext(ctx, "send queue: record message", "session", m.SessionID, "message", m.ID, "err", err)
		}
		return false
	}
	o.outbox.Poke()
	return true
}
