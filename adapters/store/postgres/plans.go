package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// planEachCall names the statements PostgreSQL must plan each time they run.
// A prepared statement gets, from its sixth run on a connection, one plan for all
// values (a generic plan), kept until the table's statistics change. Made while a
// fresh table was small, a plan that reads the table whole then stays in use as
// the table grows, until autovacuum next analyzes it, a minute or more later:
// measured, the webhook deliverer's lookup of a run's events by id scanned every
// event, 4.4 ms a call at 25,000 events, and the delivery claim read the bloated
// due index rather than the few rows it had picked. These run a few times a
// second, so a plan per call (pgx's QueryExecModeExec: an unnamed statement,
// planned with its values and the table's current size) costs little. Statements
// of the send path keep their generic plans: planning them each time cost send
// acceptance 15-40 % (plan_cache_mode=force_custom_plan, measured).
var planEachCall = []string{"-- name: ListEventsByID ", "-- name: ClaimDueDeliveries "}

// plannedEachCall says whether sql is one of planEachCall.
func plannedEachCall(sql string) bool {
	for _, name := range planEachCall {
		if strings.HasPrefix(sql, name) {
			return true
		}
	}
	return false
}

// withPlanMode returns args with the mode that plans sql at each call, if it must be.
func withPlanMode(sql string, args []any) []any {
	if plannedEachCall(sql) {
		return append([]any{pgx.QueryExecModeExec}, args...)
	}
	return args
}

// plannedPool is the pool as the queries outside transactions use it.
type plannedPool struct{ *pgxpool.Pool }

func (p plannedPool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return p.Pool.Exec(ctx, sql, withPlanMode(sql, args)...)
}

func (p plannedPool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return p.Pool.Query(ctx, sql, withPlanMode(sql, args)...)
}

func (p plannedPool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return p.Pool.QueryRow(ctx, sql, withPlanMode(sql, args)...)
}
