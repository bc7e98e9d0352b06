package store_test

import (
	"path/filepath"
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

func TestModuleProvidesStoreAndClosesIt(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		module fx.Option
		config func(t *testing.T) any
	}{
		{"sqlite", sqlite.Module, func(t *testing.T) any { return sqlite.Config{Path: filepath.Join(t.TempDir(), "warest.db")} }},
		{"postgres", postgres.Module, func(t *testing.T) any { return postgres.Config{URL: contract.PostgresSchemaURL(t)} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var store ports.Store
			var links ports.DeviceLinks
			app := fxtest.New(t, c.module, fx.Supply(c.config(t)),
				fx.Provide(func() ports.SecretSealer { return contract.Sealer{} }),
				fx.Populate(&store, &links))
			app.RequireStart()
			if err := store.Ping(t.Context()); err != nil {
				t.Fatal(err)
			}
			app.RequireStop()
			if err := store.Ping(t.Context()); err == nil {
				t.Fatal("database still open after stop")
			}
		})
	}
}
