package storage

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// LocalModule provides the local store, with its signed links, as ports.BlobStore,
// ports.BlobLinks and *Links (the /storages/ route); it needs a Config and a LinkConfig.
var LocalModule = fx.Module("storage",
	fx.Provide(New, NewLinks,
		func(l *Links) ports.BlobStore { return l },
		func(l *Links) ports.BlobLinks { return l }),
)

// S3Module provides the S3 store as ports.BlobStore and ports.BlobLinks; it needs an S3Config.
var S3Module = fx.Module("storage",
	fx.Provide(NewS3,
		func(s *S3) ports.BlobStore { return s },
		func(s *S3) ports.BlobLinks { return s }),
)
