package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/ports"
)

// pacing spaces sends to one recipient and shows presence before each, as a person
// would.
type pacing struct {
	tuning    *SendTuning // the queue's: Pace, Wait, Rand
	store     ports.Store
	transport ports.Transport
	clock     ports.Clock
	log       *slog.Logger
}

// pace waits until the recipient's last send is Pace ago.
func (p *pacing) pace(ctx context.Context, m message.Outbound) bool {
	if p.tuning.Pace <= 0 {
		return true
	}
	last, err := p.store.Cooldowns().Last(ctx, m.SessionID, m.To.String())
	if err != nil {
		if ctx.Err() == nil {
			p.log.WarnContext(ctx, "send queue: read last send", "session", m.SessionID, "err", err)
		}
		return ctx.Err() == nil
	}
	if left := throttle.PaceLeft(last, p.tuning.Pace, p.clock.Now()); left > 0 {
		return p.tuning.Wait(ctx, left)
	}
	return true
}

// showPresence plays available → composing/recording → paused before the message.
// Presence is cosmetic: failures are logged, never fatal.
func (p *pacing) showPresence(ctx context.Context, m message.Outbound) {
	for _, step := range throttle.PresencePlan(string(m.Content.Presence), p.tuning.Rand) {
		var err error
		switch step.State {
		case "available":
			err = p.transport.SetPresence(ctx, m.SessionID, true)
		default:
			err = p.transport.SetChatPresence(ctx, m.SessionID, m.To, ports.ChatState(step.State))
		}
		if err != nil {
			p.log.DebugContext(ctx, "send queue: presence", "session", m.SessionID, "state", step.State, "err", err)
		}
		if !p.tuning.Wait(ctx, step.Pause) {
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
