package mysql

import (
	"context"
	"database/sql"
	"time"

	"github.com/warest-go/warest/adapters/store/mysql/internal/db"
)

// leaseArgs are store.LeaseArg as the lease statements take them.
type leaseArgs struct {
	SessionID, NodeID     string
	Now                   time.Time
	AcquiredAt, ExpiresAt time.Time
}

// RenewLeases extends the node's live leases, then reads back the ones it extended:
// those of the node that now expire at the new time. MySQL keeps one node per
// database (nodelock.go), so nothing else changes them in between.
func (q queries) RenewLeases(ctx context.Context, arg leaseArgs) ([]db.SessionLease, error) {
	if err := q.ExtendLeases(ctx, db.ExtendLeasesParams{ExpiresAt: arg.ExpiresAt, NodeID: arg.NodeID, Now: arg.Now}); err != nil {
		return nil, err
	}
	return q.ListNodeLeasesUntil(ctx, db.ListNodeLeasesUntilParams{NodeID: arg.NodeID, ExpiresAt: arg.ExpiresAt})
}

// AcquireLease runs in the repository's transaction: it takes over an expired lease
// (the update locks the row), or inserts a new one; a live lease is "no row".
func (q queries) AcquireLease(ctx context.Context, arg leaseArgs) (db.SessionLease, error) {
	n, err := q.TakeOverLease(ctx, db.TakeOverLeaseParams{NodeID: arg.NodeID, AcquiredAt: arg.AcquiredAt,
		ExpiresAt: arg.ExpiresAt, SessionID: arg.SessionID})
	if err != nil {
		return db.SessionLease{}, err
	}
	if n == 0 {
		n, err = insertOnce(q.InsertLease(ctx, db.InsertLeaseParams{SessionID: arg.SessionID, NodeID: arg.NodeID,
			AcquiredAt: arg.AcquiredAt, ExpiresAt: arg.ExpiresAt}))
		if err != nil {
			return db.SessionLease{}, err
		}
		if n == 0 { // a live lease holds it
			return db.SessionLease{}, sql.ErrNoRows
		}
	}
	return q.GetLease(ctx, arg.SessionID)
}
