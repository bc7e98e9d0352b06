package bus

import (
	"context"
	"log/slog"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Params: Config and Logger are optional (defaults, slog.Default).
type Params struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    Config       `optional:"true"`
	Logger    *slog.Logger `optional:"true"`
}

// Module provides the bus (in process, or with Config.PostgresURL across nodes) as *Bus, ports.EventPublisher,
// ports.EventSubscriber and ports.Signals. Its start hook is appended when the bus is built, so it
// runs before the start hooks of anything that depends on it (the relay), and
// after every Subscribe made while the app was being constructed.
var Module = fx.Module("bus",
	fx.Provide(fx.Annotate(
		func(p Params) (*Bus, error) {
			b := (*Bus)(nil)
			if url := p.Config.PostgresURL; url == "" {
				b = New(p.Config, p.Logger)
			} else {
				var err error
				if b, err = NewPostgres(context.Background(), p.Config, url, p.Logger); err != nil {
					return nil, err
				}
			}
			p.Lifecycle.Append(fx.Hook{OnStart: b.Start, OnStop: func(context.Context) error { return b.Close() }})
			return b, nil
		},
		fx.As(fx.Self()),
		fx.As(new(ports.EventPublisher)),
		fx.As(new(ports.EventSubscriber)),
		fx.As(new(ports.Signals)),
	)),
)
