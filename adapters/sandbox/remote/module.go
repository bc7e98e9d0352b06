package remote

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/sandbox"

	"github.com/warest-go/warest/ports"
)

// Config points a gateway at a shared network, e.g. URL "http://127.0.0.1:7400".
// Name, e.g. the gateway's listen address, starts its client id, so the network's
// logs say which gateway sent or connected what.
type Config struct{ URL, Name string }

// Module provides a Client as every port a sandbox network implements, for a
// gateway whose network runs in another process.
var Module = fx.Module("sandbox-remote",
	fx.Provide(fx.Annotate(
		func(lc fx.Lifecycle, c Config) *Client {
			client := NewNamedClient(c.URL, c.Name)
			lc.Append(fx.StopHook(client.Close))
			return client
		},
		fx.As(fx.Self()),
		fx.As(new(ports.Transport)),
		fx.As(new(ports.SandboxNetwork)),
		fx.As(new(ports.Groups)),
		fx.As(new(ports.Profiles)),
		fx.As(new(ports.Contacts)),
		fx.As(new(ports.Calls)),
	)),
)

// ServeConfig is the loopback address a network is shared on, e.g. "127.0.0.1:7400".
type ServeConfig struct{ Addr string }

// ServeParams is the network to share (sandbox.Module provides it).
type ServeParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    ServeConfig
	Log       *slog.Logger
	Network   *sandbox.Network
}

// ServeModule shares the app's sandbox network with other processes for the
// app's lifetime.
var ServeModule = fx.Module("sandbox-serve",
	fx.Invoke(func(p ServeParams) {
		srv := NewServer(p.Network)
		hs := &http.Server{Addr: p.Config.Addr, Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		p.Lifecycle.Append(fx.Hook{
			OnStart: func(context.Context) error {
				ln, err := net.Listen("tcp", p.Config.Addr)
				if err != nil {
					return err
				}
				p.Log.Info("sandbox network shared", "addr", ln.Addr().String())
				go func() {
					if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
						p.Log.Error("sandbox network server stopped", "err", err)
					}
				}()
				return nil
			},
			OnStop: func(ctx context.Context) error {
				srv.Close()
				return hs.Shutdown(ctx)
			},
		})
	}),
)
