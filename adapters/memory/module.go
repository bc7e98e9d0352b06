package memory

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides an empty in-memory *Store as ports.Store.
var Module = fx.Module("memory",
	fx.Provide(fx.Annotate(New, fx.As(fx.Self()), fx.As(new(ports.Store)))),
)
