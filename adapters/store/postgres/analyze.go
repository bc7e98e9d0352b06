package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/warest-go/warest/adapters/store/postgres/internal/db"
)

// Keeping the planner's statistics up with young tables. PostgreSQL plans a
// prepared statement once for all its values (a generic plan) from its sixth run
// on a connection, and keeps that plan until the table's statistics change. Made
// while a fresh table was small, a plan that reads the table whole then stays in
// use as it grows, until autovacuum next analyzes it, a minute or more later: at
// 25,000 events the webhook deliverer's lookup of a run's events scanned all of
// them (4.4 ms a call), and the delivery claim read the whole due index. So the
// store analyzes a busy table once it is more than twice the size its statistics
// last said: a handful of times while the tables are young, seldom after, and each
// ANALYZE makes the connections plan their statements anew. (Planning those
// statements at each call instead cost a delivered webhook 7 ms more at 1,000/s.)
var (
	analyzedTables  = []string{"events", "messages", "webhook_deliveries", "inbound_messages"}
	analyzeMinBytes = int64(64 << 10) // smaller, reading a table whole is as good as any plan
	analyzeEvery    = 2 * time.Second
)

// keepStatistics analyzes the outgrown tables every analyzeEvery until ctx ends; a
// failure leaves them to autovacuum until the next round.
func (s *Store) keepStatistics(ctx context.Context) {
	t := time.NewTicker(analyzeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _ = s.analyzeOutgrown(ctx)
		}
	}
}

// analyzeOutgrown analyzes the tables that outgrew their statistics and names them.
func (s *Store) analyzeOutgrown(ctx context.Context) ([]string, error) {
	grown, err := db.New(s.pool).ListOutgrownTables(ctx, db.ListOutgrownTablesParams{Tables: analyzedTables, MinBytes: analyzeMinBytes})
	if err != nil {
		return nil, dialect.Wrap(err, "list outgrown tables")
	}
	for _, table := range grown {
		// A utility statement: sqlc has no query for it, and the name is one of ours.
		if _, err := s.pool.Exec(ctx, "ANALYZE "+pgx.Identifier{table}.Sanitize()); err != nil {
			return nil, dialect.Wrap(err, "analyze "+table)
		}
	}
	return grown, nil
}
