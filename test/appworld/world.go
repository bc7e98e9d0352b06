// Package appworld is the test world of the application tests: the app built by
// application.New over SQLite (a file per test) and the sandbox network, with the relay, webhook
// and send-queue loops running and a recording webhook sender. It lives under test/
// because non-test application code may not import adapters.
package appworld

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/application"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// Options vary the world; the zero value is the plain one.
type Options struct {
	WrapStore   func(ports.Store) ports.Store          // wraps the store the use cases see
	WrapNet     func(*sandbox.Network) ports.Transport // wraps the sandbox the use cases see
	MaxAttempts int                                    // send-queue attempts; 0 keeps the default
	DefaultURL  string                                 // webhook default URL
	NoUsers     bool                                   // leave the user table empty (SeedAdmin tests)
	Resolver    ports.Resolver                         // resolves webhook receivers' names (nil: none)
	Targets     netpolicy.PrivateTargets               // whose receivers may be private
	Log         *slog.Logger                           // the ingest's logger; nil: Discard
	Blobs       ports.BlobStore                        // the use cases' blob store; nil: none
	Clock       ports.Clock                            // the use cases' clock; nil: the wall clock
}

// Fast makes a's workers poll every 25 ms, so tests do not wait for them: their
// signals wake them at once, a poll only picks up what comes due (retries, holds).
// Polling more often costs every world's store a query per worker per poll.
func Fast(a *application.App) {
	a.Workers.Relay.Poll, a.Workers.Webhooks.Poll, a.Workers.SendQueue.Poll = 25*time.Millisecond, 25*time.Millisecond, 25*time.Millisecond
}

// World is a running application over SQLite and the sandbox network.
type World struct {
	T      *testing.T
	Ctx    context.Context
	Store  *SQLiteStore // what the use cases see, unless Options.WrapStore wraps it
	Net    *sandbox.Network
	App    *application.App
	Hub    *notify.Hub
	Ingest *ingest.Ingest
	Cmd    *command.Commands
	Qry    *query.Queries
	Hooks  *worker.Webhooks
	Sender *RecordingSender
	Counts *Counts // what the application reported to its metrics
	Spans  *Spans  // the spans its workers ended
	Admin  account.Principal
	User   account.Principal // "budi"
	Other  account.Principal // "sari"
}

const (
	UserPassword = "budi-password"   // password of every seeded user
	UserSecret   = "hook-secret-123" // a webhook secret for tests to configure
)

// New starts a world whose loops and sandbox stop when t ends.
func New(t *testing.T, opt Options) *World {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &World{T: t, Ctx: ctx, Store: NewStore(t), Sender: newSender(), Counts: &Counts{}, Spans: &Spans{}}
	var store ports.Store = w.Store
	if opt.WrapStore != nil {
		store = opt.WrapStore(w.Store)
	}
	w.Net = sandbox.NewNetwork(sandbox.Config{}, RealClock{})
	var tr ports.Transport = w.Net
	if opt.WrapNet != nil {
		tr = opt.WrapNet(w.Net)
	}
	var clock ports.Clock = RealClock{}
	if opt.Clock != nil {
		clock = opt.Clock
	}
	cfg := command.DefaultConfig
	cfg.QRWait, cfg.PairWait, cfg.SendWait = 3*time.Second, 3*time.Second, 3*time.Second
	cfg.WebhookTargets = opt.Targets
	app := application.New(application.Config{Commands: cfg, Webhooks: worker.WebhookConfig{DefaultURL: opt.DefaultURL,
		Algorithm: webhook.SHA256, Timeout: time.Second, Workers: 2,
		Policy: webhook.Policy{MaxAttempts: 3, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}}},
		application.Deps{Store: store, Transport: tr, QR: FakeQR{}, Sender: w.Sender, Renderer: Renderer{}, Resolver: opt.Resolver,
			Clock: clock, IDs: ULIDs{}, Log: cmp.Or(opt.Log, Discard), Blobs: opt.Blobs,
			Metrics: w.Counts, Tracer: w.Spans, Profiles: w.Net, Contacts: w.Net, Groups: w.Net, Calls: w.Net})
	w.App, w.Hub, w.Ingest, w.Cmd, w.Qry, w.Hooks = app, app.Hub, app.Ingest, app.Commands, app.Queries, app.Workers.Webhooks
	Fast(app)
	if opt.MaxAttempts > 0 {
		app.Workers.SendQueue.MaxAttempts = opt.MaxAttempts
	}
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		app.Stop()
		closeCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		if err := w.Net.Close(closeCtx); err != nil {
			t.Errorf("closing the sandbox: %v", err)
		}
	})

	if opt.NoUsers {
		return w
	}
	w.Admin = w.newUser("admin", account.RoleAdmin, account.AdminRegistry)
	w.User = w.newUser("budi", account.RoleUser, "BUDIBUDIBU")
	w.Other = w.newUser("sari", account.RoleUser, "SARISARISA")
	return w
}

// PasswordHash is the hash of UserPassword, computed once: PBKDF2 is deliberately
// slow, more so under -race.
var PasswordHash = sync.OnceValue(func() string { return account.HashPassword(UserPassword) })

func (w *World) newUser(name string, role account.Role, registry string) account.Principal {
	w.T.Helper()
	u := account.User{ID: "id-" + name, Username: name, PasswordHash: PasswordHash(), Role: role, Registry: registry, CreatedAt: time.Now().UTC()}
	if err := w.Store.Users().Create(w.Ctx, u); err != nil {
		w.T.Fatal(err)
	}
	return account.Principal{User: u}
}

// OpenSession creates a session for p and scans its QR with phone.
func (w *World) OpenSession(p account.Principal, id, phone, pushName string) *session.Session {
	w.T.Helper()
	res, err := w.Cmd.Sessions.CreateSession(w.Ctx, p, id)
	if err != nil {
		w.T.Fatalf("create %s: %v", id, err)
	}
	if res.QR.Code == "" {
		w.T.Fatalf("create %s returned no QR", id)
	}
	code, ok := w.Net.CurrentQR(id)
	if !ok {
		w.T.Fatalf("sandbox shows no QR for %s", id)
	}
	if err := w.Net.Scan(id, code, phone, pushName); err != nil {
		w.T.Fatalf("scan %s: %v", id, err)
	}
	var sess *session.Session
	Eventually(w.T, 3*time.Second, func() bool {
		s, err := w.Store.Sessions().Get(w.Ctx, id)
		sess = s
		return err == nil && s.Status() == session.StatusOpen
	}, "session %s did not open", id)
	return sess
}

// Events returns the recorded events of a session and type ("" for all types).
func (w *World) Events(sessionID string, t event.Type) []event.Envelope {
	w.T.Helper()
	return SessionEvents(w.T, w.Ctx, w.Store, sessionID, t)
}
