package main

import (
	"io"
	"log/slog"
	"testing"

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
