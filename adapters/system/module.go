package system

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the wall clock, ULID ids and the system's resolver.
var Module = fx.Module("system",
	fx.Provide(
		func() ports.Clock { return Clock{} },
		func() ports.IDs { return IDs{} },
		func() ports.Resolver { return Resolver{} },
	),
)
