package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/proxy"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestConfigDefaultsFollowWAREST(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != "7308" || c.DBClient != "sqlite" || c.SQLitePath != "data/warest.sqlite" || c.SQLiteBusyTimeout != 10*time.Second || c.DefaultCountryCode != "62" {
		t.Errorf("defaults: %+v", c)
	}
	if c.SQLiteSynchronous != sqlite.SyncFull {
		t.Errorf("SQLite synchronous %q, want FULL (durable by default)", c.SQLiteSynchronous)
	}
	if c.WebhookSecret != "supersecret" || c.WebhookTries != 0 || c.WebhookHorizon != 24*time.Hour || c.WebhookDisableAfter != 10 || c.CommandPrefixes != "/!." || c.WebhookTO != 10*time.Second || c.WebhookSHA2 != 256 {
		t.Errorf("webhook defaults: %+v", c)
	}
}

func TestConfigReadsAliasesAndPostgresParts(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(map[string]string{
		"APP_PORT": "9000", "WAREST_DB_CLIENT": "pg", "WAREST_DB_HOST": "db", "WAREST_DB_USER": "u",
		"WAREST_DB_PASSWORD": "p@ss", "WAREST_DB_DATABASE": "wa", "WAREST_DEFAULT_COUNTRY_CODE": "1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != "9000" || c.DBClient != "postgres" || c.DefaultCountryCode != "1" {
		t.Errorf("got %+v", c)
	}
	if c.PostgresURL != "postgres://u:p%40ss@db:5432/wa?sslmode=disable" {
		t.Errorf("postgres url %q", c.PostgresURL)
	}
}

func TestConfigRejectsBadValuesNamingTheVariable(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(lookup(map[string]string{
		"WAREST_DB_CLIENT": "mongo", "PORT": "http", "WAREST_WEBHOOK_TIMEOUT_MS": "-5", "WAREST_DEFAULT_COUNTRY_CODE": "+62",
		"LOG_LEVEL": "verbose", "LOG_FORMAT": "xml",
	}))
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, name := range []string{"WAREST_DB_CLIENT", "PORT", "WAREST_WEBHOOK_TIMEOUT_MS", "WAREST_DEFAULT_COUNTRY_CODE", "LOG_LEVEL", "LOG_FORMAT"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	if _, err := loadConfig(lookup(map[string]string{"WAREST_DB_SQLITE_BUSY_TIMEOUT_MS": "0"})); err == nil ||
		!strings.Contains(err.Error(), "WAREST_DB_SQLITE_BUSY_TIMEOUT_MS") {
		t.Errorf("a zero busy timeout: %v", err)
	}
	if _, err := loadConfig(lookup(map[string]string{"WAREST_DB_SQLITE_SYNCHRONOUS": "off"})); err == nil ||
		!strings.Contains(err.Error(), "WAREST_DB_SQLITE_SYNCHRONOUS") {
		t.Errorf("synchronous off: %v", err)
	}
	if c, err := loadConfig(lookup(map[string]string{"WAREST_DB_SQLITE_SYNCHRONOUS": "NORMAL"})); err != nil || c.SQLiteSynchronous != sqlite.SyncNormal {
		t.Errorf("synchronous normal: %q, %v", c.SQLiteSynchronous, err)
	}
}

// LOG_FORMAT=json writes JSON lines at the configured level.
func TestJSONLogsAtTheConfiguredLevel(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(lookup(map[string]string{"LOG_FORMAT": "json", "LOG_LEVEL": "warning"}))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	log := newLogger(cfg, &out)
	log.Info("hidden")
	log.Warn("shown", "n", 1)
	var line map[string]any
	if err := json.Unmarshal([]byte(out.String()), &line); err != nil || line["msg"] != "shown" || line["level"] != "WARN" {
		t.Fatalf("log output %q: %v", out.String(), err)
	}
}

func TestConfigTransportDefaultsToWhatsmeowWithWARESTProxyDefaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Transport != "whatsmeow" || !c.ReloginQR || len(c.Proxy.URLs) != 0 || c.Proxy.Sticky {
		t.Errorf("defaults: transport %q relogin %v proxy %+v", c.Transport, c.ReloginQR, c.Proxy)
	}
	c, err = loadConfig(lookup(map[string]string{"WAREST_PROXY_URLS": "p1:8080,socks5://p2:1080", "WAREST_WA_RELOGIN_QR": "false"}))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Proxy
	if c.ReloginQR || len(p.URLs) != 2 || p.URLs[0] != "http://p1:8080" || p.Strategy != proxy.RoundRobin || !p.Sticky ||
		p.RotateAfter != 2 || p.Cooloff != 15*time.Second || p.Multiplier != 3 {
		t.Errorf("two proxies: relogin %v, %+v", c.ReloginQR, p)
	}
	c, err = loadConfig(lookup(map[string]string{"WAREST_PROXY_URLS": "http://p1:8080", "WAREST_PROXY_STRATEGY": "rand",
		"WAREST_PROXY_STICKY_SESSION": "false", "WAREST_PROXY_ROTATE_AFTER_FAILURES": "4", "WAREST_PROXY_FAILURE_COOLOFF_MS": "500",
		"WAREST_PROXY_FAILURE_BACKOFF_MULTIPLIER": "5", "WAREST_TRANSPORT": "sandbox"}))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Proxy; c.Transport != "sandbox" || p.Strategy != proxy.Random || p.Sticky || p.RotateAfter != 4 || p.Cooloff != 500*time.Millisecond || p.Multiplier != 5 {
		t.Errorf("explicit: %q %+v", c.Transport, p)
	}
}

func TestConfigTestServerIsOffUnlessSetAndChecked(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(nil))
	if err != nil || c.WATestServer != nil {
		t.Fatalf("default: %+v, %v", c.WATestServer, err)
	}
	root := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	c, err = loadConfig(lookup(map[string]string{"WAREST_WA_TEST_SERVER": "http://127.0.0.1:9", "WAREST_WA_TEST_SERVER_ROOT": root}))
	if err != nil || c.WATestServer == nil || c.WATestServer.URL.Host != "127.0.0.1:9" || c.WATestServer.Root[0] != 7 {
		t.Fatalf("set: %+v, %v", c.WATestServer, err)
	}
	for _, bad := range []map[string]string{
		{"WAREST_WA_TEST_SERVER": "127.0.0.1:9", "WAREST_WA_TEST_SERVER_ROOT": root},
		{"WAREST_WA_TEST_SERVER": "http://127.0.0.1:9"},
		{"WAREST_WA_TEST_SERVER": "http://127.0.0.1:9", "WAREST_WA_TEST_SERVER_ROOT": "AAAA"},
	} {
		if _, err := loadConfig(lookup(bad)); err == nil || !strings.Contains(err.Error(), "WAREST_WA_TEST_SERVER") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestConfigRejectsBadProxySettings(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(lookup(map[string]string{"WAREST_PROXY_URLS": "ftp://x:1", "WAREST_PROXY_STRATEGY": "fastest",
		"WAREST_PROXY_STICKY_SESSION": "maybe", "WAREST_WA_RELOGIN_QR": "yes please"}))
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, name := range []string{"WAREST_PROXY_URLS", "WAREST_WA_RELOGIN_QR"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	if _, err := loadConfig(lookup(map[string]string{"WAREST_PROXY_STRATEGY": "fastest", "WAREST_PROXY_STICKY_SESSION": "maybe"})); err == nil ||
		!strings.Contains(err.Error(), "WAREST_PROXY_STRATEGY") || !strings.Contains(err.Error(), "WAREST_PROXY_STICKY_SESSION") {
		t.Errorf("bad strategy and sticky flag: %v", err)
	}
}

func TestWebhookPrivateTargets(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		env  map[string]string
		want netpolicy.PrivateTargets
	}{
		"default":     {nil, netpolicy.PrivateForAdmins},
		"all":         {map[string]string{"WAREST_WEBHOOK_PRIVATE_TARGETS": "all"}, netpolicy.PrivateForAll},
		"none":        {map[string]string{"WAREST_WEBHOOK_PRIVATE_TARGETS": "none"}, netpolicy.PrivateForNone},
		"public only": {map[string]string{"WAREST_WEBHOOK_PUBLIC_ONLY": "true"}, netpolicy.PrivateForNone},
	}
	for name, c := range cases {
		got, err := loadConfig(lookup(c.env))
		if err != nil || got.WebhookPrivate != c.want {
			t.Errorf("%s: %v, %v; want %v", name, got.WebhookPrivate, err, c.want)
		}
	}
	for _, env := range []map[string]string{
		{"WAREST_WEBHOOK_PRIVATE_TARGETS": "tenants"},
		{"WAREST_WEBHOOK_PUBLIC_ONLY": "true", "WAREST_WEBHOOK_PRIVATE_TARGETS": "all"},
	} {
		if _, err := loadConfig(lookup(env)); err == nil || !strings.Contains(err.Error(), "WAREST_WEBHOOK_PRIVATE_TARGETS") {
			t.Errorf("%v: %v, want an error naming WAREST_WEBHOOK_PRIVATE_TARGETS", env, err)
		}
	}
}

// names resolves host names from a map.
type names map[string][]netip.Addr

func (n names) LookupNetIP(_ context.Context, host string) ([]netip.Addr, error) {
	if a, ok := n[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestDefaultWebhookURLMustBeAllowed(t *testing.T) {
	t.Parallel()
	resolver := names{"metadata.google.internal": {netip.MustParseAddr("169.254.169.254")}, "hooks.lan": {netip.MustParseAddr("10.0.0.7")}}
	check := func(url string, env map[string]string) error {
		env["WEBHOOK_DEFAULT_URL"] = url
		c, err := loadConfig(lookup(env))
		if err != nil {
			t.Fatal(err)
		}
		return checkDefaultWebhook(context.Background(), c, resolver)
	}
	for _, url := range []string{"http://169.254.169.254/", "http://metadata.google.internal/computeMetadata/v1/",
		"http://[fd00:ec2::254]/", "http://2852039166/"} {
		if err := check(url, map[string]string{}); err == nil || !strings.Contains(err.Error(), "WEBHOOK_DEFAULT_URL") {
			t.Errorf("%s: %v, want refused", url, err)
		}
	}
	// The operator's target has an admin's reach: the host's own network is fine,
	// unless every target must be public.
	for _, url := range []string{"http://127.0.0.1:9000/hook", "http://hooks.lan/hook", "http://unknown.example/hook", ""} {
		if err := check(url, map[string]string{}); err != nil {
			t.Errorf("%s: %v", url, err)
		}
	}
	if err := check("http://hooks.lan/hook", map[string]string{"WAREST_WEBHOOK_PRIVATE_TARGETS": "none"}); err == nil {
		t.Error("a private default URL was accepted with WAREST_WEBHOOK_PRIVATE_TARGETS=none")
	}
}

func TestConfigOutboundMediaRetention(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]time.Duration{"": 24 * time.Hour, "0": 0, "60000": time.Minute} {
		c, err := loadConfig(lookup(map[string]string{"WAREST_OUTBOUND_MEDIA_RETENTION_MS": raw}))
		if err != nil || c.Messaging.MediaRetention != want {
			t.Errorf("%q: retention %v, %v; want %v", raw, c.Messaging.MediaRetention, err, want)
		}
	}
	if _, err := loadConfig(lookup(map[string]string{"WAREST_OUTBOUND_MEDIA_RETENTION_MS": "-1"})); err == nil ||
		!strings.Contains(err.Error(), "WAREST_OUTBOUND_MEDIA_RETENTION_MS") {
		t.Errorf("a negative retention: %v", err)
	}
}

func TestConfigLoginTTL(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]time.Duration{"": 12 * time.Hour, "1000": time.Second, "3600000": time.Hour} {
		c, err := loadConfig(lookup(map[string]string{"WAREST_LOGIN_TTL_MS": raw}))
		if err != nil || c.LoginTTL != want {
			t.Errorf("%q: login TTL %v, %v; want %v", raw, c.LoginTTL, err, want)
		}
	}
	for _, raw := range []string{"0", "999", "-1", "12h"} {
		if _, err := loadConfig(lookup(map[string]string{"WAREST_LOGIN_TTL_MS": raw})); err == nil ||
			!strings.Contains(err.Error(), "WAREST_LOGIN_TTL_MS") {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

func TestConfigSendExpiry(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]time.Duration{"": 24 * time.Hour, "0": 0, "60000": time.Minute} {
		c, err := loadConfig(lookup(map[string]string{"WAREST_SEND_EXPIRY_MS": raw}))
		if err != nil || c.Messaging.SendExpiry != want {
			t.Errorf("%q: expiry %v, %v; want %v", raw, c.Messaging.SendExpiry, err, want)
		}
	}
	if _, err := loadConfig(lookup(map[string]string{"WAREST_SEND_EXPIRY_MS": "-1"})); err == nil ||
		!strings.Contains(err.Error(), "WAREST_SEND_EXPIRY_MS") {
		t.Errorf("a negative expiry: %v", err)
	}
}

func TestConfigCapsAndQRTimeout(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Caps.Sessions != 20 || c.Caps.Streams != 5 || c.QRTimeout != 3*time.Minute {
		t.Errorf("defaults: caps %+v, QR timeout %s", c.Caps, c.QRTimeout)
	}
	c, err = loadConfig(lookup(map[string]string{"WAREST_MAX_SESSIONS_PER_USER": "0", "WAREST_MAX_STREAMS_PER_USER": "2", "WAREST_QR_TIMEOUT_MS": "1500"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Caps.Sessions != 0 || c.Caps.Streams != 2 || c.QRTimeout != 1500*time.Millisecond {
		t.Errorf("set: caps %+v, QR timeout %s", c.Caps, c.QRTimeout)
	}
	_, err = loadConfig(lookup(map[string]string{"WAREST_MAX_SESSIONS_PER_USER": "-1"}))
	if err == nil || !strings.Contains(err.Error(), "WAREST_MAX_SESSIONS_PER_USER") {
		t.Errorf("negative cap: %v", err)
	}
}

func TestConfigAllowedOrigins(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(map[string]string{"PORT": "9000", "HOST": "wa.internal", "WAREST_BASE_URL": "https://wa.example.com/base/"}))
	if err != nil {
		t.Fatal(err)
	}
	want := "http://localhost:9000 http://127.0.0.1:9000 https://wa.example.com http://wa.internal:9000"
	if got := strings.Join(c.AllowedOrigins, " "); got != want {
		t.Errorf("default origins %q, want %q", got, want)
	}
	c, err = loadConfig(lookup(map[string]string{"WAREST_ALLOWED_ORIGINS": " https://a.example , http://b.example:8080/ ,"}))
	if err != nil || strings.Join(c.AllowedOrigins, " ") != "https://a.example http://b.example:8080" {
		t.Errorf("listed origins %q %v", c.AllowedOrigins, err)
	}
	c, err = loadConfig(lookup(map[string]string{"ALLOWED_ORIGINS": "*", "WAREST_ALLOWED_ORIGINS": "https://ignored.example"}))
	if err != nil || strings.Join(c.AllowedOrigins, " ") != "*" {
		t.Errorf("any origin %q %v", c.AllowedOrigins, err)
	}
	for _, bad := range []string{"app.example.com", "https://a.example/path", "ftp://a.example"} {
		if _, err := loadConfig(lookup(map[string]string{"ALLOWED_ORIGINS": bad})); err == nil || !strings.Contains(err.Error(), "ALLOWED_ORIGINS") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestConfigOperatorSettings(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(nil))
	if err != nil || c.ShutdownTimeout != 15*time.Second || c.MetricsToken != "" || c.Tracing || c.LogFormat != "text" {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = loadConfig(lookup(map[string]string{"WAREST_SHUTDOWN_TIMEOUT_MS": "2500", "WAREST_METRICS_TOKEN": "t0k",
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces", "WAREST_LOG_FORMAT": "JSON"}))
	if err != nil || c.ShutdownTimeout != 2500*time.Millisecond || c.MetricsToken != "t0k" || !c.Tracing || c.LogFormat != "json" {
		t.Fatalf("set: %+v, %v", c, err)
	}
}

// The node's identity and lease timing: on SQLite and MySQL the one node is "local"
// (a restart after a crash finds its leases its own); on PostgreSQL each process
// gets its own id unless given one.
func TestClusterConfig(t *testing.T) {
	t.Parallel()
	load := func(env map[string]string) (Config, error) {
		return loadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	}
	c, err := load(map[string]string{})
	if err != nil || c.Cluster.NodeID != "local" || c.Cluster.Addr != "http://127.0.0.1:7308" || c.Cluster.TTL != 15*time.Second {
		t.Fatalf("SQLite defaults: %+v, %v", c.Cluster, err)
	}
	pg := map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": "postgres://x/y", "PORT": "9000"}
	a, errA := load(pg)
	b, errB := load(pg)
	if errA != nil || errB != nil || a.Cluster.NodeID != "" || a.Cluster.Addr != "http://127.0.0.1:9000" {
		t.Fatalf("PostgreSQL defaults: %+v %v, %+v %v; want no id (random at start)", a.Cluster, errA, b.Cluster, errB)
	}
	pg["WAREST_NODE_ID"], pg["WAREST_NODE_ADDR"], pg["WAREST_LEASE_TTL"] = "n1", "https://n1.internal:7308", "30s"
	if c, err := load(pg); err != nil || c.Cluster.NodeID != "n1" || c.Cluster.Addr != "https://n1.internal:7308" || c.Cluster.TTL != 30*time.Second {
		t.Fatalf("set: %+v, %v", c.Cluster, err)
	}
	for k, v := range map[string]string{"WAREST_LEASE_TTL": "1s", "WAREST_NODE_ADDR": "n1:7308"} {
		bad := map[string]string{k: v}
		if _, err := load(bad); err == nil || !strings.Contains(err.Error(), k) {
			t.Fatalf("%s=%s: %v, want an error naming it", k, v, err)
		}
	}
}
