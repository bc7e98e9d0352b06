package remote_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/adapters/sandbox/remote"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// One app shares its network; another reaches it through the client module.
func TestModulesShareANetwork(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	host := fx.New(fx.NopLogger, sandbox.Module, remote.ServeModule,
		fx.Supply(log, remote.ServeConfig{Addr: addr}, fx.Annotate(wallClock{}, fx.As(new(ports.Clock)))))
	var tr ports.Transport
	var control ports.SandboxNetwork
	gateway := fx.New(fx.NopLogger, remote.Module, fx.Supply(remote.Config{URL: "http://" + addr}), fx.Populate(&tr, &control))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, app := range []*fx.App{host, gateway} {
		if err := app.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sink := &contract.TransportSink{}
	if err := tr.Start(ctx, "s1", sink); err != nil {
		t.Fatal(err)
	}
	contract.WaitFor[ports.TransportQR](t, sink, 1, nil)
	if _, ok := control.CurrentQR("s1"); !ok {
		t.Fatal("the control surface does not reach the shared network")
	}
	for _, app := range []*fx.App{gateway, host} {
		if err := app.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
