// Package store is the SQL store adapter: the repositories written once over Queries,
// which each dialect (adapters/store/sqlite, adapters/store/postgres) binds from its sqlc code.
// The dialects keep only what differs: connections, transactions and locking, error
// codes, migrations and the statements no other dialect can share.
package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Dialect is how a database engine reports what the repositories must tell apart.
type Dialect struct {
	Name   string
	NoRows error // the driver's "no row" error
	// Unavailable says the database cannot serve now (locked, read-only, down, out of
	// space) rather than refusing the statement.
	Unavailable         func(error) bool
	ForeignKeyViolation func(error) bool
	// Aborted says the server rolled back the whole transaction, savepoints and all
	// (MySQL's deadlock victim); nil when a savepoint always survives a failed statement.
	Aborted func(error) bool
	// Lanes is how many group transactions may run at once (see InGroupTx).
	Lanes int
	// OneWriter: transactions take turns on one connection, so every InTx joins the
	// group commit too and shares its commit (SQLite, where a commit is an fsync).
	OneWriter bool
	// InProcess: the engine runs in this process (SQLite). No group deadline can end
	// a stuck statement there sooner than busy_timeout does, and a statement context
	// with a deadline costs the driver a goroutine per statement to watch it.
	InProcess bool
	// BatchRows bounds the rows of one multi-row statement (0: 500).
	BatchRows int
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

// Repos implements ports.Repositories on one query handle: the pool, or a transaction.
type Repos struct {
	Q       *Queries
	D       *Dialect
	secrets secrets
	// Atomic runs fn in a transaction: a new one on the pool, the current one inside InTx.
	Atomic func(ctx context.Context, fn func(*Repos) error) error
}

var _ ports.Repositories = (*Repos)(nil)

func newRepos(d *Dialect, q any, sealer ports.SecretSealer) (*Repos, *receiver, error) {
	r := &Repos{Q: new(Queries), D: d, secrets: secrets{sealer, d}}
	recv, err := bindTo(r.Q, reflect.ValueOf(q))
	if err != nil {
		return nil, nil, err
	}
	return r, recv, nil
}

// Tx is a transaction a dialect began: its sqlc queries on it, and how it ends.
// Exec runs statements without arguments on it (savepoints), in one round trip where
// the dialect can. Ahead, when the dialect has it, queues such statements instead,
// to go to the server with the next statement: for those whose outcome nothing waits
// for (opening and releasing savepoints), since an error of theirs fails the next
// statement and, through it, the transaction.
//
// Together, when the dialect has it, gives n fns that run at once each its own
// queries on the transaction, and leave, which each calls when its fn returns. A
// statement then waits until every fn still running waits on one too, and all go to
// the server together, one after another in the order they came: one round trip
// serves a statement of every fn. Statements run until the first that fails; it
// fails the rest, as the transaction then cannot commit.
type Tx struct {
	Queries  any
	Exec     func(ctx context.Context, stmts ...string) error
	Ahead    func(stmts ...string)
	Together func(ctx context.Context, n int) (queries []any, leave func())
	Commit   func(context.Context) error
	Rollback func(context.Context) error // a no-op after Commit
}

// ahead sends stmts ahead of the next statement, or runs them now.
func (t Tx) ahead(ctx context.Context, stmts []string) error {
	if t.Ahead != nil {
		t.Ahead(stmts...)
		return nil
	}
	return t.Exec(ctx, stmts...)
}

// Core is the half of a dialect's Store that is the same for all: the repositories on
// the pool, and transactions.
type Core struct {
	*Repos
	sealer ports.SecretSealer
	begin  func(context.Context) (Tx, error)
	txs    sync.Pool // of *txRepos, bound once and reused by later transactions
	group  *lanes
}

// txRepos are repositories on the queries of whichever transaction uses them.
type txRepos struct {
	*Repos
	recv *receiver
}

// NewCore binds pool, a dialect's sqlc queries on its connection pool; begin opens a
// transaction. Secrets are sealed with sealer. Close stops its group committer.
func NewCore(d *Dialect, pool any, begin func(context.Context) (Tx, error), sealer ports.SecretSealer) (*Core, error) {
	r, _, err := newRepos(d, pool, sealer)
	if err != nil {
		return nil, err
	}
	if r.Q.HitCounter == nil && r.Q.HitCounters == nil {
		return nil, fmt.Errorf("store: %s has neither HitCounter nor HitCounters", d.Name)
	}
	db := &Core{Repos: r, sealer: sealer, begin: begin, group: newLanes(d.Lanes)}
	r.Atomic = db.inTx
	for _, g := range db.group.all {
		go db.commitGroups(g)
	}
	return db, nil
}

// InTx runs fn in one transaction; any error from fn rolls it back and is returned as is.
func (db *Core) InTx(ctx context.Context, fn func(r ports.Repositories) error) error {
	return db.inTx(ctx, func(r *Repos) error { return fn(r) })
}

func (db *Core) inTx(ctx context.Context, fn func(r *Repos) error) error {
	if db.D.OneWriter {
		return db.inGroup(ctx, "", false, func(_ context.Context, r *Repos) error { return fn(r) })
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return db.D.Wrap(err, "begin")
	}
	// Covers fn errors and panics, even when ctx is cancelled.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	r, err := db.txRepos(tx.Queries)
	if err != nil {
		return err
	}
	if err = checkFence(ctx, r.Repos); err == nil {
		err = fn(r.Repos)
	}
	if err == nil {
		err = db.D.Wrap(tx.Commit(ctx), "commit")
	}
	db.putRepos(r) // not after a panic: fn may still hold r
	return err
}

// putRepos keeps r for a later transaction, pointing it at none meanwhile.
func (db *Core) putRepos(r *txRepos) {
	r.recv.v, r.recv.group = reflect.Value{}, nil
	db.txs.Put(r)
}

// txRepos gives repositories on a transaction's queries q. Binding builds a func per
// statement, too much to repeat for every transaction, so bound repositories are
// kept and pointed at the next transaction's queries.
func (db *Core) txRepos(q any) (*txRepos, error) {
	if t, ok := db.txs.Get().(*txRepos); ok {
		t.recv.v = reflect.ValueOf(q)
		return t, nil
	}
	r, recv, err := newRepos(db.D, q, db.sealer)
	if err != nil {
		return nil, err
	}
	r.Atomic = func(_ context.Context, fn func(*Repos) error) error { return fn(r) }
	return &txRepos{r, recv}, nil
}
