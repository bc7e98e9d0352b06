package whatsmeow

import (
	"context"
	"log/slog"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Params: Config is optional (defaults); the media store is optional (media sends
// fail without one). Devices, the store's device links, completes Database.
type Params struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    Config `optional:"true"`
	Database  Database
	Devices   ports.DeviceLinks
	Blobs     ports.BlobStore `optional:"true"`
	Log       *slog.Logger
}

// Module provides the real WhatsApp transport as *Transport, ports.Transport, the
// group, profile, contact and call ports and ports.MessageSecrets (poll secrets),
// and stops every session when the app stops.
var Module = fx.Module("whatsmeow",
	fx.Provide(fx.Annotate(
		func(p Params) (*Transport, error) {
			// Constructors get no context; upgrading the device tables is bounded anyway.
			db := p.Database
			db.Devices = p.Devices
			t, err := New(context.Background(), p.Config, db, p.Blobs, p.Log)
			if err != nil {
				return nil, err
			}
			p.Lifecycle.Append(fx.StopHook(t.Close))
			return t, nil
		},
		fx.As(fx.Self()),
		fx.As(new(ports.Transport)),
		fx.As(new(ports.Groups)),
		fx.As(new(ports.Profiles)),
		fx.As(new(ports.Contacts)),
		fx.As(new(ports.Calls)),
		fx.As(new(ports.MessageSecrets)),
	)),
)
