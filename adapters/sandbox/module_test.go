package sandbox

import (
	"context"
	"testing"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

func TestModuleProvidesPorts(t *testing.T) {
	t.Parallel()
	var transport ports.Transport
	var control ports.SandboxNetwork
	app := fx.New(Module, fx.NopLogger,
		fx.Supply(fx.Annotate(newFakeClock(), fx.As(new(ports.Clock)))),
		fx.Populate(&transport, &control),
	)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sink := &recordingSink{}
	if err := transport.Start(ctx, "s1", sink); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportQR](t, sink, 1)
	if _, ok := control.CurrentQR("s1"); !ok {
		t.Fatal("control surface and transport are not the same network")
	}
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}
