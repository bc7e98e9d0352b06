package system

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the wall clock and ULID ids.
var Module = fx.Module("system",
	fx.Provide(
		func() ports.Clock { return Clock{} },
		func() ports.IDs { return IDs{} },
	),
)
