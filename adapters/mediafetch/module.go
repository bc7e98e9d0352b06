package mediafetch

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the guarded fetcher as ports.MediaFetcher; it needs a Config.
var Module = fx.Module("mediafetch",
	fx.Provide(fx.Annotate(New, fx.As(new(ports.MediaFetcher)))),
)
