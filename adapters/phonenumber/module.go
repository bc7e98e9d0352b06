package phonenumber

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the numbering plan as ports.PhoneNumbers.
var Module = fx.Module("phonenumber",
	fx.Provide(fx.Annotate(func() Plan { return Plan{} }, fx.As(new(ports.PhoneNumbers)))),
)
