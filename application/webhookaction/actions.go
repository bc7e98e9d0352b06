// Package webhookaction interprets the response actions a webhook receiver answers
// with (send a reply, show presence, change account state).
package webhookaction

import (
	"context"
	"errors"
	"fmt"
	"github.com/warest-go/warest/application/eventlog"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// Actions runs the response actions a receiver asked for. Sends go through
// command.Sending (the durable queue, its limits and cooldowns) with an idempotency key
// per delivery and action, so an answer processed twice sends nothing twice.
// A failing action is recorded as a webhook_action_failed event and skipped.
type Actions struct {
	sends     Sends
	transport ports.Transport
	store     ports.Store
	clock     ports.Clock
	log       *slog.Logger
	addresses chat.Normalizer
	Limits    webhook.ActionLimits
	Timeout   time.Duration // for one answer, all actions included
}

// Sends is what the actions need of the use cases: queued sends (command.Sending)
// and the per-key rate limit and quota they count against (command.Quotas).
type Sends interface {
	Send(ctx context.Context, p account.Principal, in command.SendInput) ([]command.SendResult, error)
	SendMedia(ctx context.Context, p account.Principal, in command.SendMediaInput) ([]command.SendResult, error)
	Throttle(ctx context.Context, p account.Principal, quota bool) (command.ThrottleState, error)
}

func NewActions(sends Sends, transport ports.Transport, store ports.Store, clock ports.Clock, log *slog.Logger, countryCode string) *Actions {
	return &Actions{sends: sends, transport: transport, store: store, clock: clock, log: log,
		addresses: chat.Normalizer{DefaultCountryCode: countryCode},
		Limits:    webhook.DefaultActionLimits, Timeout: 2 * time.Minute}
}

// Run parses answer (the receiver's 2xx body) and runs it. delivered is the body we
// sent, the template context. It reports whether there was anything to run.
func (a *Actions) Run(ctx context.Context, d webhook.Delivery, delivered, answer []byte) bool {
	plan, ok, err := webhook.ParseActions(answer, webhook.TemplateVars(delivered), a.Limits)
	if !ok {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, a.Timeout)
	defer cancel()
	r := run{Actions: a, outgoing: outgoing{sends: a.sends, d: d, chat: defaultChat(delivered)}, plan: plan, key: defaultKey(delivered)}
	if err != nil {
		r.failed(ctx, webhook.Action{}, err)
		return true
	}
	if r.p, err = a.principal(ctx, d.SessionID); err != nil {
		r.failed(ctx, webhook.Action{}, err)
		return true
	}
	r.seq(ctx, plan.Actions)
	return true
}

// principal acts as the session's owner, under a key name of its own so the
// per-key limits count actions apart from the owner's API calls.
func (a *Actions) principal(ctx context.Context, sessionID string) (account.Principal, error) {
	sess, err := a.store.Sessions().Get(ctx, sessionID)
	if err != nil {
		return account.Principal{}, err
	}
	u, err := a.store.Users().GetByRegistry(ctx, sess.Owner())
	if err != nil {
		return account.Principal{}, err
	}
	return account.Principal{User: u, KeyID: "webhook-actions:" + sessionID}, nil
}

// run is one answer being executed.
type run struct {
	*Actions
	outgoing
	plan webhook.Plan
	key  any // the triggering message's key: the default `key` of react, star, unstar, delete and read
}

func defaultChat(delivered []byte) string {
	v, _ := webhook.Lookup(webhook.TemplateVars(delivered), "data.sender.chatId")
	return webhook.Stringify(v)
}

func defaultKey(delivered []byte) any {
	v, _ := webhook.Lookup(webhook.TemplateVars(delivered), "data.message.key")
	return v
}

// keyDefaults are the actions about a message that, without a key, act on the one
// that triggered the webhook.
var keyDefaults = map[webhook.ActionKind]bool{webhook.ActReact: true, webhook.ActStar: true, webhook.ActUnstar: true,
	webhook.ActDelete: true, webhook.ActRead: true}

func (r *run) withDefaultKey(act webhook.Action) webhook.Action {
	if !keyDefaults[act.Kind] || r.key == nil || act.Fields["keys"] != nil {
		return act
	}
	if k, ok := act.Fields["key"]; ok && k != nil && k != "" {
		return act
	}
	act.Fields = maps.Clone(act.Fields)
	act.Fields["key"] = r.key
	return act
}

func (r *run) seq(ctx context.Context, list []webhook.Action) {
	for _, act := range list {
		if ctx.Err() != nil {
			r.failed(ctx, act, ctx.Err())
			return
		}
		if err := r.one(ctx, act, ""); err != nil {
			r.failed(ctx, act, err)
		}
		if act.Kind.IsData() && act.Kind != webhook.ActNoop {
			sleep(ctx, r.plan.Delay)
		}
	}
}

// one runs an action; attempt distinguishes the tries of a retry so each may send.
func (r *run) one(ctx context.Context, act webhook.Action, attempt string) error {
	act = r.withDefaultKey(act)
	switch act.Kind {
	case webhook.ActNoop:
		return nil
	case webhook.ActQueue:
		gap := act.Duration(r.Limits, 0)
		for i, item := range act.Items {
			if i > 0 {
				sleep(ctx, gap)
			}
			if err := r.one(ctx, item, attempt); err != nil {
				r.failed(ctx, item, err)
			}
		}
		return nil
	case webhook.ActParallel:
		var wg sync.WaitGroup
		for _, item := range act.Items {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := r.one(ctx, item, attempt); err != nil {
					r.failed(ctx, item, err)
				}
			}()
		}
		wg.Wait()
		return nil
	case webhook.ActWhen:
		branch := act.Else
		if webhook.Truthy(firstField(act, "cond", "condition")) {
			branch = act.Items
		}
		for _, item := range branch {
			if err := r.one(ctx, item, attempt); err != nil {
				r.failed(ctx, item, err)
			}
		}
		return nil
	case webhook.ActRetry:
		return r.retry(ctx, act)
	case webhook.ActDelay, webhook.ActTyping, webhook.ActPresence:
		return r.presence(ctx, act)
	case webhook.ActStar, webhook.ActUnstar, webhook.ActDelete, webhook.ActRead:
		return r.accountState(ctx, act)
	}
	if media, ok := mediaOf(act); ok {
		return r.sendMedia(ctx, act, attempt, media)
	}
	c, err := contentOf(act, r.addresses)
	if err != nil {
		return err
	}
	return r.send(ctx, act, attempt, c)
}

func (r *run) retry(ctx context.Context, act webhook.Action) error {
	times := 3
	if n, ok := act.Number("attempts", "times"); ok && n >= 1 {
		times = min(int(n), 10)
	}
	backoff := act.Duration(r.Limits, 500*time.Millisecond)
	var err error
	for i := range times {
		if err = r.one(ctx, act.Items[0], fmt.Sprintf("#%d", i)); err == nil {
			return nil
		}
		sleep(ctx, backoff)
	}
	for _, item := range act.OnFail {
		if ferr := r.one(ctx, item, ""); ferr != nil {
			r.failed(ctx, item, ferr)
		}
	}
	return err
}

// presence covers delay (optionally showing a chat state meanwhile), typing and
// presence.
func (r *run) presence(ctx context.Context, act webhook.Action) error {
	state := ports.ChatState(strings.ToLower(act.String("state")))
	switch act.Kind {
	case webhook.ActPresence:
		switch state {
		case "", "available", "unavailable":
			return r.transport.SetPresence(ctx, r.d.SessionID, state != "unavailable")
		}
	case webhook.ActTyping:
		if state == "" {
			state = ports.ChatComposing
		}
	}
	wait := act.Duration(r.Limits, r.plan.Delay)
	if state != ports.ChatComposing && state != ports.ChatRecording && state != ports.ChatPaused {
		if act.Kind == webhook.ActDelay && state == "" {
			sleep(ctx, wait)
			return nil
		}
		return fmt.Errorf("unknown presence state %q", state)
	}
	chatJID, err := r.target(act)
	if err != nil {
		return err
	}
	if err := r.transport.SetChatPresence(ctx, r.d.SessionID, chatJID, state); err != nil {
		return err
	}
	if act.Kind == webhook.ActPresence || state == ports.ChatPaused {
		return nil
	}
	sleep(ctx, wait)
	return r.transport.SetChatPresence(ctx, r.d.SessionID, chatJID, ports.ChatPaused)
}

// accountState covers star, unstar, delete (for me) and read.
func (r *run) accountState(ctx context.Context, act webhook.Action) error {
	if act.Kind == webhook.ActRead {
		keys := []any{act.Fields["key"]}
		if list, ok := act.Fields["keys"].([]any); ok {
			keys = list
		}
		for _, k := range keys {
			ref, err := reference(k)
			if err != nil {
				return err
			}
			if err := r.transport.MarkRead(ctx, r.d.SessionID, ref.Chat, ref.Sender, []string{ref.ID}, r.clock.Now()); err != nil {
				return err
			}
		}
		return nil
	}
	ref, err := reference(act.Fields["key"])
	if err != nil {
		return err
	}
	change := map[webhook.ActionKind]ports.MessageChange{webhook.ActStar: ports.MessageStar,
		webhook.ActUnstar: ports.MessageUnstar, webhook.ActDelete: ports.MessageDeleteForMe}[act.Kind]
	return r.transport.ChangeMessage(ctx, r.d.SessionID, ref, change)
}

func (r *run) target(act webhook.Action) (chat.JID, error) {
	to := act.String("to", "jid")
	if to == "" {
		to = r.chat
	}
	return r.addresses.Normalize(to)
}

// failed records an action that could not run; it never stops the others.
func (r *run) failed(ctx context.Context, act webhook.Action, err error) {
	r.log.WarnContext(ctx, "webhook response action failed", "delivery", r.d.ID, "path", act.Path, "action", act.Kind, "err", err)
	data := event.ActionFailed{DeliveryID: r.d.ID, EventID: r.d.EventID, Path: act.Path,
		Action: string(act.Kind), Error: err.Error()}
	if rerr := eventlog.Append(context.WithoutCancel(ctx), r.store, r.clock, event.WebhookActionFailed, r.d.SessionID, data); rerr != nil {
		r.log.ErrorContext(ctx, "could not record a failed webhook action", "delivery", r.d.ID, "err", rerr)
	}
}

func firstField(act webhook.Action, names ...string) any {
	for _, n := range names {
		if v, ok := act.Fields[n]; ok {
			return v
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

var errNoKey = errors.New("a message key {remoteJid, id, fromMe, participant} is required")

// reference reads a WhatsApp Web message key.
func reference(v any) (message.Reference, error) {
	k, ok := v.(map[string]any)
	if !ok {
		return message.Reference{}, errNoKey
	}
	id := webhook.Stringify(k["id"])
	remote, err := chat.ParseJID(webhook.Stringify(k["remoteJid"]))
	if id == "" || err != nil {
		return message.Reference{}, errNoKey
	}
	ref := message.Reference{Chat: remote, ID: id, FromMe: webhook.Truthy(k["fromMe"])}
	if p := webhook.Stringify(k["participant"]); p != "" {
		if ref.Sender, err = chat.ParseJID(p); err != nil {
			return message.Reference{}, err
		}
	}
	return ref, nil
}
