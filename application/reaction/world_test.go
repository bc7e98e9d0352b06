package reaction_test

// The test world wires the use cases by hand over the in-memory store and the sandbox
// network, with a recording webhook sender. The same harness lives in each
// application test package (test code cannot be shared without a non-test package,
// and non-test application code may not import adapters).

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/memory"
	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/application/reaction"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

type ulids struct{}

func (ulids) NewID() string { return event.NewID(time.Now()) }

type fakeQR struct{}

func (fakeQR) DataURL(payload string) (string, error) {
	return "data:image/png;base64,QR(" + payload + ")", nil
}

// recordingSender is a ports.WebhookSender that records every request and answers
// from a per-event-type script (then 200).
type recordingSender struct {
	mu     sync.Mutex
	reqs   []ports.WebhookRequest
	script map[string][]int  // X-WAREST-Event → statuses to answer, in order
	netErr map[string]int    // X-WAREST-Event → number of network errors before the script
	answer map[string][]byte // X-WAREST-Event → body of the 2xx answers (response actions)
}

func newSender() *recordingSender {
	return &recordingSender{script: map[string][]int{}, netErr: map[string]int{}, answer: map[string][]byte{}}
}

func (s *recordingSender) Script(eventType string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[eventType] = statuses
}

func (s *recordingSender) Send(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	ev := r.Headers["X-WAREST-Event"]
	if n := s.netErr[ev]; n > 0 {
		s.netErr[ev] = n - 1
		return ports.WebhookResponse{}, errors.New("connection refused")
	}
	status := 200
	if sc := s.script[ev]; len(sc) > 0 {
		s.script[ev] = sc[1:]
		status = sc[0]
	}
	return ports.WebhookResponse{Status: status, Body: s.answer[ev]}, nil
}

// Answer makes 2xx answers to events of eventType carry body (response actions).
func (s *recordingSender) Answer(eventType string, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer[eventType] = []byte(body)
}

// Requests returns the recorded requests whose header h equals v ("" h: all).
func (s *recordingSender) Requests(h, v string) []ports.WebhookRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ports.WebhookRequest
	for _, r := range s.reqs {
		if h == "" || r.Headers[h] == v {
			out = append(out, r)
		}
	}
	return out
}

// schedulingPublisher stands in for the bus: every published event goes straight to
// the webhook scheduler.
type schedulingPublisher struct{ hooks *reaction.Webhooks }

func (p schedulingPublisher) Publish(ctx context.Context, events ...event.Envelope) error {
	for _, e := range events {
		if err := p.hooks.Schedule(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// flakyTransport fails the first `fails` sends (all when fails < 0) and counts calls.
type flakyTransport struct {
	*sandbox.Network
	fails atomic.Int64
	calls atomic.Int64
}

var errNetworkDown = errors.New("sandbox: network down")

func (f *flakyTransport) Send(ctx context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	f.calls.Add(1)
	if n := f.fails.Load(); n != 0 {
		f.fails.Add(-1)
		return ports.SendReceipt{}, errNetworkDown
	}
	return f.Network.Send(ctx, sessionID, m)
}

type options struct {
	wrapStore    func(ports.Store) ports.Store
	wrapNet      func(*sandbox.Network) ports.Transport
	policy       webhook.Policy
	maxAttempts  int
	defaultURL   string
	noUsers      bool // leave the user table empty (SeedAdmin tests)
	disableAfter int  // consecutive failed events before a subscription is disabled
}

type world struct {
	t      *testing.T
	ctx    context.Context
	mem    *memory.Store
	store  ports.Store
	net    *sandbox.Network
	hub    *notify.Hub
	ingest *reaction.Ingest
	cmd    *command.Service
	qry    *query.Service
	hooks  *reaction.Webhooks
	queue  *reaction.SendQueue
	sender *recordingSender
	admin  account.Principal
	user   account.Principal // "budi"
	other  account.Principal // "sari"
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

const (
	userPassword = "budi-password"
	userSecret   = "hook-secret-123"
)

func newWorld(t *testing.T, opt options) *world {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &world{t: t, ctx: ctx, mem: memory.New(), hub: notify.NewHub(), sender: newSender()}
	w.store = w.mem
	if opt.wrapStore != nil {
		w.store = opt.wrapStore(w.mem)
	}
	w.net = sandbox.NewNetwork(sandbox.Config{}, realClock{})
	var tr ports.Transport = w.net
	if opt.wrapNet != nil {
		tr = opt.wrapNet(w.net)
	}
	if opt.policy.MaxAttempts == 0 {
		opt.policy = webhook.Policy{MaxAttempts: 3, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	}
	w.ingest = reaction.NewIngest(w.store, fakeQR{}, realClock{}, w.hub, discard)
	cfg := command.DefaultConfig
	cfg.QRWait, cfg.PairWait, cfg.SendWait = 3*time.Second, 3*time.Second, 3*time.Second
	w.cmd = command.New(cfg, command.Deps{Store: w.store, Transport: tr, Sink: w.ingest, Sender: w.sender,
		Clock: realClock{}, IDs: ulids{}, Hub: w.hub, Log: discard})
	w.qry = query.New(w.store, tr, realClock{})
	w.hooks = reaction.NewWebhooks(reaction.WebhookConfig{DefaultURL: opt.defaultURL, Algorithm: webhook.SHA256,
		Timeout: time.Second, Policy: opt.policy, Workers: 2, DisableAfter: opt.disableAfter}, w.store, w.sender, realClock{}, ulids{}, w.hub, discard,
		reaction.NewActions(w.cmd, tr, w.store, realClock{}, discard, cfg.DefaultCountryCode))
	w.hooks.Poll = 5 * time.Millisecond
	relay := reaction.NewRelay(w.store, schedulingPublisher{w.hooks}, realClock{}, w.hub, discard)
	relay.Poll = 5 * time.Millisecond
	w.queue = reaction.NewSendQueue(w.store, tr, realClock{}, w.hub, discard)
	w.queue.Poll = 5 * time.Millisecond
	if opt.maxAttempts > 0 {
		w.queue.MaxAttempts = opt.maxAttempts
	}
	var wg sync.WaitGroup
	for _, run := range []func(context.Context){relay.Run, w.hooks.Run, w.queue.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); run(ctx) }()
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		closeCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		if err := w.net.Close(closeCtx); err != nil {
			t.Errorf("closing the sandbox: %v", err)
		}
	})

	if opt.noUsers {
		return w
	}
	w.admin = w.newUser("admin", account.RoleAdmin, account.AdminRegistry)
	w.user = w.newUser("budi", account.RoleUser, "BUDIBUDIBU")
	w.other = w.newUser("sari", account.RoleUser, "SARISARISA")
	return w
}

// passwordHash is computed once: PBKDF2 is deliberately slow, more so under -race.
var passwordHash = sync.OnceValue(func() string { return account.HashPassword(userPassword) })

func (w *world) newUser(name string, role account.Role, registry string) account.Principal {
	w.t.Helper()
	u := account.User{ID: "id-" + name, Username: name, PasswordHash: passwordHash(), Role: role, Registry: registry, CreatedAt: time.Now().UTC()}
	if err := w.mem.Users().Create(w.ctx, u); err != nil {
		w.t.Fatal(err)
	}
	return account.Principal{User: u}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: "+format, append([]any{within}, args...)...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// openSession creates a session for p and scans its QR with phone.
func (w *world) openSession(p account.Principal, id, phone, pushName string) *session.Session {
	w.t.Helper()
	res, err := w.cmd.CreateSession(w.ctx, p, id)
	if err != nil {
		w.t.Fatalf("create %s: %v", id, err)
	}
	if res.QR.Code == "" {
		w.t.Fatalf("create %s returned no QR", id)
	}
	code, ok := w.net.CurrentQR(id)
	if !ok {
		w.t.Fatalf("sandbox shows no QR for %s", id)
	}
	if err := w.net.Scan(id, code, phone, pushName); err != nil {
		w.t.Fatalf("scan %s: %v", id, err)
	}
	var sess *session.Session
	eventually(w.t, 3*time.Second, func() bool {
		s, err := w.mem.Sessions().Get(w.ctx, id)
		sess = s
		return err == nil && s.Status() == session.StatusOpen
	}, "session %s did not open", id)
	return sess
}

// events returns the recorded events of a session and type ("" for all types).
func (w *world) events(sessionID string, t event.Type) []event.Envelope {
	w.t.Helper()
	all, err := w.mem.Events().ListAfter(w.ctx, 0, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []event.Envelope
	for _, e := range all {
		if e.SessionID == sessionID && (t == "" || e.Type == t) {
			out = append(out, e)
		}
	}
	return out
}

func decode[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// verifySignature checks X-WAREST-Signature with an HMAC-SHA256 keyed secret+username.
func verifySignature(t *testing.T, r ports.WebhookRequest, secret, username string) {
	t.Helper()
	m := hmac.New(sha256.New, []byte(secret+username))
	m.Write(r.Body)
	want := "HMAC-SHA256=" + hex.EncodeToString(m.Sum(nil))
	if got := r.Headers["X-WAREST-Signature"]; got != want {
		t.Fatalf("signature %q, want %q (key = secret + %q)", got, want, username)
	}
	if secret != "" && (strings.Contains(string(r.Body), secret) || strings.Contains(fmt.Sprint(r.Headers), secret)) {
		t.Fatal("the webhook secret leaked into the request")
	}
}
