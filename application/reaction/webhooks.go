package reaction

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// WebhookConfig holds the global webhook settings.
type WebhookConfig struct {
	DefaultURL    string
	DefaultSecret string
	Algorithm     webhook.Algorithm
	Timeout       time.Duration
	Policy        webhook.Policy
	Workers       int
}

// Webhooks turns published events into persisted deliveries and performs them on a
// persisted schedule, so a restart or a receiver outage loses nothing.
type Webhooks struct {
	cfg    WebhookConfig
	store  ports.Store
	sender ports.WebhookSender
	clock  ports.Clock
	ids    ports.IDs
	hub    *notify.Hub
	log    *slog.Logger
	Poll   time.Duration
}

func NewWebhooks(cfg WebhookConfig, store ports.Store, sender ports.WebhookSender, clock ports.Clock, ids ports.IDs, hub *notify.Hub, log *slog.Logger) *Webhooks {
	if cfg.Workers < 1 {
		cfg.Workers = 4
	}
	return &Webhooks{cfg: cfg, store: store, sender: sender, clock: clock, ids: ids, hub: hub, log: log, Poll: 250 * time.Millisecond}
}

// Schedule is the event handler: it stores a delivery for the event's target.
// Re-publishing the same event is harmless: the (event, url) pair is unique.
func (w *Webhooks) Schedule(ctx context.Context, e event.Envelope) error {
	url := w.cfg.DefaultURL
	sess, err := w.store.Sessions().Get(ctx, e.SessionID)
	switch {
	case err == nil && sess.Webhook().URL != "":
		url = sess.Webhook().URL
	case err != nil && !fault.Is(err, fault.KindNotFound):
		return err
	}
	if url == "" {
		return nil
	}
	d := webhook.NewDelivery(w.ids.NewID(), e.ID, e.SessionID, "", url, w.clock.Now())
	if err := w.store.Deliveries().Create(ctx, d); err != nil && !fault.Is(err, fault.KindConflict) {
		return err
	}
	w.hub.Webhooks.Poke()
	return nil
}

// Run delivers due webhooks until ctx ends.
func (w *Webhooks) Run(ctx context.Context) {
	loop(ctx, w.Poll, w.hub.Webhooks.C(), w.Once)
}

// Once performs one batch of due deliveries, a few at a time.
func (w *Webhooks) Once(ctx context.Context) bool {
	batch := w.cfg.Workers * 8
	due, err := w.store.Deliveries().ClaimDue(ctx, w.clock.Now(), 30*time.Second, batch)
	if err != nil {
		w.log.ErrorContext(ctx, "webhooks: list due", "err", err)
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
	return len(due) == batch
}

func (w *Webhooks) attempt(ctx context.Context, d webhook.Delivery) {
	req, err := w.request(ctx, d)
	var out webhook.Outcome
	if err != nil {
		// Nothing to send (event gone, body unbuildable): retrying cannot help.
		out = webhook.Outcome{HTTPStatus: 0, Err: err}
		d.Attempts = w.cfg.Policy.MaxAttempts
	} else {
		status, err := w.sender.Send(ctx, ports.WebhookRequest{URL: d.URL, Body: req.Body, Headers: req.Headers, Timeout: w.cfg.Timeout})
		out = webhook.Outcome{HTTPStatus: status, Err: err}
	}
	w.cfg.Policy.Record(&d, out, w.clock.Now())
	if d.Status != webhook.DeliveryDelivered {
		w.log.WarnContext(ctx, "webhook delivery failed", "delivery", d.ID, "event", d.EventID, "attempt", d.Attempts, "status", out.HTTPStatus, "err", out.Err, "state", d.Status)
	}
	if err := w.store.Deliveries().Save(ctx, d); err != nil {
		w.log.ErrorContext(ctx, "webhooks: save delivery", "delivery", d.ID, "err", err)
	}
}

// request signs the delivery with the secret that goes with its URL.
func (w *Webhooks) request(ctx context.Context, d webhook.Delivery) (webhook.Request, error) {
	e, err := w.store.Events().Get(ctx, d.EventID)
	if err != nil {
		return webhook.Request{}, err
	}
	info := webhook.SessionInfo{ID: d.SessionID, Label: d.SessionID}
	secret := w.cfg.DefaultSecret
	sess, err := w.store.Sessions().Get(ctx, d.SessionID)
	switch {
	case err == nil:
		info.Registry = sess.Owner()
		if wh := sess.Webhook(); wh.URL == d.URL && wh.Secret != "" {
			secret = wh.Secret
		}
		info.Username = w.username(ctx, sess)
	case !fault.Is(err, fault.KindNotFound):
		return webhook.Request{}, err
	}
	return webhook.Build(webhook.Signing{Mode: webhook.ModeWAREST, Algorithm: w.cfg.Algorithm, Keys: [][]byte{webhook.SigningKey(secret, info.Username)}}, webhook.Envelope{
		Event: string(e.Type), EventID: e.ID, Data: e.Payload, SessionID: e.SessionID,
		At: e.OccurredAt, Session: info, Attempt: d.Attempts + 1,
	})
}

func (w *Webhooks) username(ctx context.Context, sess *session.Session) string {
	u, err := w.store.Users().GetByRegistry(ctx, sess.Owner())
	if err != nil {
		return ""
	}
	return u.Username
}
