package restart

import (
	"context"

	"go.uber.org/fx"
)

// Module provides the Restarter; it needs a Config. Stopping the app disarms
// its timers.
var Module = fx.Module("restart",
	fx.Provide(New),
	fx.Invoke(func(lc fx.Lifecycle, r *Restarter) {
		lc.Append(fx.StopHook(func(context.Context) error { r.Stop(); return nil }))
	}),
)
