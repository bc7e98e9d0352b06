package qr

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the QR renderer as ports.QRRenderer (login QR codes) and
// ports.QRImages (the misc QR route).
var Module = fx.Module("qr",
	fx.Provide(fx.Annotate(New, fx.As(new(ports.QRRenderer)), fx.As(new(ports.QRImages)))),
)
