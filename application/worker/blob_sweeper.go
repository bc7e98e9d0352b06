package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/warest-go/warest/ports"
)

// BlobSweeper deletes outbound media no message needs any more, so user files do not
// linger and the disk does not grow forever. A blob is spent when every message
// carrying it is final (sent, so the transport uploaded it, or failed) and none
// changed for Retention. A queued message keeps its blob: after a crash between the
// send and the status update the worker resends the same message, bytes included.
// The recipients of one request share one blob, which goes with the last of them.
type BlobSweeper struct {
	store ports.Store
	blobs ports.BlobStore
	clock ports.Clock
	log   *slog.Logger
	// Retention is the grace after a message's last change; 0 keeps blobs forever.
	Retention time.Duration
	// Every is the pause between sweeps (shorter when Retention is).
	Every time.Duration
}

// sweepBatch bounds the keys one sweep round lists, and so its memory.
const sweepBatch = 100

func NewBlobSweeper(store ports.Store, blobs ports.BlobStore, clock ports.Clock, log *slog.Logger) *BlobSweeper {
	return &BlobSweeper{store: store, blobs: blobs, clock: clock, log: log, Retention: 24 * time.Hour, Every: 10 * time.Minute}
}

// Run sweeps at once and then every Every until ctx ends.
func (s *BlobSweeper) Run(ctx context.Context) {
	if s.Retention <= 0 {
		return
	}
	loop(ctx, min(s.Every, s.Retention), nil, s.Sweep)
}

// Sweep deletes one batch of spent blobs and reports whether more may wait. Each blob
// is deleted before it is marked, so a crash in between only deletes it again.
func (s *BlobSweeper) Sweep(ctx context.Context) bool {
	keys, err := s.store.Messages().ListSpentBlobs(ctx, s.clock.Now().Add(-s.Retention), sweepBatch)
	if err != nil {
		s.fail(ctx, "list spent blobs", "", err)
		return false
	}
	for _, key := range keys {
		if err := s.blobs.Delete(ctx, key); err != nil {
			s.fail(ctx, "delete blob", key, err)
			return false
		}
		if err := s.store.Messages().MarkBlobDeleted(ctx, key); err != nil {
			s.fail(ctx, "mark blob deleted", key, err)
			return false
		}
	}
	return len(keys) == sweepBatch
}

// fail logs err unless it is the shutdown; the next sweep retries.
func (s *BlobSweeper) fail(ctx context.Context, what, key string, err error) {
	if ctx.Err() == nil {
		s.log.ErrorContext(ctx, "blob sweeper: "+what, "key", key, "err", err)
	}
}
