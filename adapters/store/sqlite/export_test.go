package sqlite

import (
	"context"
	"database/sql"

	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/ports"
)

// DSN is the data source the store opens, with its pragmas (foreign keys on).
var DSN = dsn

// Conns are the store's own connection and the pool it shares (whatsmeow's).
func Conns(s *Store) []*sql.DB { return []*sql.DB{s.db, s.shared} }

// FailCommits makes every later commit of s roll back and fail with err, as a disk
// refusing the fsync would.
func FailCommits(s *Store, sealer ports.SecretSealer, err error) error {
	q := s.queries
	begin := beginner(s.db, q)
	core, e := store.NewCore(dialect, queries{q}, func(ctx context.Context) (store.Tx, error) {
		tx, e := begin(ctx)
		rollback := tx.Rollback
		tx.Commit = func(ctx context.Context) error { _ = rollback(ctx); return err }
		return tx, e
	}, sealer)
	if e != nil {
		return e
	}
	s.Core.Close()
	s.Core = core
	return nil
}
