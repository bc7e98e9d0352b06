package postgres_test

import (
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/warest-go/warest/adapters/postgres"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

func TestModuleProvidesStoreAndClosesIt(t *testing.T) {
	t.Parallel()
	var store ports.Store
	var concrete *postgres.Store
	app := fxtest.New(t,
		postgres.Module,
		fx.Supply(postgres.Config{URL: contract.PostgresSchemaURL(t)}),
		fx.Provide(func() ports.SecretSealer { return contract.Sealer{} }),
		fx.Populate(&store, &concrete),
	)
	app.RequireStart()
	if err := store.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	app.RequireStop()
	if err := concrete.DB().Ping(); err == nil {
		t.Fatal("database still open after stop")
	}
}
