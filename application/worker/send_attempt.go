package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// sendAttempt sends one queued message and classes what happened.
type sendAttempt struct {
	tuning    *SendTuning // the queue's
	transport ports.Transport
	clock     ports.Clock
	messages  messagesDone
	log       *slog.Logger
	pacing    *pacing
	outcomes  *outcomes
	holds     *lineHolds
}

// messagesDone wakes requests waiting for a message to leave the queue
// (notify.Messages).
type messagesDone interface {
	Done(sessionID, messageID string)
}

// send reports whether the worker should go on with the next message. The message
// goes out under its stored id, so a resend after a crash is the same message.
func (a *sendAttempt) send(stop context.Context, m message.Outbound) bool {
	if m.Expired(a.clock.Now()) {
		return a.outcomes.fail(stop, m, fault.ReasonExpired, expiredReason(m), false)
	}
	if !a.pacing.pace(stop, m) {
		return false
	}
	a.pacing.showPresence(stop, m)
	if stop.Err() != nil {
		return false // nothing is in flight yet
	}
	ctx, done := a.inFlight(stop)
	defer done()
	ctx, span := a.tuning.Tracer.Start(ctx, "warest.send", "warest.session", m.SessionID, "warest.message", m.ID)
	_, err := a.transport.Send(ctx, m.SessionID, m)
	span.End(err)
	log := a.log.With("session", m.SessionID, "message", m.ID)
	switch {
	case err == nil:
		a.holds.release(m.SessionID)
		if a.outcomes.record(ctx, m, true, func(x *message.Outbound) bool {
			x.Attempts++
			return x.Advance(message.StatusSent, "", a.clock.Now())
		}) {
			a.tuning.Metrics.SendFinished(ports.SendSent)
		}
		a.messages.Done(m.SessionID, m.ID)
		return true
	case ctx.Err() != nil && stop.Err() != nil:
		log.WarnContext(ctx, "send queue: shutdown cut the attempt in flight; the message stays queued and goes out under its id after the restart",
			"grace", a.tuning.Grace)
		return false
	}
	switch message.ClassifySend(err) {
	case message.FailurePermanent:
		log.WarnContext(ctx, "send failed for good", "err", err)
		return a.outcomes.fail(ctx, m, message.FailCodeOf(err), err.Error(), true)
	case message.FailureTransient:
		delay := a.holds.hold(m.SessionID, a.tuning.Poll, a.tuning.MaxHold)
		log.InfoContext(ctx, "send deferred: the session cannot take it now", "retry_in", delay, "err", err)
		return false
	}
	log.WarnContext(ctx, "send failed", "attempt", m.Attempts+1, "err", err)
	if m.Attempts+1 < a.tuning.MaxAttempts {
		a.outcomes.record(ctx, m, false, func(x *message.Outbound) bool { x.Attempts++; return false })
		return false // retried on the next wake-up or poll
	}
	return a.outcomes.fail(ctx, m, fault.ReasonSendFailed, err.Error(), true)
}

// inFlight gives one send its own context: a shutdown (stop ending) does not cut
// it at once but lets it finish and be recorded within Grace.
func (a *sendAttempt) inFlight(stop context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(stop))
	unhook := context.AfterFunc(stop, func() {
		t := time.NewTimer(a.tuning.Grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-ctx.Done():
		}
	})
	return ctx, func() { unhook(); cancel() }
}
