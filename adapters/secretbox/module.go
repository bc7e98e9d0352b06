package secretbox

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the AES-256-GCM sealer as ports.SecretSealer; it needs a Config.
var Module = fx.Module("secretbox",
	fx.Provide(fx.Annotate(New, fx.As(new(ports.SecretSealer)))),
)
