package webhookaction

import (
	"context"
	"errors"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/domain/webhook"
)

// outgoing queues an answer's sends as the session's owner: to the triggering chat
// unless the action names one, counted against the actions' own per-key limits, and
// idempotent per delivery and action.
type outgoing struct {
	sends Sends
	d     webhook.Delivery
	p     account.Principal
	chat  string // the triggering chat: the default `to`
}

func (o *outgoing) send(ctx context.Context, act webhook.Action, attempt string, c message.Content) error {
	in, err := o.sendInput(ctx, act, attempt, c)
	if err != nil {
		return err
	}
	return paced(ctx, func() error {
		_, err := o.sends.Send(ctx, o.p, in)
		return err
	})
}

// paced runs a send, waiting out the recipient cooldown it runs into — as the send
// queue paces sends to one recipient — so two receivers answering the same message
// both get their replies out, one cooldown apart. A wait longer than what is left
// of the answer's time limit fails the action instead.
func paced(ctx context.Context, send func() error) error {
	for {
		err := send()
		var ex *throttle.Exceeded
		if !errors.As(err, &ex) || ex.Limit != throttle.LimitCooldown {
			return err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < ex.RetryAfter {
			return err
		}
		if sleep(ctx, ex.RetryAfter); ctx.Err() != nil {
			return err
		}
	}
}

// sendMedia fetches the action's URL through the guarded fetcher and sends the
// file like the media routes do (conversion, blob store, queue).
func (o *outgoing) sendMedia(ctx context.Context, act webhook.Action, attempt string, m command.SendMediaInput) error {
	in, err := o.sendInput(ctx, act, attempt, message.Content{})
	if err != nil {
		return err
	}
	m.Send = in
	return paced(ctx, func() error {
		_, err := o.sends.SendMedia(ctx, o.p, m)
		return err
	})
}

// sendInput addresses a send and counts it against the per-key rate limit and
// quota, under the actions' own key name, as the HTTP sending routes do.
func (o *outgoing) sendInput(ctx context.Context, act webhook.Action, attempt string, c message.Content) (command.SendInput, error) {
	to := act.String("to", "jid", "number")
	if to == "" {
		to = o.chat
	}
	if _, err := o.sends.Throttle(ctx, o.p, true); err != nil {
		return command.SendInput{}, err
	}
	return command.SendInput{SessionID: o.d.SessionID, To: []string{to}, Content: c,
		IdempotencyKey: "webhook-action:" + o.d.ID + ":" + act.Path + attempt}, nil
}
