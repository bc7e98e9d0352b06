package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/warest-go/warest/ports"
)

// HistorySweeper forgets chat history past its retention: for each session, the
// messages sent longer ago than the session's retention (its own, else Retention),
// in batches, so no sweep holds the database long.
type HistorySweeper struct {
	store ports.Store
	clock ports.Clock
	log   *slog.Logger
	// Retention is how long every session keeps its history unless it sets its
	// own; 0 keeps it forever.
	Retention time.Duration
	// Every is the pause between sweeps.
	Every time.Duration
}

// historyBatch bounds the messages one session loses in one round.
const historyBatch = 500

func NewHistorySweeper(store ports.Store, clock ports.Clock, log *slog.Logger) *HistorySweeper {
	return &HistorySweeper{store: store, clock: clock, log: log, Every: time.Hour}
}

// Run sweeps at once and then every Every until ctx ends.
func (s *HistorySweeper) Run(ctx context.Context) { loop(ctx, s.Every, nil, s.Sweep) }

// Sweep deletes one batch of old history per session and reports whether more may
// wait.
func (s *HistorySweeper) Sweep(ctx context.Context) bool {
	sessions, err := s.store.Sessions().List(ctx, "")
	if err != nil {
		s.fail(ctx, "list sessions", "", err)
		return false
	}
	more := false
	for _, sess := range sessions {
		keep := s.Retention
		if own := sess.HistoryRetention(); own > 0 {
			keep = own
		}
		if keep <= 0 {
			continue
		}
		n, err := s.store.Inbound().Forget(ctx, sess.ID(), s.clock.Now().Add(-keep), historyBatch)
		if err != nil {
			s.fail(ctx, "forget old history", sess.ID(), err)
			return false
		}
		more = more || n == historyBatch
	}
	return more
}

// fail logs err unless it is the shutdown; the next sweep retries.
func (s *HistorySweeper) fail(ctx context.Context, what, sessionID string, err error) {
	if ctx.Err() == nil {
		s.log.ErrorContext(ctx, "history sweeper: "+what, "session", sessionID, "err", err)
	}
}
