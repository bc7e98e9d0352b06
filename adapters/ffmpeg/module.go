package ffmpeg

import (
	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

// Module provides the ffmpeg transcoder as ports.MediaTranscoder; it needs a Config.
var Module = fx.Module("ffmpeg",
	fx.Provide(fx.Annotate(New, fx.As(new(ports.MediaTranscoder)))),
)
