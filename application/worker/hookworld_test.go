package worker_test

// hookWorld is a smaller test world than appworld.World, for the webhook pipeline
// and response actions: any store (memory or SQLite, so a restart can be
// simulated), a programmable webhook sender keyed by request, no recipient cooldown
// unless asked, and actions without the default pause between data actions.

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/application"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/webhookaction"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// hookSender records every request and answers through reply (200 when nil).
type hookSender struct {
	mu    sync.Mutex
	reqs  []ports.WebhookRequest
	reply func(ctx context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error)
}

func (s *hookSender) Send(ctx context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	f := s.reply
	s.mu.Unlock()
	if f == nil {
		return ports.WebhookResponse{Status: http.StatusOK}, nil
	}
	return f(ctx, r)
}

func (s *hookSender) set(f func(ctx context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = f
}

// to returns the requests sent to url ("" for all), in order.
func (s *hookSender) to(url string) []ports.WebhookRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ports.WebhookRequest
	for _, r := range s.reqs {
		if url == "" || r.URL == url {
			out = append(out, r)
		}
	}
	return out
}

// forEvent returns the requests carrying the event id.
func (s *hookSender) forEvent(id string) []ports.WebhookRequest {
	return slices.DeleteFunc(s.to(""), func(r ports.WebhookRequest) bool { return eventIDOf(r) != id })
}

func eventIDOf(r ports.WebhookRequest) string { return r.Headers["X-WAREST-Event-Id"] }

func status(code int) (ports.WebhookResponse, error) { return ports.WebhookResponse{Status: code}, nil }

type hookOpts struct {
	store        ports.Store // nil: a fresh store
	existing     bool        // the store already has the users (a restart)
	policy       webhook.Policy
	disableAfter int
	defaultURL   string
	cooldown     time.Duration // recipient cooldown of command.Send; 0 disables it
	actionLimit  time.Duration // time limit of one answer's actions; 0 keeps the default
	limits       func(*command.Limits)
	fetcher      ports.MediaFetcher // nil: media actions cannot fetch
	blobs        ports.BlobStore
	wrapNet      func(*appworld.Network) ports.Transport
}

type hookWorld struct {
	t       *testing.T
	ctx     context.Context
	store   ports.Store
	net     *appworld.Network
	hub     *notify.Hub
	cmd     *command.Commands
	hooks   *worker.Webhooks
	actions *webhookaction.Actions
	send    *hookSender
	counts  *appworld.Counts  // what the workers reported to their metrics
	spans   *appworld.Spans   // the spans they ended
	user    account.Principal // budi
	other   account.Principal // sari
	stop    func()            // stops the workers and the sandbox; idempotent
}

func newHookWorld(t *testing.T, opt hookOpts) *hookWorld {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &hookWorld{t: t, ctx: context.Background(), send: &hookSender{}, counts: &appworld.Counts{}, spans: &appworld.Spans{}, store: opt.store}
	if w.store == nil {
		w.store = appworld.NewStore(t)
	}
	w.net = appworld.NewNetwork(appworld.NetworkConfig{}, appworld.RealClock{})
	var tr ports.Transport = w.net
	if opt.wrapNet != nil {
		tr = opt.wrapNet(w.net)
	}
	if opt.policy.Base == 0 {
		opt.policy = webhook.Policy{Horizon: time.Hour, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	}
	cfg := command.DefaultConfig
	cfg.QRWait, cfg.PairWait, cfg.SendWait = 3*time.Second, 3*time.Second, 3*time.Second
	cfg.Limits.Cooldown = opt.cooldown
	if opt.limits != nil {
		opt.limits(&cfg.Limits)
	}
	app := application.New(application.Config{Commands: cfg, Webhooks: worker.WebhookConfig{DefaultURL: opt.defaultURL,
		DefaultSecret: "default-secret", Algorithm: webhook.SHA256, Timeout: time.Second, Policy: opt.policy, Workers: 2,
		DisableAfter: opt.disableAfter}},
		application.Deps{Store: w.store, Transport: tr, QR: appworld.FakeQR{}, Sender: w.send, Renderer: appworld.Renderer{}, Clock: appworld.RealClock{},
			IDs: appworld.ULIDs{}, Log: appworld.Discard, Fetcher: opt.fetcher, Blobs: opt.blobs, Metrics: w.counts, Tracer: w.spans})
	w.hub, w.cmd, w.hooks, w.actions = app.Hub, app.Commands, app.Workers.Webhooks, app.Actions
	w.actions.Limits.DefaultDelay = 0
	if opt.actionLimit > 0 {
		w.actions.Timeout = opt.actionLimit
	}
	appworld.Fast(app)
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			cancel()
			app.Stop()
			closeCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
			defer done()
			if err := w.net.Close(closeCtx); err != nil {
				t.Errorf("closing the sandbox: %v", err)
			}
		})
	}
	t.Cleanup(w.stop)

	if opt.existing {
		w.user = w.principal("BUDIBUDIBU")
		w.other = w.principal("SARISARISA")
		return w
	}
	w.user = w.newUser("budi", "BUDIBUDIBU")
	w.other = w.newUser("sari", "SARISARISA")
	return w
}

func (w *hookWorld) newUser(name, registry string) account.Principal {
	w.t.Helper()
	u := account.User{ID: "id-" + name, Username: name, PasswordHash: appworld.PasswordHash(), Role: account.RoleUser, Registry: registry, CreatedAt: time.Now().UTC()}
	if err := w.store.Users().Create(w.ctx, u); err != nil {
		w.t.Fatal(err)
	}
	return account.Principal{User: u}
}

func (w *hookWorld) principal(registry string) account.Principal {
	w.t.Helper()
	u, err := w.store.Users().GetByRegistry(w.ctx, registry)
	if err != nil {
		w.t.Fatal(err)
	}
	return account.Principal{User: u}
}

// open creates a session for p and scans its QR.
func (w *hookWorld) open(p account.Principal, id, phone, pushName string) {
	w.t.Helper()
	if _, err := w.cmd.Sessions.CreateSession(w.ctx, p, id); err != nil {
		w.t.Fatalf("create %s: %v", id, err)
	}
	code, ok := w.net.CurrentQR(id)
	if !ok {
		w.t.Fatalf("sandbox shows no QR for %s", id)
	}
	if err := w.net.Scan(id, code, phone, pushName); err != nil {
		w.t.Fatalf("scan %s: %v", id, err)
	}
	appworld.Eventually(w.t, 5*time.Second, func() bool {
		s, err := w.store.Sessions().Get(w.ctx, id)
		return err == nil && s.Status() == session.StatusOpen
	}, "session %s did not open", id)
}

// subscribe adds a subscription to alice's session for budi.
func (w *hookWorld) subscribe(in command.SubscriptionInput) webhook.Subscription {
	w.t.Helper()
	if in.SessionID == "" {
		in.SessionID = "alice"
	}
	sub, err := w.cmd.Subscriptions.CreateSubscription(w.ctx, w.user, in)
	if err != nil {
		w.t.Fatalf("subscribe %+v: %v", in, err)
	}
	return sub
}

// emit appends an event to the log as the ingest would and wakes the relay. A
// payload that is not typed event data is stored as a legacy row (WAREST data).
func (w *hookWorld) emit(sessionID string, t event.Type, payload any) event.Envelope {
	w.t.Helper()
	return w.emitAt(sessionID, t, time.Now(), payload)
}

func (w *hookWorld) emitAt(sessionID string, t event.Type, at time.Time, payload any) event.Envelope {
	w.t.Helper()
	data, ok := payload.(event.Data)
	if !ok {
		data = appworld.Legacy(w.t, payload)
	}
	e, err := event.New(t, sessionID, at, data)
	if err != nil {
		w.t.Fatal(err)
	}
	if e, err = w.store.Events().Append(w.ctx, e); err != nil {
		w.t.Fatal(err)
	}
	w.hub.Outbox.Poke()
	return e
}

// text emits a message_received event carrying text.
func (w *hookWorld) text(s string) event.Envelope {
	w.t.Helper()
	return w.emit("alice", event.MessageReceived, map[string]any{"id": "alice", "text": s})
}

func (w *hookWorld) deliveries(eventID string) []webhook.Delivery {
	w.t.Helper()
	ds, err := w.store.Deliveries().ListByEvent(w.ctx, eventID)
	if err != nil {
		w.t.Fatal(err)
	}
	return ds
}

// delivery waits until the event's delivery to subscription sub satisfies cond.
func (w *hookWorld) delivery(eventID, sub string, cond func(webhook.Delivery) bool) webhook.Delivery {
	w.t.Helper()
	var last webhook.Delivery
	appworld.Eventually(w.t, 5*time.Second, func() bool {
		for _, d := range w.deliveries(eventID) {
			if d.SubscriptionID == sub {
				last = d
				return cond(d)
			}
		}
		return false
	}, "delivery of %s to %s: last %+v", eventID, sub, &last)
	return last
}

func isStatus(s webhook.DeliveryStatus) func(webhook.Delivery) bool {
	return func(d webhook.Delivery) bool { return d.Status == s }
}

// eventsOf returns the logged events of a session and type ("" for all).
func (w *hookWorld) eventsOf(sessionID string, t event.Type) []event.Envelope {
	w.t.Helper()
	return appworld.SessionEvents(w.t, w.ctx, w.store, sessionID, t)
}

// bodyText is data.text of a delivered WAREST body.
func bodyText(r ports.WebhookRequest) string {
	var b struct {
		Data struct {
			Text string `json:"text"`
		} `json:"data"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Data.Text
}

func httpHeader(m map[string]string) http.Header {
	h := http.Header{}
	for k, v := range m {
		h.Set(k, v)
	}
	return h
}
