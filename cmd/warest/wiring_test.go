package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/fx"
)

// The whole graph must resolve for every database and transport choice, before any
// constructor runs.
func TestEveryConfigurationWiresUp(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{
		{},
		{"WAREST_TRANSPORT": "sandbox"},
		{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": "postgres://localhost/none"},
		{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": "postgres://localhost/none", "WAREST_TRANSPORT": "sandbox"},
		{"WAREST_DB_CLIENT": "mysql", "WAREST_DB_MYSQL_URL": "root@tcp(localhost:1)/none", "WAREST_TRANSPORT": "sandbox"},
		{"WAREST_DB_CLIENT": "mysql", "WAREST_DB_MYSQL_URL": "root@tcp(localhost:1)/none"},
		{"WAREST_TRANSPORT": "sandbox", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"},
	} {
		cfg, err := loadConfig(lookup(env))
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		if err := fx.ValidateApp(options(cfg, log, io.Discard)...); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
}

// The login cookie's key comes from the secret key: the same data directory gives
// the same key after a restart, WAREST_SECRET_KEY another one, and neither is the
// sealing key itself.
func TestTheCookieKeyIsDerivedFromTheSecretKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cookieKey := func(env map[string]string) []byte {
		t.Helper()
		cfg, err := loadConfig(lookup(env))
		if err != nil {
			t.Fatal(err)
		}
		hc, err := httpConfig(cfg, secretKey(cfg), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return hc.CookieSecret
	}
	first := cookieKey(map[string]string{"WAREST_DATA_DIR": dir})
	sealing, err := os.ReadFile(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 32 || bytes.Equal(first, sealing) {
		t.Fatalf("cookie key of %d bytes, the sealing key: %v", len(first), bytes.Equal(first, sealing))
	}
	if again := cookieKey(map[string]string{"WAREST_DATA_DIR": dir}); !bytes.Equal(again, first) {
		t.Fatal("the same key file gives another cookie key")
	}
	fromEnv := cookieKey(map[string]string{"WAREST_DATA_DIR": dir, "WAREST_SECRET_KEY": "another secret"})
	if bytes.Equal(fromEnv, first) || !bytes.Equal(fromEnv, cookieKey(map[string]string{"WAREST_DATA_DIR": t.TempDir(), "WAREST_SECRET_KEY": "another secret"})) {
		t.Fatal("WAREST_SECRET_KEY does not decide the cookie key")
	}
}
