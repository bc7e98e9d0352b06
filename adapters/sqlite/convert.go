package sqlite

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"math"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/domain/fault"
)

// Times are stored as unix milliseconds, UTC.

func toMillis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func toNullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMillis(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}

// toLimit maps the ports' "limit <= 0" to no limit.
func toLimit(n int) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return int64(n)
}

// dialect is how sqlite reports what the shared repositories tell apart.
var dialect = &store.Dialect{Name: "sqlite", NoRows: sql.ErrNoRows, Unavailable: unavailable, ForeignKeyViolation: isForeignKeyViolation}

func wrap(err error, what string) error { return dialect.Wrap(err, what) }

func notFound(err error, r fault.Reason, what string) error { return dialect.NotFound(err, r, what) }

func unavailable(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL:
			return true
		}
		return false
	}
	return errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn)
}

func isForeignKeyViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
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
