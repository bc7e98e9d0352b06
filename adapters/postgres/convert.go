package postgres

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/warest-go/warest/domain/fault"
)

// pgx returns timestamptz in the local zone; the domain works in UTC.

func toUTC(t time.Time) time.Time { return t.UTC() }

func toUTCPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// toLimit maps the ports' "limit <= 0" to no limit.
func toLimit(n int) int32 {
	if n <= 0 || n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(n)
}

// notFound turns pgx.ErrNoRows into a NotFound fault and wraps any other error.
func notFound(err error, r fault.Reason, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fault.NotFound(r, "%s not found", what)
	}
	return wrap(err, what)
}

// wrap names the failed operation; driver errors stay unknown faults (a logged 500).
func wrap(err error, what string) error {
	return fmt.Errorf("postgres: %s: %w", what, err)
}

func isForeignKeyViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503"
}

// sessionGone is the error for a row a foreign key refused because its session
// does not exist (any more).
func sessionGone(id string) error {
	return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
}
