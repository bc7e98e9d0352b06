package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/warest-go/warest/adapters/store/sqlite/internal/db"
)

// queries is what the store adapter binds: the sqlc statements, and the one
// operation SQLite composes of several.
type queries struct{ *db.Queries }

// claimArgs are store.ClaimArg in SQLite's encoding.
type claimArgs struct {
	Now, LockedUntil int64
	Lines, PerLine   int64
}

// ClaimDueDeliveries runs in the repository's transaction, which takes the write lock
// at BEGIN (see dsn): concurrent claimers queue behind it and see its leases. It runs
// simple statements, one per line, rather than one that does it all: modernc compiles
// a statement on every call, and compiling such a one costs more than running these.
func (q queries) ClaimDueDeliveries(ctx context.Context, arg claimArgs) ([]db.WebhookDelivery, error) {
	heads, err := q.ListClaimableLines(ctx, db.ListClaimableLinesParams{Now: arg.Now, Lines: arg.Lines})
	if err != nil {
		return nil, fmt.Errorf("list claimable lines: %w", err)
	}
	var ids []string
	for _, h := range heads {
		run, err := q.ListLineRun(ctx, db.ListLineRunParams{SessionID: h.SessionID, SubscriptionID: h.SubscriptionID,
			Url: h.Url, Head: h.Head, Lim: arg.PerLine})
		if err != nil {
			return nil, fmt.Errorf("list line run: %w", err)
		}
		for _, row := range run {
			if row.NextAttemptAt > arg.Now || (row.LockedUntil.Valid && row.LockedUntil.Int64 > arg.Now) {
				break // the rest of the line waits behind it
			}
			ids = append(ids, row.ID)
		}
	}
	if len(ids) == 0 {
		return []db.WebhookDelivery{}, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("lease deliveries: %w", err)
	}
	if err := q.LeaseDeliveries(ctx, db.LeaseDeliveriesParams{LockedUntil: sql.NullInt64{Int64: arg.LockedUntil, Valid: true}, Ids: string(list)}); err != nil {
		return nil, fmt.Errorf("lease deliveries: %w", err)
	}
	rows, err := q.ListDeliveriesByID(ctx, string(list))
	if err != nil {
		return nil, fmt.Errorf("read claimed deliveries: %w", err)
	}
	return rows, nil
}
