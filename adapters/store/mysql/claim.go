package mysql

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/warest-go/warest/adapters/store/mysql/internal/db"
)

// claimArgs are store.ClaimArg as the claim's statements take them.
type claimArgs struct {
	Now, LockedUntil time.Time
	Lines, PerLine   int64
}

// ClaimDueDeliveries runs in the repository's transaction (READ COMMITTED). MySQL
// has no LATERAL, so it reads the due lines and each line's run as SQLite does, then
// locks the runs' rows with FOR UPDATE SKIP LOCKED, which re-checks them against the
// latest commits and passes over rows another claimer is leasing right now. Each run
// is cut at its first row that did not lock, so a claim is always a line's next
// deliveries in order.
func (q queries) ClaimDueDeliveries(ctx context.Context, arg claimArgs) ([]db.WebhookDelivery, error) {
	now := arg.Now
	heads, err := q.ListClaimableLines(ctx, db.ListClaimableLinesParams{Now: now, FreeAt: &now, Lim: int32(arg.Lines)})
	if err != nil {
		return nil, fmt.Errorf("list claimable lines: %w", err)
	}
	var runs [][]string
	var ids []string
	for _, h := range heads {
		rows, err := q.ListLineRun(ctx, db.ListLineRunParams{SessionID: h.SessionID, SubscriptionID: h.SubscriptionID,
			Url: h.Url, Head: h.Head, Lim: int32(arg.PerLine)})
		if err != nil {
			return nil, fmt.Errorf("list line run: %w", err)
		}
		var run []string
		for _, row := range rows {
			if row.NextAttemptAt.After(now) || (row.LockedUntil != nil && row.LockedUntil.After(now)) {
				break // the rest of the line waits behind it
			}
			run = append(run, row.ID)
		}
		runs = append(runs, run)
		ids = append(ids, run...)
	}
	if len(ids) == 0 {
		return []db.WebhookDelivery{}, nil
	}
	locked, err := q.LockDueDeliveries(ctx, db.LockDueDeliveriesParams{Ids: ids, Now: now, FreeAt: &now})
	if err != nil {
		return nil, fmt.Errorf("lock deliveries: %w", err)
	}
	var kept []string
	for _, run := range runs {
		for _, id := range run {
			if !slices.Contains(locked, id) {
				break
			}
			kept = append(kept, id)
		}
	}
	if len(kept) == 0 {
		return []db.WebhookDelivery{}, nil
	}
	until := arg.LockedUntil
	if err := q.LeaseDeliveries(ctx, db.LeaseDeliveriesParams{LockedUntil: &until, Ids: kept}); err != nil {
		return nil, fmt.Errorf("lease deliveries: %w", err)
	}
	rows, err := q.ListDeliveriesByID(ctx, kept)
	if err != nil {
		return nil, fmt.Errorf("read claimed deliveries: %w", err)
	}
	return rows, nil
}
