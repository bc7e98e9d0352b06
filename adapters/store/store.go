// Package store is the SQL store adapter: the repositories written once over Queries,
// which each dialect (adapters/sqlite, adapters/postgres) binds from its sqlc code.
// The dialects keep only what differs: connections, transactions and locking, error
// codes, migrations and the statements no other dialect can share.
package store

import (
	"errors"
	"fmt"
	"math"

	"github.com/warest-go/warest/domain/fault"
)

// Dialect is how a database engine reports what the repositories must tell apart.
type Dialect struct {
	Name   string
	NoRows error // the driver's "no row" error
	// Unavailable says the database cannot serve now (locked, read-only, down, out of
	// space) rather than refusing the statement.
	Unavailable         func(error) bool
	ForeignKeyViolation func(error) bool
}

// Wrap names the failed operation. A database that cannot serve now becomes a
// KindUnavailable fault (503, and ingest withholds the ack so the transport retries);
// any other driver error stays an unknown fault (a logged 500).
func (d *Dialect) Wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("%s: %s: %w", d.Name, what, err)
	if d.Unavailable(err) {
		return fault.Wrap(err, fault.KindUnavailable, "", "Database unavailable, retry later")
	}
	return err
}

// NotFound turns "no row" into a NotFound fault and wraps any other error.
func (d *Dialect) NotFound(err error, r fault.Reason, what string) error {
	if errors.Is(err, d.NoRows) {
		return fault.NotFound(r, "%s not found", what)
	}
	return d.Wrap(err, what)
}

// Limit maps the ports' "limit <= 0" to no limit (int4 bounds every dialect's LIMIT).
func Limit(n int) int64 {
	if n <= 0 || n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int64(n)
}

// SessionGone is the error for a row a foreign key refused because its session does
// not exist (any more).
func SessionGone(id string) error {
	return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
}

// Repos holds the repositories written once; a dialect's ports.Repositories embeds it.
type Repos struct {
	Q *Queries
	D *Dialect
}

// NewRepos binds q, a dialect's *db.Queries on its pool or a transaction.
func NewRepos(d *Dialect, q any) (*Repos, error) {
	r := &Repos{Q: new(Queries), D: d}
	if err := Bind(r.Q, q); err != nil {
		return nil, err
	}
	return r, nil
}
