package store

import (
	"context"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Dialect stores are what Module provides.
type dialectStore interface {
	ports.Store
	ports.DeviceLinks
	Close() error
}

// Module provides a dialect's store as itself (for DB()), ports.Store and
// ports.DeviceLinks, opened by open with the dialect's Config and a
// ports.SecretSealer; the database is closed on stop. Constructors get no context:
// open bounds its own waits (a local file; PostgreSQL's migration lock timeout).
func Module[C any, S dialectStore](name string, open func(context.Context, C, ports.SecretSealer) (S, error)) fx.Option {
	return fx.Module(name, fx.Provide(fx.Annotate(
		func(lc fx.Lifecycle, cfg C, sealer ports.SecretSealer) (S, error) {
			s, err := open(context.Background(), cfg, sealer)
			if err != nil {
				return s, err
			}
			lc.Append(fx.StopHook(s.Close))
			return s, nil
		},
		fx.As(fx.Self()), fx.As(new(ports.Store)), fx.As(new(ports.DeviceLinks)),
	)))
}
