package postgres

import (
	"errors"
	"io"
	"math"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/warest-go/warest/adapters/store"
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

// unavailable reports whether err says the server is unreachable, shutting down,
// read-only, out of resources or asks for a retry, rather than refusing the
// statement itself.
// dialect is how postgres reports what the shared repositories tell apart.
var dialect = &store.Dialect{Name: "postgres", NoRows: pgx.ErrNoRows, Unavailable: unavailable, ForeignKeyViolation: isForeignKeyViolation}

func wrap(err error, what string) error { return dialect.Wrap(err, what) }

func notFound(err error, r fault.Reason, what string) error { return dialect.NotFound(err, r, what) }

func unavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", // connection exception
			"40", // transaction rollback: serialization failure, deadlock
			"53", // insufficient resources: disk full, out of memory, too many connections
			"57", // operator intervention: shutdown, query cancelled
			"58": // system error: I/O
			return true
		}
		return pe.Code == "25006" || pe.Code == "55P03" // read-only transaction, lock not available
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func isForeignKeyViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503"
}

// nonZero maps the domain's "zero time means none" to a NULL column.
func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// zeroIfNil inverts nonZero.
func zeroIfNil(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// sessionGone is the error for a row a foreign key refused because its session
// does not exist (any more).
func sessionGone(id string) error {
	return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
}
