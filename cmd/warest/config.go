package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/adapters/tracing"
	"github.com/warest-go/warest/adapters/whatsmeow"
	"github.com/warest-go/warest/application/cluster"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/proxy"
	"github.com/warest-go/warest/ports"
)

// Config is everything read from WAREST_* (and WAREST's legacy) environment variables.
// Names and defaults follow WAREST; our additions are marked.
type Config struct {
	Host, Port         string
	Environment        string
	ServerName         string
	Timezone           string
	DefaultCountryCode string

	AdminUsername, AdminPassword, AdminAPIKey string

	DBClient          string // sqlite | postgres | mysql
	SQLitePath        string
	SQLiteBusyTimeout time.Duration      // ours: how long a write waits for another writer's lock before failing (503)
	SQLiteSynchronous sqlite.Synchronous // ours: FULL (default, commits survive power loss) or NORMAL
	PostgresURL       string
	MySQLDSN          string // a go-sql-driver DSN

	Transport         string        // whatsmeow | sandbox (ours)
	SandboxQRInterval time.Duration // ours
	SandboxURL        string        // ours: use the sandbox network another process shares
	SandboxServe      string        // ours: share this process's sandbox network on this address
	ReloginQR         bool          // ours: after a remote logout, show a fresh QR code
	Proxy             proxy.Config
	WATestServer      *whatsmeow.TestServer // ours, testing aid: whatsmeow talks to test/waserver, not WhatsApp

	LoginTTL      time.Duration // ours: how long a login session lasts
	SecretKey     string        // ours: key for secrets at rest; else DataDir/secret.key
	DataDir       string
	SendWait      time.Duration // ours
	LogLevel      string        // debug | info | warn | error
	LogFormat     string        // text | json
	WebhookURL    string
	WebhookSecret string
	WebhookSHA2   int
	WebhookTO     time.Duration
	WebhookTries  int // 0: retry until the horizon
	WebhookBase   time.Duration
	WebhookJitter time.Duration
	PreflightTO   time.Duration
	Messaging     Messaging      // messaging.go
	Storage       Storage        // storage.go
	Cluster       cluster.Config // ours: node identity and session leases (cluster.go)

	WebhookHorizon      time.Duration            // ours: how long a delivery is retried
	WebhookDisableAfter int                      // ours: consecutive failed events before a subscription is disabled
	ActionsDelay        time.Duration            // pause after each data response action
	CommandPrefixes     string                   // ours: message_command prefixes ("" turns it off)
	WebhookPrivate      netpolicy.PrivateTargets // ours: whose receivers may be on loopback and private networks
	Commands            []string                 // ours: command names (empty: any)
	QRTimeout           time.Duration            // ours: a login nobody completes stops after this (0: never)
	Caps                account.Caps             // ours: per-user caps of non-admins (0: unlimited)
	AllowedOrigins      []string                 // CORS allowlist (origins.go)
	ShutdownTimeout     time.Duration            // ours: how long SIGTERM waits for streams and workers to end
	MetricsToken        string                   // ours: bearer token /metrics asks for (empty: open)
	Restart             Restart                  // server.go
	Tracing             bool                     // OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set: export spans over OTLP
}

// env reads variables through lookup so tests can pass a map.
type env func(string) (string, bool)

func (e env) str(def string, names ...string) string {
	for _, n := range names {
		if v, ok := e(n); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return def
}

func (e env) num(def int, names ...string) (int, error) {
	raw := e.str("", names...)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s must be a non-negative integer, got %q", names[0], raw)
	}
	return n, nil
}

func (e env) millis(def time.Duration, names ...string) (time.Duration, error) {
	n, err := e.num(int(def/time.Millisecond), names...)
	return time.Duration(n) * time.Millisecond, err
}

// loadConfig reads the environment and validates it; every error names its variable.
func loadConfig(lookup func(string) (string, bool)) (Config, error) {
	e := env(lookup)
	c := Config{
		Host:               e.str("0.0.0.0", "HOST", "APP_HOST"),
		Port:               e.str("7308", "PORT", "APP_PORT"),
		Environment:        e.str("development", "NODE_ENV", "WAREST_ENV"),
		ServerName:         e.str("WAREST API", "WAREST_SERVER_NAME"),
		Timezone:           e.str("UTC", "WAREST_TIMEZONE", "GENERIC_TIMEZONE"),
		DefaultCountryCode: e.str("62", "WAREST_DEFAULT_COUNTRY_CODE"),
		AdminUsername:      e.str("admin", "WAREST_AUTHADMIN_USERNAME"),
		AdminPassword:      e.str("", "WAREST_AUTHADMIN_PASSWORD"),
		AdminAPIKey:        e.str("", "WAREST_ADMIN_APIKEY"),
		DBClient:           strings.ToLower(e.str("sqlite", "WAREST_DB_CLIENT")),
		DataDir:            e.str("data", "WAREST_DATA_DIR"),
		Transport:          strings.ToLower(e.str("whatsmeow", "WAREST_TRANSPORT")),
		SecretKey:          e.str("", "WAREST_SECRET_KEY"),
		LogLevel:           strings.ToLower(e.str("info", "LOG_LEVEL", "WAREST_LOG_LEVEL")),
		LogFormat:          strings.ToLower(e.str("text", "LOG_FORMAT", "WAREST_LOG_FORMAT")),
		WebhookURL:         e.str("", "WEBHOOK_DEFAULT_URL", "WAREST_WEBHOOK_DEFAULT_URL"),
		WebhookSecret:      e.str("supersecret", "WEBHOOK_DEFAULT_SECRET", "WAREST_WEBHOOK_DEFAULT_SECRET"),
	}
	c.SQLitePath = e.str(c.DataDir+"/warest.sqlite", "WAREST_DB_SQLITE_PATH")
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	c.SendWait, err = e.millis(5*time.Second, "WAREST_SEND_WAIT_MS")
	collect(err)
	c.SandboxQRInterval, err = e.millis(20*time.Second, "WAREST_SANDBOX_QR_INTERVAL_MS")
	collect(err)
	c.LoginTTL, err = e.millis(12*time.Hour, "WAREST_LOGIN_TTL_MS")
	collect(err)
	if err == nil && c.LoginTTL < time.Second {
		errs = append(errs, fmt.Errorf("WAREST_LOGIN_TTL_MS must be at least 1000, got %d", c.LoginTTL.Milliseconds()))
	}
	c.SandboxURL, c.SandboxServe = e.str("", "WAREST_SANDBOX_URL"), e.str("", "WAREST_SANDBOX_SERVE")
	c.WebhookTO, err = e.millis(10*time.Second, "WAREST_WEBHOOK_TIMEOUT_MS")
	collect(err)
	c.WebhookBase, err = e.millis(800*time.Millisecond, "WAREST_WEBHOOK_BACKOFF_MS")
	collect(err)
	c.WebhookJitter, err = e.millis(300*time.Millisecond, "WAREST_WEBHOOK_JITTER_MS")
	collect(err)
	c.PreflightTO, err = e.millis(5*time.Second, "WAREST_WEBHOOK_PREFLIGHT_TIMEOUT_MS")
	collect(err)
	c.WebhookTries, err = e.num(0, "WAREST_WEBHOOK_RETRIES")
	collect(err)
	c.WebhookHorizon, err = e.millis(24*time.Hour, "WAREST_WEBHOOK_RETRY_HORIZON_MS")
	collect(err)
	c.WebhookDisableAfter, err = e.num(10, "WAREST_WEBHOOK_DISABLE_AFTER")
	collect(err)
	c.ActionsDelay, err = e.millis(1200*time.Millisecond, "WAREST_WEBHOOK_ACTIONS_DELAY_MS")
	collect(err)
	c.CommandPrefixes = e.str("/!.", "WAREST_COMMAND_PREFIXES")
	if raw := e.str("", "WAREST_COMMANDS"); raw != "" {
		for _, name := range strings.Split(raw, ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				c.Commands = append(c.Commands, name)
			}
		}
	}
	c.WebhookSHA2, err = e.num(256, "WAREST_WEBHOOK_SIGNATURE_SHA2")
	collect(err)
	c.WebhookPrivate, err = privateTargets(e)
	collect(err)
	c.ReloginQR, err = e.flag(true, "WAREST_WA_RELOGIN_QR")
	collect(err)
	c.Proxy, err = proxyConfig(e)
	collect(err)
	if raw := e.str("", "WAREST_WA_TEST_SERVER"); raw != "" {
		if c.WATestServer, err = whatsmeow.ParseTestServer(raw, e.str("", "WAREST_WA_TEST_SERVER_ROOT")); err != nil {
			collect(fmt.Errorf("WAREST_WA_TEST_SERVER: %w", err))
		}
	}
	c.QRTimeout, err = e.millis(3*time.Minute, "WAREST_QR_TIMEOUT_MS")
	collect(err)
	c.Caps.Sessions, err = e.num(command.DefaultCaps.Sessions, "WAREST_MAX_SESSIONS_PER_USER")
	collect(err)
	c.Caps.Streams, err = e.num(command.DefaultCaps.Streams, "WAREST_MAX_STREAMS_PER_USER")
	collect(err)

	c.AllowedOrigins, err = allowedOrigins(e, c.Host, c.Port)
	collect(err)
	c.Messaging, err = loadMessaging(e, c.DataDir)
	collect(err)
	c.Restart, err = loadRestart(e)
	collect(err)
	c.Storage, err = loadStorage(e, c.Port, c.DataDir)
	collect(err)
	switch c.DBClient {
	case "sqlite":
		c.SQLiteBusyTimeout, err = e.millis(10*time.Second, "WAREST_DB_SQLITE_BUSY_TIMEOUT_MS")
		collect(err)
		if err == nil && c.SQLiteBusyTimeout <= 0 {
			collect(fmt.Errorf("WAREST_DB_SQLITE_BUSY_TIMEOUT_MS must be positive"))
		}
		switch v := strings.ToLower(e.str("full", "WAREST_DB_SQLITE_SYNCHRONOUS")); v {
		case "full":
			c.SQLiteSynchronous = sqlite.SyncFull
		case "normal":
			c.SQLiteSynchronous = sqlite.SyncNormal
		default:
			collect(fmt.Errorf("WAREST_DB_SQLITE_SYNCHRONOUS must be full or normal, got %q", v))
		}
	case "postgres", "pg", "postgresql":
		c.DBClient = "postgres"
		c.PostgresURL = e.str("", "WAREST_DB_POSTGRES_URL", "WAREST_DB_URL")
		if c.PostgresURL == "" {
			c.PostgresURL = postgresURLFromParts(e)
		}
		if c.PostgresURL == "" {
			errs = append(errs, fmt.Errorf("WAREST_DB_CLIENT=postgres needs WAREST_DB_POSTGRES_URL or WAREST_DB_HOST"))
		}
	case "mysql", "mariadb":
		c.DBClient = "mysql"
		c.MySQLDSN, err = mysqlDSN(e)
		collect(err)
		if err == nil && c.MySQLDSN == "" {
			errs = append(errs, fmt.Errorf("WAREST_DB_CLIENT=mysql needs WAREST_DB_MYSQL_URL or WAREST_DB_HOST"))
		}
	default:
		errs = append(errs, fmt.Errorf("WAREST_DB_CLIENT must be sqlite, postgres or mysql, got %q", c.DBClient))
	}
	c.Cluster, err = loadCluster(e, c.Port, c.DBClient)
	collect(err)
	if _, err := logLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT must be text or json, got %q", c.LogFormat))
	}
	c.ShutdownTimeout, err = e.millis(15*time.Second, "WAREST_SHUTDOWN_TIMEOUT_MS")
	collect(err)
	c.MetricsToken = e.str("", "WAREST_METRICS_TOKEN")
	c.Tracing = tracing.Enabled(lookup)
	switch c.Transport {
	case "sandbox":
	case "whatsmeow":
	default:
		errs = append(errs, fmt.Errorf("WAREST_TRANSPORT must be sandbox or whatsmeow, got %q", c.Transport))
	}
	if p, err := strconv.Atoi(c.Port); err != nil || p < 0 || p > 65535 {
		errs = append(errs, fmt.Errorf("PORT must be a port number, got %q", c.Port))
	}
	if len(c.DefaultCountryCode) == 0 || strings.Trim(c.DefaultCountryCode, "0123456789") != "" {
		errs = append(errs, fmt.Errorf("WAREST_DEFAULT_COUNTRY_CODE must be digits, got %q", c.DefaultCountryCode))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("invalid configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

func (e env) flag(def bool, names ...string) (bool, error) {
	raw := e.str("", names...)
	if raw == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", names[0], raw)
	}
	return b, nil
}

// privateTargets reads WAREST_WEBHOOK_PRIVATE_TARGETS (admins, all or none);
// WAREST_WEBHOOK_PUBLIC_ONLY=true, its earlier form, means none.
func privateTargets(e env) (netpolicy.PrivateTargets, error) {
	publicOnly, err := e.flag(false, "WAREST_WEBHOOK_PUBLIC_ONLY")
	if err != nil {
		return 0, err
	}
	def := "admins"
	if publicOnly {
		def = "none"
	}
	raw := e.str(def, "WAREST_WEBHOOK_PRIVATE_TARGETS")
	p, ok := netpolicy.ParsePrivateTargets(raw)
	switch {
	case !ok:
		return 0, fmt.Errorf("WAREST_WEBHOOK_PRIVATE_TARGETS must be admins, all or none, got %q", raw)
	case publicOnly && p != netpolicy.PrivateForNone:
		return 0, fmt.Errorf("WAREST_WEBHOOK_PUBLIC_ONLY=true contradicts WAREST_WEBHOOK_PRIVATE_TARGETS=%s", raw)
	}
	return p, nil
}

// checkDefaultWebhook refuses a WEBHOOK_DEFAULT_URL the network policy forbids
// (the operator's target has an admin's reach): every delivery to it would be
// retried for a day in vain.
func checkDefaultWebhook(ctx context.Context, c Config, resolver ports.Resolver) error {
	if c.WebhookURL == "" {
		return nil
	}
	if err := command.CheckWebhookTarget(ctx, resolver, c.WebhookURL, c.WebhookPrivate.Reach(true)); err != nil {
		return fmt.Errorf("invalid configuration: WEBHOOK_DEFAULT_URL: %w", err)
	}
	return nil
}

// proxyConfig reads WAREST's proxy pool variables; unset knobs take WAREST's
// defaults for the number of proxies.
func proxyConfig(e env) (proxy.Config, error) {
	urls, err := proxy.ParseURLs(e.str("", "WAREST_PROXY_URLS"))
	if err != nil {
		return proxy.Config{}, fmt.Errorf("WAREST_PROXY_URLS: %w", err)
	}
	def := proxy.Defaults(len(urls))
	c := proxy.Config{URLs: urls}
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if c.Strategy, err = proxy.ParseStrategy(e.str("", "WAREST_PROXY_STRATEGY"), len(urls)); err != nil {
		collect(fmt.Errorf("WAREST_PROXY_STRATEGY: %w", err))
	}
	c.Sticky, err = e.flag(def.Sticky, "WAREST_PROXY_STICKY_SESSION")
	collect(err)
	c.RotateAfter, err = e.num(def.RotateAfter, "WAREST_PROXY_ROTATE_AFTER_FAILURES")
	collect(err)
	c.Cooloff, err = e.millis(def.Cooloff, "WAREST_PROXY_FAILURE_COOLOFF_MS")
	collect(err)
	c.Multiplier, err = e.num(def.Multiplier, "WAREST_PROXY_FAILURE_BACKOFF_MULTIPLIER")
	collect(err)
	return c, errors.Join(errs...)
}

func postgresURLFromParts(e env) string {
	host := e.str("", "WAREST_DB_HOST")
	if host == "" {
		return ""
	}
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(host, e.str("5432", "WAREST_DB_PORT")),
		Path: "/" + e.str("warest", "WAREST_DB_DATABASE")}
	if user := e.str("", "WAREST_DB_USER"); user != "" {
		if pw := e.str("", "WAREST_DB_PASSWORD"); pw != "" {
			u.User = url.UserPassword(user, pw)
		} else {
			u.User = url.User(user)
		}
	}
	if e.str("", "WAREST_DB_SSL") != "1" {
		u.RawQuery = "sslmode=disable"
	}
	return u.String()
}

// Addr is the listen address.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, c.Port) }
