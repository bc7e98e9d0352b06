// Package postgres is the PostgreSQL store: sqlc repositories over a pgx pool.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/ports"
)

// Config locates the database. URL is a libpq URL; a search_path parameter selects
// the schema.
type Config struct {
	URL string
}

// Store implements ports.Store on a pgx pool.
type Store struct {
	*repos
	pool        *pgxpool.Pool
	sqldb       *sql.DB
	relayLockID int64
}

var _ ports.Store = (*Store)(nil)

// Open connects, migrates (under an advisory lock, so several nodes may boot at once)
// and returns the store.
func Open(ctx context.Context, cfg Config, sealer ports.SecretSealer) (*Store, error) {
	if cfg.URL == "" {
		return nil, errors.New("postgres: empty URL")
	}
	pool, err := pgxpool.New(ctx, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	sqldb := stdlib.OpenDBFromPool(pool)
	schema, err := migrate(ctx, sqldb)
	if err != nil {
		_ = sqldb.Close()
		pool.Close()
		return nil, err
	}
	s := &Store{pool: pool, sqldb: sqldb, relayLockID: lockID("relay", schema)}
	if s.repos, err = newRepos(db.New(pool), sealer); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.repos.atomic = s.inTx
	return s, nil
}

// migrate applies the migrations and returns the schema it migrated.
func migrate(ctx context.Context, sqldb *sql.DB) (string, error) {
	var schema string
	if err := sqldb.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return "", fmt.Errorf("postgres: current schema (does the search_path schema exist?): %w", err)
	}
	// One lock per schema: nodes sharing a schema wait for each other, while separate
	// schemas in one database (tests, tenants) migrate independently. Waiters poll
	// every second for up to five minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID("migrations", schema)), lock.WithLockTimeout(1, 300))
	if err != nil {
		return "", fmt.Errorf("postgres: migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, migrations.Postgres, goose.WithSessionLocker(locker))
	if err != nil {
		return "", fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return "", fmt.Errorf("postgres: migrate: %w", err)
	}
	return schema, nil
}

// lockID names an advisory lock of one purpose in one schema.
func lockID(purpose, schema string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("warest-" + purpose + ":" + schema))
	return int64(h.Sum64())
}

// TryLeadRelay takes the schema's relay lock: a session-level advisory lock on a
// connection taken out of the pool and held while leading, so PostgreSQL frees it
// when this process or its connection dies. release unlocks before closing the
// connection: closing alone frees the lock only once the backend notices.
func (s *Store) TryLeadRelay(ctx context.Context) (func(), bool, error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, wrap(err, "relay lock")
	}
	var ok bool
	if err := c.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", s.relayLockID).Scan(&ok); err != nil {
		// The lock may have been taken before the error: never pool the connection.
		_ = c.Hijack().Close(context.WithoutCancel(ctx))
		return nil, false, wrap(err, "relay lock")
	}
	if !ok {
		c.Release()
		return nil, false, nil
	}
	conn := c.Hijack()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", s.relayLockID)
		_ = conn.Close(ctx)
	}, true, nil
}

// InTx runs fn in one transaction; any error from fn rolls it back and is returned as is.
func (s *Store) InTx(ctx context.Context, fn func(r ports.Repositories) error) error {
	return s.inTx(ctx, func(r *repos) error { return fn(r) })
}

func (s *Store) inTx(ctx context.Context, fn func(r *repos) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return wrap(err, "begin")
	}
	// No-op after Commit; covers fn errors and panics, even when ctx is cancelled.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	r, err := newRepos(s.q.WithTx(tx), s.sealer)
	if err != nil {
		return err
	}
	r.atomic = func(ctx context.Context, fn func(*repos) error) error { return fn(r) }
	if err := fn(r); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return wrap(err, "commit")
	}
	return nil
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return wrapIf(s.pool.Ping(ctx), "ping") }

// Dialect is "postgres".
func (s *Store) Dialect() string { return "postgres" }

// DB is a database/sql view of the pool, for components that need one (goose, whatsmeow).
func (s *Store) DB() *sql.DB { return s.sqldb }

// Close closes the database/sql view, then the pool.
func (s *Store) Close() error {
	err := s.sqldb.Close()
	s.pool.Close()
	return err
}

// repos implements ports.Repositories on one query handle: the pool, or a transaction.
type repos struct {
	*store.Repos // the repositories written once
	q            *db.Queries
	sealer       ports.SecretSealer
	// atomic runs fn in a transaction: a new one on the pool, the current one inside InTx.
	atomic func(ctx context.Context, fn func(*repos) error) error
}

func newRepos(q *db.Queries, sealer ports.SecretSealer) (*repos, error) {
	shared, err := store.NewRepos(dialect, q)
	if err != nil {
		return nil, err
	}
	return &repos{Repos: shared, q: q, sealer: sealer}, nil
}

func (r *repos) Sessions() ports.SessionRepository    { return sessions{r} }
func (r *repos) Messages() ports.MessageRepository    { return messages{r} }
func (r *repos) Events() ports.EventRepository        { return events{r} }
func (r *repos) Deliveries() ports.DeliveryRepository { return deliveries{r} }

// Received-message lookup (limits.go).
func (r *repos) Inbound() ports.InboundRepository { return inbound{r} }
