package webhook

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Params lets Config be omitted: the default timeout applies.
type Params struct {
	fx.In
	Config Config `optional:"true"`
}

// Module provides the HTTP webhook sender as ports.WebhookSender.
var Module = fx.Module("webhook",
	fx.Provide(fx.Annotate(
		func(p Params) *Sender { return New(p.Config) },
		fx.As(new(ports.WebhookSender)),
	)),
)
