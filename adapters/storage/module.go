package storage

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the local blob store as ports.BlobStore; it needs a Config.
var Module = fx.Module("storage",
	fx.Provide(fx.Annotate(New, fx.As(new(ports.BlobStore)))),
)
