package reaction

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// DefaultSubscriptionID names the server-wide target (WEBHOOK_DEFAULT_URL), used
// for sessions without a subscription of their own.
const DefaultSubscriptionID = "default"

// WebhookConfig holds the global webhook settings.
type WebhookConfig struct {
	DefaultURL    string
	DefaultSecret string
	Algorithm     webhook.Algorithm
	Timeout       time.Duration
	Policy        webhook.Policy
	Workers       int
	Lease         time.Duration // how long a claimed delivery is ours; longer than Timeout
	DisableAfter  int           // consecutive undeliverable events before a subscription is disabled
}

// Webhooks turns published events into persisted deliveries, one per subscription
// that wants the event, and performs them on a persisted schedule: a restart or a
// receiver outage loses nothing, each receiver gets a session's events in order, and
// several nodes never attempt the same delivery at once.
type Webhooks struct {
	cfg     WebhookConfig
	store   ports.Store
	sender  ports.WebhookSender
	clock   ports.Clock
	ids     ports.IDs
	hub     *notify.Hub
	log     *slog.Logger
	actions *Actions
	breaker *webhook.Breaker
	running sync.WaitGroup // response actions in flight
	Poll    time.Duration
}

func NewWebhooks(cfg WebhookConfig, store ports.Store, sender ports.WebhookSender, clock ports.Clock, ids ports.IDs,
	hub *notify.Hub, log *slog.Logger, actions *Actions) *Webhooks {
	if cfg.Workers < 1 {
		cfg.Workers = 4
	}
	if cfg.Lease <= cfg.Timeout {
		cfg.Lease = cfg.Timeout + 30*time.Second
	}
	return &Webhooks{cfg: cfg, store: store, sender: sender, clock: clock, ids: ids, hub: hub, log: log,
		actions: actions, breaker: webhook.DefaultBreaker(), Poll: 250 * time.Millisecond}
}

// Schedule is the event handler: it stores one delivery per interested subscription.
// Re-publishing the same event is harmless: (event, subscription, url) is unique.
func (w *Webhooks) Schedule(ctx context.Context, e event.Envelope) error {
	subs, err := w.store.Subscriptions().ListBySession(ctx, e.SessionID)
	if err != nil {
		return err
	}
	var targets []webhook.Subscription
	anyEnabled := false
	for _, s := range subs {
		anyEnabled = anyEnabled || s.Enabled
		if s.Wants(string(e.Type)) {
			targets = append(targets, s)
		}
	}
	if !anyEnabled && w.cfg.DefaultURL != "" {
		targets = append(targets, webhook.Subscription{ID: DefaultSubscriptionID, URL: w.cfg.DefaultURL})
	}
	for _, t := range targets {
		d := webhook.NewDelivery(w.ids.NewID(), e.ID, e.SessionID, t.ID, t.URL, w.clock.Now())
		if err := w.store.Deliveries().Create(ctx, d); err != nil && !fault.Is(err, fault.KindConflict) {
			return err
		}
	}
	if len(targets) > 0 {
		w.hub.Webhooks.Poke()
	}
	return nil
}

// Run delivers due webhooks until ctx ends, then waits for running actions.
func (w *Webhooks) Run(ctx context.Context) {
	loop(ctx, w.Poll, w.hub.Webhooks.C(), w.Once)
	w.running.Wait()
}

// Once claims a batch of due deliveries and attempts them, a few at a time.
func (w *Webhooks) Once(ctx context.Context) bool {
	batch := w.cfg.Workers * 8
	due, err := w.store.Deliveries().ClaimDue(ctx, w.clock.Now(), w.cfg.Lease, batch)
	if err != nil {
		if ctx.Err() == nil { // a shutdown is not an error
			w.log.ErrorContext(ctx, "webhooks: claim due deliveries", "err", err)
		}
		return false
	}
	sem := make(chan struct{}, w.cfg.Workers)
	var wg sync.WaitGroup
	for _, d := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			w.attempt(ctx, d)
		}()
	}
	wg.Wait()
	// Claim again at once while there was work: a claim takes only the head of each
	// session's line, so a busy session's next delivery is due right now.
	return len(due) > 0
}

// target is a delivery's subscription; the default one lives in the config.
func (w *Webhooks) target(ctx context.Context, d webhook.Delivery) (webhook.Subscription, error) {
	if d.SubscriptionID == DefaultSubscriptionID {
		return webhook.Subscription{ID: DefaultSubscriptionID, URL: w.cfg.DefaultURL, Secret: w.cfg.DefaultSecret,
			Mode: webhook.ModeWAREST, Enabled: true}, nil
	}
	return w.store.Subscriptions().Get(ctx, d.SubscriptionID)
}

func (w *Webhooks) attempt(ctx context.Context, d webhook.Delivery) {
	now := w.clock.Now()
	sub, err := w.target(ctx, d)
	switch {
	case fault.Is(err, fault.KindNotFound):
		w.finish(ctx, d, "subscription removed")
		return
	case err != nil:
		w.log.ErrorContext(ctx, "webhooks: load subscription", "delivery", d.ID, "err", err)
		return // the lease runs out and the delivery is claimed again
	case !sub.Enabled:
		w.finish(ctx, d, "subscription disabled")
		return
	}
	if ok, until := w.breaker.Allow(d.URL, now); !ok {
		d.Defer(until, now)
		w.save(ctx, d)
		return
	}
	req, err := w.request(ctx, d, sub)
	if err != nil {
		w.finish(ctx, d, err.Error()) // nothing to send: retrying cannot help
		return
	}
	resp, err := w.sender.Send(ctx, ports.WebhookRequest{URL: d.URL, Body: req.Body, Headers: req.Headers, Timeout: w.cfg.Timeout})
	if err != nil && ctx.Err() != nil {
		// Shutting down cut the attempt short: it says nothing about the receiver.
		// Release the claim as it was, so the next process need not wait out the lease.
		w.save(ctx, d)
		return
	}
	out := webhook.Outcome{HTTPStatus: resp.Status, Err: err}
	w.cfg.Policy.Record(&d, out, w.clock.Now())
	w.breaker.Record(d.URL, out, w.clock.Now())
	w.save(ctx, d)
	switch d.Status {
	case webhook.DeliveryDelivered:
		w.delivered(ctx, sub)
		if w.actions != nil && len(resp.Body) > 0 {
			w.running.Add(1)
			go func() {
				defer w.running.Done()
				w.actions.Run(context.WithoutCancel(ctx), d, req.Body, resp.Body)
			}()
		}
	case webhook.DeliveryDead:
		w.log.WarnContext(ctx, "webhook delivery gave up", "delivery", d.ID, "event", d.EventID, "attempts", d.Attempts, "status", out.HTTPStatus, "err", out.Err)
		w.undeliverable(ctx, sub, d)
	default:
		w.log.InfoContext(ctx, "webhook delivery will be retried", "delivery", d.ID, "attempt", d.Attempts, "status", out.HTTPStatus, "err", out.Err, "next", d.NextAttemptAt)
	}
}

// finish gives a delivery up without attempting it.
func (w *Webhooks) finish(ctx context.Context, d webhook.Delivery, reason string) {
	d.Status, d.LastError, d.UpdatedAt = webhook.DeliveryDead, reason, w.clock.Now()
	w.save(ctx, d)
}

// save records an attempt's result even while shutting down: a result left unsaved
// keeps the delivery claimed until its lease runs out.
func (w *Webhooks) save(ctx context.Context, d webhook.Delivery) {
	if err := w.store.Deliveries().Save(context.WithoutCancel(ctx), d); err != nil {
		w.log.ErrorContext(ctx, "webhooks: save delivery", "delivery", d.ID, "err", err)
	}
}

func (w *Webhooks) delivered(ctx context.Context, sub webhook.Subscription) {
	if sub.ID == DefaultSubscriptionID || sub.Failures == 0 {
		return
	}
	_, err := w.store.Subscriptions().Update(ctx, sub.ID, func(s *webhook.Subscription) error {
		s.Delivered(w.clock.Now())
		return nil
	})
	if err != nil && !fault.Is(err, fault.KindNotFound) {
		w.log.ErrorContext(ctx, "webhooks: reset failures", "subscription", sub.ID, "err", err)
	}
}

// undeliverable counts a failed event against its subscription, disabling it (and
// recording webhook_disabled) after DisableAfter in a row.
func (w *Webhooks) undeliverable(ctx context.Context, sub webhook.Subscription, d webhook.Delivery) {
	if sub.ID == DefaultSubscriptionID {
		return
	}
	reason := d.LastError
	if d.LastStatus != 0 {
		reason = fmt.Sprintf("HTTP %d", d.LastStatus)
	}
	err := w.store.InTx(ctx, func(r ports.Repositories) error {
		disabled := false
		s, err := r.Subscriptions().Update(ctx, sub.ID, func(s *webhook.Subscription) error {
			disabled = s.Undeliverable(w.cfg.DisableAfter, reason, w.clock.Now())
			return nil
		})
		if err != nil || !disabled {
			return err
		}
		return appendEvent(ctx, r, event.WebhookDisabled, d.SessionID, w.clock, event.WebhookDisabledData{ID: d.SessionID,
			SubscriptionID: s.ID, URL: s.URL, Failures: s.Failures, Reason: reason})
	})
	if err != nil && !fault.Is(err, fault.KindNotFound) {
		w.log.ErrorContext(ctx, "webhooks: count failure", "subscription", sub.ID, "err", err)
	}
	w.hub.Outbox.Poke()
}

// request signs the delivery for its subscription: WAREST's or Standard Webhooks'
// scheme, with both secrets while a rotation overlaps.
func (w *Webhooks) request(ctx context.Context, d webhook.Delivery, sub webhook.Subscription) (webhook.Request, error) {
	e, err := w.store.Events().Get(ctx, d.EventID)
	if err != nil {
		return webhook.Request{}, err
	}
	info := webhook.SessionInfo{ID: d.SessionID, Label: d.SessionID}
	sess, err := w.store.Sessions().Get(ctx, d.SessionID)
	switch {
	case err == nil:
		info.Registry = sess.Owner()
		if u, err := w.store.Users().GetByRegistry(ctx, sess.Owner()); err == nil {
			info.Username = u.Username
		}
	case !fault.Is(err, fault.KindNotFound):
		return webhook.Request{}, err
	}
	alg := sub.Algorithm
	if alg == 0 {
		alg = w.cfg.Algorithm
	}
	keys := webhook.Keys(sub.Mode, sub.Secrets(w.clock.Now()), info.Username)
	return webhook.Build(webhook.Signing{Mode: sub.Mode, Algorithm: alg, Keys: keys}, webhook.Envelope{
		Event: string(e.Type), EventID: e.ID, Data: e.Payload, SessionID: e.SessionID,
		At: e.OccurredAt, SentAt: w.clock.Now(), Session: info, Attempt: d.Attempts + 1,
	})
}
