package worker

import (
	"context"
	"fmt"
	"github.com/warest-go/warest/application/eventlog"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// DefaultSubscriptionID names the server-wide target (WEBHOOK_DEFAULT_URL), used
// for sessions without a subscription of their own.
const DefaultSubscriptionID = "default"

// claimPerLine bounds the deliveries of one receiver's line a claim takes: a
// backlog drains at one claim per run rather than per delivery, and a run stays
// short enough to be sent within its lease.
const claimPerLine = 32

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
	// PrivateTargets says whose receivers may be on loopback and private networks;
	// the default target is the operator's, so it has an admin's reach. application.New
	// sets it from the commands' setting.
	PrivateTargets netpolicy.PrivateTargets
}

// Webhooks turns published events into persisted deliveries, one per subscription
// that wants the event, and performs them on a persisted schedule: a restart or a
// receiver outage loses nothing, each receiver gets a session's events in order, and
// several nodes never attempt the same delivery at once.
type Webhooks struct {
	cfg     WebhookConfig
	store   ports.Store
	clock   ports.Clock
	ids     ports.IDs
	wake    *notify.Signal // deliveries due
	log     *slog.Logger
	lines   *lineSender
	queue   chan lineRun   // claimed lines waiting for a worker
	claimed atomic.Int64   // lines queued or being sent
	freed   *notify.Signal // a worker finished a line
	mirror  *Mirror        // nil: received media is not mirrored
	Poll    time.Duration
}

// lineSender attempts the deliveries of a claimed line, in order.
type lineSender struct {
	cfg     WebhookConfig
	store   ports.Store
	clock   ports.Clock
	log     *slog.Logger
	actions ResponseActions
	// requests builds what is sent, attempts sends it, standing keeps each
	// subscription's record.
	requests *requests
	attempts *attempter
	standing *standing
	running  sync.WaitGroup // response actions in flight
}

// UseMirror has message_received deliveries carry mirrored media (see Mirror).
func (w *Webhooks) UseMirror(m *Mirror) { w.mirror, w.lines.requests.mirror = m, m }

// ResponseActions runs what a receiver's answer asks for (webhookaction.Actions); nil:
// answers are ignored.
type ResponseActions interface {
	Run(ctx context.Context, d webhook.Delivery, delivered, answer []byte) bool
}

// requests builds a delivery's signed request for its subscription.
type requests struct {
	cfg    WebhookConfig
	store  ports.Store
	render ports.EventRenderer
	clock  ports.Clock
	mirror *Mirror // nil: none
}

// standing counts a subscription's delivered and undeliverable events, disabling
// it after too many failures in a row.
type standing struct {
	cfg    WebhookConfig
	store  ports.Store
	clock  ports.Clock
	outbox wakeup // events to relay
	log    *slog.Logger
}

// wakeup wakes a background worker (notify.Signal).
type wakeup interface{ Poke() }

// lineRun is a line's claimed deliveries, in order, and the end of their lease.
type lineRun struct {
	deliveries []webhook.Delivery
	leased     time.Time
}

func NewWebhooks(cfg WebhookConfig, store ports.Store, sender ports.WebhookSender, render ports.EventRenderer, clock ports.Clock, ids ports.IDs,
	hub *notify.Hub, log *slog.Logger, actions ResponseActions) *Webhooks {
	if cfg.Workers < 1 {
		cfg.Workers = 4
	}
	if cfg.Lease <= cfg.Timeout {
		cfg.Lease = cfg.Timeout + 30*time.Second
	}
	lines := &lineSender{cfg: cfg, store: store, clock: clock, log: log,
		actions: actions, requests: &requests{cfg: cfg, store: store, render: render, clock: clock},
		attempts: &attempter{timeout: cfg.Timeout, sender: sender, breaker: webhook.DefaultBreaker(),
			metrics: ports.NoMetrics{}, tracer: ports.NoTracer{}},
		standing: &standing{cfg: cfg, store: store, clock: clock, outbox: hub.Outbox, log: log}}
	return &Webhooks{cfg: cfg, store: store, clock: clock, ids: ids, wake: hub.Webhooks, log: log, lines: lines,
		queue: make(chan lineRun, cfg.Workers*8), freed: notify.NewSignal(), Poll: 250 * time.Millisecond}
}

// Observe has the deliveries counted and traced; call it before Run.
func (w *Webhooks) Observe(m ports.Metrics, t ports.Tracer) {
	w.lines.attempts.metrics, w.lines.attempts.tracer = m, t
}

// Schedule is the event handler: it stores one delivery per interested subscription.
// Re-publishing the same event is harmless: (event, subscription, url) is unique.
func (w *Webhooks) Schedule(ctx context.Context, e event.Envelope) error {
	subs, err := w.store.Subscriptions().ListBySession(ctx, e.SessionID)
	if err != nil {
		return err
	}
	targets := w.targets(subs, e)
	for _, t := range targets {
		d := webhook.NewDelivery(w.ids.NewID(), e.ID, e.SessionID, t.ID, t.URL, w.clock.Now())
		err := w.store.Deliveries().Create(ctx, d)
		switch {
		case fault.Is(err, fault.KindNotFound):
			// The session was deleted since, and the event with it: nothing to deliver.
			w.log.InfoContext(ctx, "webhooks: event gone with its session", "event", e.ID, "session", e.SessionID)
			return nil
		case err != nil && !fault.Is(err, fault.KindConflict):
			return err
		}
	}
	if len(targets) > 0 {
		if w.mirror != nil {
			w.mirror.Start(e)
		}
		w.wake.Poke()
	}
	return nil
}

// ScheduleAll is the batch handler: it schedules events as Schedule does each, in
// one transaction, reading each session's subscriptions once. An event gone with its
// session fails the batch, for Schedule to pass it over.
func (w *Webhooks) ScheduleAll(ctx context.Context, events []event.Envelope) error {
	subs := map[string][]webhook.Subscription{}
	var deliveries []webhook.Delivery
	var wanted []event.Envelope
	for _, e := range events {
		s, ok := subs[e.SessionID]
		if !ok {
			var err error
			if s, err = w.store.Subscriptions().ListBySession(ctx, e.SessionID); err != nil {
				return err
			}
			subs[e.SessionID] = s
		}
		targets := w.targets(s, e)
		for _, t := range targets {
			deliveries = append(deliveries, webhook.NewDelivery(w.ids.NewID(), e.ID, e.SessionID, t.ID, t.URL, w.clock.Now()))
		}
		if len(targets) > 0 {
			wanted = append(wanted, e)
		}
	}
	if len(deliveries) == 0 {
		return nil
	}
	if err := w.store.Deliveries().CreateMany(ctx, deliveries); err != nil {
		return err
	}
	if w.mirror != nil {
		for _, e := range wanted {
			w.mirror.Start(e)
		}
	}
	w.wake.Poke()
	return nil
}

// targets are the subscriptions, of subs (its session's), that want e; the default
// target when the session has none enabled.
func (w *Webhooks) targets(subs []webhook.Subscription, e event.Envelope) []webhook.Subscription {
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
	return targets
}

// Run delivers due webhooks until ctx ends, then releases the lines it claimed but
// did not start (the next process need not wait out their lease) and waits for
// running actions. While lines are being sent, a new delivery waits for one of them
// to finish (or the poll) rather than claiming at once: it is mostly for a busy line,
// which takes it with the rest of its run next time, and a claim per delivery would
// contend with the sends for the database.
func (w *Webhooks) Run(ctx context.Context) {
	var workers sync.WaitGroup
	for range w.cfg.Workers {
		workers.Go(func() { w.work(ctx) })
	}
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		for w.Once(ctx) && ctx.Err() == nil {
		}
		scheduled := w.wake.C()
		if w.claimed.Load() > 0 {
			scheduled = nil
		}
		select {
		case <-ctx.Done():
		case <-scheduled:
		case <-w.freed.C():
		case <-t.C:
		}
	}
	workers.Wait()
	for len(w.queue) > 0 {
		w.lines.send(ctx, <-w.queue) // ctx is done: releases them all
		w.claimed.Add(-1)
	}
	w.lines.running.Wait()
}

// work sends queued lines, one at a time, until ctx ends.
func (w *Webhooks) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-w.queue:
			w.lines.send(ctx, r)
			w.claimed.Add(-1)
			w.freed.Poke()
		}
	}
}

// Once claims a batch of due lines once the workers have taken every queued one and
// one of them is idle, and queues them. Only Run calls it.
func (w *Webhooks) Once(ctx context.Context) bool {
	if len(w.queue) > 0 || w.claimed.Load() >= int64(w.cfg.Workers) {
		return false
	}
	now := w.clock.Now()
	due, err := w.store.Deliveries().ClaimDue(ctx, now, w.cfg.Lease, cap(w.queue), claimPerLine)
	if err != nil {
		if ctx.Err() == nil { // a shutdown is not an error
			w.log.ErrorContext(ctx, "webhooks: claim due deliveries", "err", err)
		}
		return false
	}
	lines := byLine(due)
	for _, line := range lines {
		w.claimed.Add(1)
		w.queue <- lineRun{deliveries: line, leased: now.Add(w.cfg.Lease)}
	}
	// A full batch: more may be due.
	return len(lines) == cap(w.queue)
}

// byLine splits a claim into its lines, each in creation order.
func byLine(due []webhook.Delivery) [][]webhook.Delivery {
	type key struct{ sessionID, subscriptionID, url string }
	at := map[key]int{}
	var lines [][]webhook.Delivery
	for _, d := range due {
		k := key{d.SessionID, d.SubscriptionID, d.URL}
		i, ok := at[k]
		if !ok {
			i = len(lines)
			at[k] = i
			lines = append(lines, nil)
		}
		lines[i] = append(lines[i], d)
	}
	return lines
}

// send attempts a line's deliveries one after another. One left pending (to be
// retried, deferred or cut short) stops the line for this round, and so does a lease
// too short for another attempt: the rest are released unattempted, keeping them in
// order behind it and never sending one another node may have claimed.
func (w *lineSender) send(ctx context.Context, r lineRun) {
	release := func(rest []webhook.Delivery) {
		for _, d := range rest {
			w.save(ctx, d)
		}
	}
	line := r.deliveries
	to := recipient{events: w.requests.events(ctx, line)}
	defer w.flush(ctx, &to.delivered)
	for i, d := range line {
		if ctx.Err() != nil || w.clock.Now().Add(w.cfg.Timeout).After(r.leased) {
			release(line[i:])
			return
		}
		if !w.attempt(ctx, d, &to) {
			release(line[i+1:])
			return
		}
	}
}

// unsaved are a run's delivered attempts, saved together when the run ends: a
// commit per delivery cost more than the delivery. They stay claimed until then, so
// their line waits behind them, and a crash before the save sends them again (at
// least once). Their response actions start once they are saved.
type unsaved struct {
	deliveries []webhook.Delivery
	actions    []func()
}

// flush saves u at once, or one by one when that fails (a delivery
// gone with its session fails them all), stopping at the first that cannot be
// saved: the rest stay claimed and are sent again after it, in order.
func (w *lineSender) flush(ctx context.Context, u *unsaved) {
	if len(u.deliveries) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx) // results are saved even while shutting down
	if err := w.store.Deliveries().SaveMany(ctx, u.deliveries); err != nil {
		for _, d := range u.deliveries {
			if err := w.store.Deliveries().Save(ctx, d); err != nil && !fault.Is(err, fault.KindNotFound) {
				w.log.ErrorContext(ctx, "webhooks: save delivery", "delivery", d.ID, "err", err)
				break
			}
		}
	}
	for _, run := range u.actions {
		run()
	}
	*u = unsaved{}
}

// recipient keeps what a line's deliveries share, loaded by its first attempt: the
// subscription, the session's identity and how far its receivers may be; and the
// run's delivered attempts, until they are saved. A run is brief, and one that
// writes the subscription (counting a failure or a success after failures) forgets it.
type recipient struct {
	sub       *webhook.Subscription
	session   *webhook.SessionInfo
	reach     netpolicy.Reach
	events    map[string]event.Envelope // the run's, read at once; one missing is read alone
	delivered unsaved
}

// events reads the events of a run's deliveries in one query; on failure none, and
// each attempt reads its own.
func (w *requests) events(ctx context.Context, line []webhook.Delivery) map[string]event.Envelope {
	ids := make([]string, len(line))
	for i, d := range line {
		ids[i] = d.EventID
	}
	events, err := w.store.Events().GetMany(ctx, ids)
	if err != nil {
		return nil
	}
	byID := make(map[string]event.Envelope, len(events))
	for _, e := range events {
		byID[e.ID] = e
	}
	return byID
}

// target is a delivery's subscription; the default one lives in the config.
func (w *requests) target(ctx context.Context, d webhook.Delivery, to *recipient) (webhook.Subscription, error) {
	if to.sub != nil {
		return *to.sub, nil
	}
	if d.SubscriptionID == DefaultSubscriptionID {
		return webhook.Subscription{ID: DefaultSubscriptionID, URL: w.cfg.DefaultURL, Secret: w.cfg.DefaultSecret,
			Mode: webhook.ModeWAREST, Enabled: true}, nil
	}
	sub, err := w.store.Subscriptions().Get(ctx, d.SubscriptionID)
	if err == nil {
		to.sub = &sub
	}
	return sub, err
}

// attempt sends d, or gives it up, and reports whether its line may go on: d is
// saved and no longer pending.
func (w *lineSender) attempt(ctx context.Context, d webhook.Delivery, to *recipient) bool {
	now := w.clock.Now()
	sub, err := w.requests.target(ctx, d, to)
	switch {
	case fault.Is(err, fault.KindNotFound):
		return w.finish(ctx, d, "subscription removed")
	case err != nil:
		w.log.ErrorContext(ctx, "webhooks: load subscription", "delivery", d.ID, "err", err)
		return false // the lease runs out and the delivery is claimed again
	case !sub.Enabled:
		return w.finish(ctx, d, "subscription disabled")
	}
	if !w.attempts.allow(&d, now) {
		w.save(ctx, d)
		return false
	}
	req, err := w.requests.request(ctx, d, sub, to)
	if err != nil {
		return w.finish(ctx, d, err.Error()) // nothing to send: retrying cannot help
	}
	reach := to.reach
	if sub.ID == DefaultSubscriptionID {
		reach = w.cfg.PrivateTargets.Reach(true)
	}
	resp, err := w.attempts.send(ctx, d, req, reach)
	if err != nil && ctx.Err() != nil {
		// Shutting down cut the attempt short: it says nothing about the receiver.
		// Release the claim as it was, so the next process need not wait out the lease.
		w.save(ctx, d)
		return false
	}
	out := webhook.Outcome{HTTPStatus: resp.Status, Err: err}
	w.cfg.Policy.Record(&d, out, w.clock.Now())
	w.attempts.record(d.URL, out, w.clock.Now())
	if d.Status == webhook.DeliveryDead {
		// Counted before the result frees the line: the line's next event must see the
		// subscription this failure disables, or it would be attempted once too often.
		w.standing.undeliverable(ctx, sub, d)
	}
	saved := true
	if d.Status == webhook.DeliveryDelivered {
		to.delivered.deliveries = append(to.delivered.deliveries, d)
	} else {
		saved = w.save(ctx, d)
	}
	w.attempts.count(d, w.clock.Now())
	switch d.Status {
	case webhook.DeliveryDelivered:
		if sub.Failures > 0 {
			to.sub = nil
		}
		w.standing.delivered(ctx, sub)
		if w.actions != nil && len(resp.Body) > 0 {
			w.running.Add(1)
			to.delivered.actions = append(to.delivered.actions, func() {
				go func() {
					defer w.running.Done()
					w.actions.Run(context.WithoutCancel(ctx), d, req.Body, resp.Body)
				}()
			})
		}
	case webhook.DeliveryDead:
		to.sub = nil
		w.log.WarnContext(ctx, "webhook delivery gave up", "delivery", d.ID, "event", d.EventID, "attempts", d.Attempts, "status", out.HTTPStatus, "err", out.Err)
	default:
		w.log.InfoContext(ctx, "webhook delivery will be retried", "delivery", d.ID, "attempt", d.Attempts, "status", out.HTTPStatus, "err", out.Err, "next", d.NextAttemptAt)
	}
	return saved && d.Status != webhook.DeliveryPending
}

// finish gives a delivery up without attempting it; it reports whether that was saved.
func (w *lineSender) finish(ctx context.Context, d webhook.Delivery, reason string) bool {
	d.Status, d.LastError, d.UpdatedAt = webhook.DeliveryDead, reason, w.clock.Now()
	return w.save(ctx, d)
}

// save records an attempt's result even while shutting down: a result left unsaved
// keeps the delivery claimed until its lease runs out, and its line stops there.
func (w *lineSender) save(ctx context.Context, d webhook.Delivery) bool {
	if err := w.store.Deliveries().Save(context.WithoutCancel(ctx), d); err != nil {
		w.log.ErrorContext(ctx, "webhooks: save delivery", "delivery", d.ID, "err", err)
		return false
	}
	return true
}

func (w *standing) delivered(ctx context.Context, sub webhook.Subscription) {
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
func (w *standing) undeliverable(ctx context.Context, sub webhook.Subscription, d webhook.Delivery) {
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
		return eventlog.Append(ctx, r, w.clock, event.WebhookDisabled, d.SessionID, event.SubscriptionDisabled{
			SubscriptionID: s.ID, URL: s.URL, Failures: s.Failures, Reason: reason})
	})
	if err != nil && !fault.Is(err, fault.KindNotFound) {
		w.log.ErrorContext(ctx, "webhooks: count failure", "subscription", sub.ID, "err", err)
	}
	w.outbox.Poke()
}

// request signs the delivery for its subscription: WAREST's or Standard Webhooks'
// scheme, with both secrets while a rotation overlaps.
func (w *requests) request(ctx context.Context, d webhook.Delivery, sub webhook.Subscription, to *recipient) (webhook.Request, error) {
	e, ok := to.events[d.EventID]
	if !ok {
		var err error
		if e, err = w.store.Events().Get(ctx, d.EventID); err != nil {
			return webhook.Request{}, err
		}
	}
	if w.mirror != nil {
		e = w.mirror.Attach(ctx, e)
	}
	data, err := w.render.Render(e)
	if err != nil {
		return webhook.Request{}, err
	}
	if to.session == nil {
		info, admin, err := w.sessionInfo(ctx, d.SessionID)
		if err != nil {
			return webhook.Request{}, err
		}
		to.session, to.reach = &info, w.cfg.PrivateTargets.Reach(admin)
	}
	info := *to.session
	alg := sub.Algorithm
	if alg == 0 {
		alg = w.cfg.Algorithm
	}
	keys := webhook.Keys(sub.Mode, sub.Secrets(w.clock.Now()), info.Username)
	return webhook.Build(webhook.Signing{Mode: sub.Mode, Algorithm: alg, Keys: keys}, webhook.Envelope{
		Event: string(e.Type), EventID: e.ID, Data: data, SessionID: e.SessionID,
		At: e.OccurredAt, SentAt: w.clock.Now(), Session: info, Attempt: d.Attempts + 1,
	})
}

// sessionInfo identifies a session and its owner to the receiver, and tells
// whether the owner is an admin.
func (w *requests) sessionInfo(ctx context.Context, sessionID string) (webhook.SessionInfo, bool, error) {
	info := webhook.SessionInfo{ID: sessionID, Label: sessionID}
	admin := false
	sess, err := w.store.Sessions().Get(ctx, sessionID)
	switch {
	case err == nil:
		info.Registry = sess.Owner()
		if u, err := w.store.Users().GetByRegistry(ctx, sess.Owner()); err == nil {
			info.Username, admin = u.Username, u.IsAdmin()
		}
	case !fault.Is(err, fault.KindNotFound):
		return webhook.SessionInfo{}, false, err
	}
	return info, admin, nil
}
