package warestjson

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the WAREST renderer as ports.EventRenderer.
var Module = fx.Module("warestjson",
	fx.Provide(fx.Annotate(func() Renderer { return Renderer{} }, fx.As(new(ports.EventRenderer)))),
)
