package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/ports"
)

// Params is what the module needs from the app; the sandbox, live wake-ups and the
// dashboard are optional.
type Params struct {
	fx.In
	Commands  *command.Commands
	Queries   *query.Queries
	Sandbox   ports.SandboxNetwork `optional:"true"`
	Log       *slog.Logger
	Config    Config
	Live      LiveEvents `optional:"true"`
	Renderer  ports.EventRenderer
	Metrics   Metrics         `optional:"true"`
	Tracer    Tracer          `optional:"true"`
	Dashboard Dashboard       `optional:"true"`
	Host      ports.HostStats `optional:"true"`
	Restarter Restarter       `optional:"true"`
	Storage   SignedStorage   `optional:"true"`
	Nodes     Nodes           `optional:"true"`
	Owners    ports.Ownership `optional:"true"`
}

// Module provides the handler (as *Handler and http.Handler) and an *http.Server
// listening on Config.Addr for the app's lifetime.
var Module = fx.Module("httpapi",
	fx.Provide(
		fx.Annotate(func(p Params) *Handler {
			return NewHandler(Deps{Commands: p.Commands, Queries: p.Queries, Sandbox: p.Sandbox, Log: p.Log, Config: p.Config, Live: p.Live,
				Renderer: p.Renderer, Metrics: p.Metrics, Tracer: p.Tracer, Dashboard: p.Dashboard,
				Host: p.Host, Restarter: p.Restarter, Storage: p.Storage, Nodes: p.Nodes, Owners: p.Owners})
		}, fx.As(fx.Self()), fx.As(new(http.Handler))),
		newServer,
	),
	fx.Invoke(func(*http.Server) {}),
)

func newServer(lc fx.Lifecycle, h *Handler, cfg Config, log *slog.Logger) *http.Server {
	srv := &http.Server{Addr: cfg.Addr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// Shutdown waits for every request to finish; event streams finish only when told.
	srv.RegisterOnShutdown(h.CloseStreams)
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			// Listen synchronously so a busy port fails the boot instead of a goroutine.
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return err
			}
			log.Info("http server listening", "addr", ln.Addr().String())
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("http server stopped", "err", err)
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			streams := h.streams.opened()
			err := srv.Shutdown(ctx)
			log.Info("http server stopped", "streams_closed", streams, "err", err)
			return err
		},
	})
	return srv
}
