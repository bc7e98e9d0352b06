package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/fx"
)

// The shared-network variants wire up like the others.
func TestSandboxSharingWiresUp(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{
		{"WAREST_TRANSPORT": "sandbox", "WAREST_SANDBOX_SERVE": "127.0.0.1:7400"},
		{"WAREST_TRANSPORT": "sandbox", "WAREST_SANDBOX_URL": "http://127.0.0.1:7400"},
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

func TestSandboxCommandUsage(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := runSandbox(cfg, log, []string{"dance"}, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("unknown subcommand: %v", err)
	}
	if err := runSandbox(cfg, log, []string{"serve", "--bogus"}, io.Discard); err == nil {
		t.Fatal("unknown flag accepted")
	}
}
