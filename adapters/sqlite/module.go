package sqlite

import (
	"context"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides *Store (for DB()), ports.Store and ports.DeviceLinks, given a Config and a
// ports.SecretSealer; the database is closed on stop.
var Module = fx.Module("sqlite",
	fx.Provide(fx.Annotate(newForFx, fx.As(fx.Self()), fx.As(new(ports.Store)), fx.As(new(ports.DeviceLinks)))),
)

func newForFx(lc fx.Lifecycle, cfg Config, sealer ports.SecretSealer) (*Store, error) {
	// Constructors get no context; opening and migrating a local file is bounded anyway.
	s, err := Open(context.Background(), cfg, sealer)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(s.Close))
	return s, nil
}
