package hoststats

import (
	"context"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the sampler as ports.HostStats and runs it for the app's
// lifetime; it needs a Config.
var Module = fx.Module("hoststats",
	fx.Provide(New, func(s *Sampler) ports.HostStats { return s }),
	fx.Invoke(func(lc fx.Lifecycle, s *Sampler) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		lc.Append(fx.Hook{
			OnStart: func(context.Context) error { go func() { defer close(done); s.Run(ctx) }(); return nil },
			OnStop:  func(context.Context) error { cancel(); <-done; return nil },
		})
	}),
)
