package postgres

import (
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/warest-go/warest/adapters/store"
)

// dialect is how PostgreSQL reports what the shared repositories tell apart.
var dialect = &store.Dialect{Name: "postgres", NoRows: pgx.ErrNoRows, Unavailable: unavailable,
	ForeignKeyViolation: isForeignKeyViolation, Lanes: 2} // of the pool's connections (DefaultMaxConns), leaving the others to the rest

// unavailable reports whether err says the server is unreachable, shutting down,
// read-only, out of resources or asks for a retry, rather than refusing the
// statement itself.
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
