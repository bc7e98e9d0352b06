package sandbox

import (
	"cmp"
	"log/slog"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Params: Config is optional (defaults); the clock and the logger come from the app.
type Params struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    Config `optional:"true"`
	Clock     ports.Clock
	Log       *slog.Logger `optional:"true"`
}

// Module provides the virtual network as *Network and as every port it implements
// (Transport, SandboxNetwork, Groups, Profiles, Contacts), and stops every client
// when the app stops.
var Module = fx.Module("sandbox",
	fx.Provide(fx.Annotate(
		func(p Params) *Network {
			cfg := p.Config
			cfg.Log = cmp.Or(cfg.Log, p.Log)
			n := NewNetwork(cfg, p.Clock)
			p.Lifecycle.Append(fx.StopHook(n.Close))
			return n
		},
		fx.As(fx.Self()),
		fx.As(new(ports.Transport)),
		fx.As(new(ports.SandboxNetwork)),
		fx.As(new(ports.Groups)),
		fx.As(new(ports.Profiles)),
		fx.As(new(ports.Contacts)),
		fx.As(new(ports.Calls)),
	)),
)
