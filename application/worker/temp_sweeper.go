package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/warest-go/warest/ports"
)

// TempSweeper deletes temporary blobs (keys under ports.TempBlobPrefix: QR images,
// thumbnails) once older than TTL, checking every TTL/2 so none outlives 1.5 TTL.
type TempSweeper struct {
	blobs ports.BlobExpirer
	clock ports.Clock
	log   *slog.Logger
	TTL   time.Duration // WAREST_STORAGE_TEMP_TTL_SEC
}

func NewTempSweeper(blobs ports.BlobExpirer, clock ports.Clock, log *slog.Logger) *TempSweeper {
	return &TempSweeper{blobs: blobs, clock: clock, log: log, TTL: 5 * time.Minute}
}

// Run sweeps at once and then every TTL/2 until ctx ends.
func (s *TempSweeper) Run(ctx context.Context) {
	loop(ctx, s.TTL/2, nil, func(ctx context.Context) bool {
		s.Sweep(ctx)
		return false
	})
}

// Sweep deletes the temporary blobs older than TTL.
func (s *TempSweeper) Sweep(ctx context.Context) {
	n, err := s.blobs.DeleteOlder(ctx, ports.TempBlobPrefix, s.clock.Now().Add(-s.TTL))
	if err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "temp sweeper: delete expired temporary files", "deleted", n, "err", err)
	} else if n > 0 {
		s.log.DebugContext(ctx, "temp sweeper: deleted expired temporary files", "deleted", n)
	}
}
