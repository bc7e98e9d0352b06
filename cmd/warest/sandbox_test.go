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

// A command group refuses a missing or unknown command, and a command an unknown flag.
func TestCommandUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"sandbox"}, {"sandbox", "dance"}, {"sandbox", "serve", "--bogus"}, {"migrate", "sideways"},
		{"users"}, {"keys", "create"}, {"bogus"}} {
		cli := newCLI(io.Discard)
		cli.SetArgs(args)
		cli.SetErr(io.Discard)
		if err := cli.Execute(); err == nil {
			t.Errorf("warest %s: no error", strings.Join(args, " "))
		}
	}
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	cli := newCLI(&out)
	cli.SetArgs([]string{"version"})
	if err := cli.Execute(); err != nil || out.String() != "warest "+version+"\n" {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
}
