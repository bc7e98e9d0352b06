package qr

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the PNG QR renderer as ports.QRRenderer.
var Module = fx.Module("qr",
	fx.Provide(fx.Annotate(New, fx.As(new(ports.QRRenderer)))),
)
