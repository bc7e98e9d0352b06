package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/bus"
	"github.com/warest-go/warest/adapters/dashboard"
	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/phonenumber"
	"github.com/warest-go/warest/adapters/qr"
	"github.com/warest-go/warest/adapters/secretbox"
	"github.com/warest-go/warest/adapters/store/mysql"
	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/adapters/system"
	"github.com/warest-go/warest/adapters/warestjson"
	"github.com/warest-go/warest/adapters/webhook"
	"github.com/warest-go/warest/adapters/whatsmeow"
	"github.com/warest-go/warest/application"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/application/worker"
	domainwebhook "github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// options is the whole gateway: every adapter's module plus the application wiring.
func options(cfg Config, log *slog.Logger, out io.Writer) []fx.Option {
	startedAt := time.Now()
	opts := storeOptions(cfg)
	return append(opts,
		fx.Supply(log, cfg),
		system.Module,
		qr.Module,
		phonenumber.Module,
		bus.Module,
		webhook.Module,
		warestjson.Module,
		fx.Supply(webhook.Config{Timeout: cfg.WebhookTO}),
		transportOptions(cfg),
		applicationModule,
		messagingOptions(cfg),
		metricsModule,
		tracingOptions(cfg),
		serverOptions(),
		httpapi.Module,
		fx.Provide(func() httpapi.Dashboard { return dashboard.Handler() }),
		fx.Provide(func(c Config, keys secretbox.Config) (httpapi.Config, error) { return httpConfig(c, keys, startedAt) }),
		fx.Invoke(func(lc fx.Lifecycle, c Config, seed seeded) {
			lc.Append(fx.Hook{OnStart: func(context.Context) error {
				printBanner(out, c, seed)
				return nil
			}})
		}),
	)
}

// cookiePurpose labels the login cookie's signing key, derived from the secret key.
const cookiePurpose = "WAREST login cookie HMAC-SHA256 v1"

// httpConfig is the HTTP adapter's configuration. The login cookie's key comes
// from the gateway's secret key, so logins survive a restart and hold on every
// node sharing that key.
func httpConfig(c Config, keys secretbox.Config, startedAt time.Time) (httpapi.Config, error) {
	cookieKey, err := secretbox.DeriveKey(keys, cookiePurpose)
	if err != nil {
		return httpapi.Config{}, fmt.Errorf("login cookie key: %w", err)
	}
	return httpapi.Config{
		Addr: c.Addr(), ServiceName: c.ServerName, Version: version, Environment: c.Environment,
		Timezone: c.Timezone, StartedAt: startedAt, JSONLimit: 2 << 20, MediaLimit: c.Messaging.MediaLimit,
		Webhook:        webhookSettings(c),
		CookieSecret:   cookieKey,
		SecureCookies:  c.Environment == "production",
		AllowedOrigins: c.AllowedOrigins,
		MetricsToken:   c.MetricsToken,
	}, nil
}

// secretKey says where the gateway's secret key is: WAREST_SECRET_KEY, else a
// key file in the data directory, created on first use.
func secretKey(cfg Config) secretbox.Config {
	return secretbox.Config{Key: cfg.SecretKey, KeyFile: filepath.Join(cfg.DataDir, "secret.key")}
}

// storeOptions selects the database adapter and the secret sealer it needs.
func storeOptions(cfg Config) []fx.Option {
	opts := []fx.Option{
		secretbox.Module,
		fx.Supply(secretKey(cfg)),
		fx.Provide(func(s ports.Store) storeReady { return storeReady{} }),
	}
	if cfg.DBClient == "postgres" {
		// The bus's signals cross the nodes sharing the database (watermill-sql).
		return append(opts, postgres.Module, fx.Supply(postgres.Config{URL: cfg.PostgresURL, IdleTx: cfg.Cluster.TTL}, bus.Config{PostgresURL: cfg.PostgresURL}),
			fx.Provide(func(s *postgres.Store) ports.StatsReader { return s }, func(s *postgres.Store) dbPool { return s }))
	}
	if cfg.DBClient == "mysql" {
		return append(opts, mysql.Module, fx.Supply(mysql.Config{DSN: cfg.MySQLDSN}),
			fx.Provide(func(s *mysql.Store) ports.StatsReader { return s }, func(s *mysql.Store) dbPool { return s }))
	}
	return append(opts, sqlite.Module, fx.Supply(sqlite.Config{Path: cfg.SQLitePath, BusyTimeout: cfg.SQLiteBusyTimeout, Synchronous: cfg.SQLiteSynchronous}),
		fx.Provide(func(s *sqlite.Store) ports.StatsReader { return s }, func(s *sqlite.Store) dbPool { return s }))
}

// transportOptions selects the WhatsApp network: the real one, on the app's own
// database, or the sandbox.
func transportOptions(cfg Config) fx.Option {
	if cfg.Transport == "sandbox" {
		return sandboxOptions(cfg)
	}
	database := fx.Provide(func(s *sqlite.Store) whatsmeow.Database { return whatsmeow.Database{DB: s.DB(), Dialect: s.Dialect()} })
	if cfg.DBClient == "postgres" {
		database = fx.Provide(func(s *postgres.Store) whatsmeow.Database {
			return whatsmeow.Database{DB: s.DB(), Dialect: s.Dialect()}
		})
	}
	if cfg.DBClient == "mysql" {
		database = fx.Provide(func(s *mysql.Store) whatsmeow.Database { return whatsmeow.Database{DB: s.DB(), Dialect: s.Dialect()} })
	}
	return fx.Options(whatsmeow.Module, database, fx.Supply(whatsmeow.Config{ReloginQR: cfg.ReloginQR, Proxy: cfg.Proxy, TestServer: cfg.WATestServer}),
		fx.Provide(func(t *whatsmeow.Transport) proxyPool { return t }))
}

// storeReady marks that the store opened (and so migrated).
type storeReady struct{}

func webhookSettings(c Config) command.WebhookSettings {
	return command.WebhookSettings{Algorithm: domainwebhook.ParseAlgorithm(c.WebhookSHA2), PreflightTimeout: c.PreflightTO}
}

// applicationModule builds the application with application.New (the one
// composition, shared with the tests) from the adapters fx provides, and runs it
// for the lifetime of the app. The application has no fx of its own: this is the glue.
var applicationModule = fx.Module("application",
	fx.Provide(
		newApp,
		func(a *application.App) *command.Commands { return a.Commands },
		func(a *application.App) *query.Queries { return a.Queries },
		func(a *application.App) httpapi.LiveEvents { return a.Hub.Events },
		func(a *application.App) httpapi.Nodes { return a.Workers.Cluster },
		func(a *application.App) ports.Ownership { return a.Workers.Cluster },
		seedAdmin,
	),
	fx.Invoke(runApp),
)

type appIn struct {
	fx.In
	Config    Config
	Store     ports.Store
	Transport ports.Transport
	Groups    ports.Groups
	QR        ports.QRRenderer
	Sender    ports.WebhookSender
	Renderer  ports.EventRenderer
	Resolver  ports.Resolver
	Clock     ports.Clock
	IDs       ports.IDs
	Log       *slog.Logger
	Bus       *bus.Bus

	Blobs      ports.BlobStore
	Links      ports.BlobLinks
	Fetcher    ports.MediaFetcher
	Transcoder ports.MediaTranscoder
	Metrics    ports.Metrics
	Tracer     ports.Tracer `optional:"true"`

	Profiles ports.Profiles
	Contacts ports.Contacts
	Calls    ports.Calls

	QRImages ports.QRImages
	Phones   ports.PhoneNumbers
	Secrets  ports.MessageSecrets `optional:"true"`
}

func newApp(in appIn) *application.App {
	c := in.Config
	policy := domainwebhook.Policy{Horizon: c.WebhookHorizon, Base: c.WebhookBase, Max: domainwebhook.DefaultPolicy.Max, Jitter: c.WebhookJitter}
	if c.WebhookTries > 0 {
		policy.MaxAttempts = c.WebhookTries + 1
	}
	a := application.New(application.Config{
		Commands: command.Config{
			DefaultCountryCode: c.DefaultCountryCode, QRWait: command.DefaultConfig.QRWait,
			PairWait: command.DefaultConfig.PairWait, SendWait: c.SendWait, SendExpiry: c.Messaging.SendExpiry,
			MaxRecipients: command.DefaultConfig.MaxRecipients, Limits: c.Messaging.Limits, Media: c.Messaging.Media,
			LoginTTL: c.LoginTTL, WebhookTargets: c.WebhookPrivate, Caps: c.Caps, Misc: command.MiscConfig{TempTTL: c.Storage.TempTTL},
		},
		Webhooks: worker.WebhookConfig{
			DefaultURL: c.WebhookURL, DefaultSecret: c.WebhookSecret, Algorithm: domainwebhook.ParseAlgorithm(c.WebhookSHA2),
			Timeout: c.WebhookTO, Policy: policy, DisableAfter: c.WebhookDisableAfter,
		},
		Mirror:  c.Storage.Mirror,
		Cluster: &c.Cluster,
	}, application.Deps{Store: in.Store, Transport: in.Transport, QR: in.QR, Sender: in.Sender, Renderer: in.Renderer, Resolver: in.Resolver,
		Clock: in.Clock, IDs: in.IDs, Log: in.Log, Bus: in.Bus, Signals: in.Bus, Blobs: in.Blobs, Links: in.Links, Fetcher: in.Fetcher, Transcoder: in.Transcoder,
		Metrics: in.Metrics, Tracer: in.Tracer, Profiles: in.Profiles, Contacts: in.Contacts, Groups: in.Groups, Calls: in.Calls,
		QRImages: in.QRImages, Phones: in.Phones, Secrets: in.Secrets})
	a.Ingest.Commands = ingest.Commands{Prefixes: c.CommandPrefixes, Names: c.Commands}
	a.Ingest.QRTimeout.Limit = c.QRTimeout
	a.Actions.Limits.DefaultDelay = c.ActionsDelay
	a.Workers.SendQueue.Pace = c.Messaging.Limits.Pace
	a.Workers.BlobSweeper.Retention = c.Messaging.MediaRetention
	a.Workers.History.Retention = c.Messaging.HistoryRetention
	a.Workers.TempSweeper.TTL = c.Storage.TempTTL
	return a
}

// seeded is what the admin seed generated, for the one-time banner.
type seeded struct{ command.SeedResult }

func seedAdmin(c Config, cmds *command.Commands) (seeded, error) {
	res, err := cmds.Users.SeedAdmin(context.Background(), c.AdminUsername, c.AdminPassword, c.AdminAPIKey)
	if err != nil {
		return seeded{}, fmt.Errorf("seed admin: %w", err)
	}
	return seeded{res}, nil
}

// runApp starts the application (sessions, then workers) when fx starts and, on
// shutdown, waits for the workers to drain as long as the stop's deadline allows.
func runApp(lc fx.Lifecycle, a *application.App, log *slog.Logger) {
	lc.Append(fx.Hook{
		OnStart: a.Start,
		OnStop: func(ctx context.Context) error {
			start := time.Now()
			drained := make(chan struct{})
			go func() { a.Stop(); close(drained) }()
			select {
			case <-drained:
				log.Info("workers drained", "took", time.Since(start).Round(time.Millisecond))
				return nil
			case <-ctx.Done():
				return fmt.Errorf("workers still busy after %s: %w", time.Since(start).Round(time.Millisecond), ctx.Err())
			}
		},
	})
}

// printBanner tells a newcomer where the gateway is and how to log in. Generated
// credentials are printed here once, to the console only, never to the log.
func printBanner(out io.Writer, c Config, s seeded) {
	fmt.Fprintf(out, "WAREST %s listening on http://localhost:%s (db: %s, transport: %s)\n", version, c.Port, c.DBClient, c.Transport)
	fmt.Fprintf(out, "  docs:  http://localhost:%s/docs   login: http://localhost:%s/login as %q\n", c.Port, c.Port, s.Username)
	if s.GeneratedPassword != "" {
		fmt.Fprintf(out, "  admin password (generated, shown once): %s\n", s.GeneratedPassword)
	}
	if s.GeneratedKey != "" {
		fmt.Fprintf(out, "  admin API key (generated, shown once):  %s\n", s.GeneratedKey)
	}
	if s.GeneratedPassword == "" && s.GeneratedKey == "" {
		fmt.Fprintln(out, "  use WAREST_ADMIN_APIKEY, or POST /api/auth/login for a key")
	}
}
