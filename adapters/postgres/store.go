// Package postgres is the PostgreSQL store: sqlc repositories over a pgx pool.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
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
	pool  *pgxpool.Pool
	sqldb *sql.DB
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
	if err := migrate(ctx, sqldb); err != nil {
		_ = sqldb.Close()
		pool.Close()
		return nil, err
	}
	s := &Store{pool: pool, sqldb: sqldb}
	s.repos = &repos{q: db.New(pool), sealer: sealer, atomic: s.inTx}
	return s, nil
}

func migrate(ctx context.Context, sqldb *sql.DB) error {
	var schema string
	if err := sqldb.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("postgres: current schema (does the search_path schema exist?): %w", err)
	}
	// One lock per schema: nodes sharing a schema wait for each other, while separate
	// schemas in one database (tests, tenants) migrate independently. Waiters poll
	// every second for up to five minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID(schema)), lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, migrations.Postgres, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

func migrationLockID(schema string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("warest-migrations:" + schema))
	return int64(h.Sum64())
}

// InTx runs fn in one transaction; any error from fn rolls it back and is returned as is.
func (s *Store) InTx(ctx context.Context, fn func(r ports.Repositories) error) error {
	return s.inTx(ctx, func(r *repos) error { return fn(r) })
}

func (s *Store) inTx(ctx context.Context, fn func(r *repos) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	// No-op after Commit; covers fn errors and panics, even when ctx is cancelled.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	r := &repos{q: s.q.WithTx(tx), sealer: s.sealer}
	r.atomic = func(ctx context.Context, fn func(*repos) error) error { return fn(r) }
	if err := fn(r); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

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
	q      *db.Queries
	sealer ports.SecretSealer
	// atomic runs fn in a transaction: a new one on the pool, the current one inside InTx.
	atomic func(ctx context.Context, fn func(*repos) error) error
}

func (r *repos) Sessions() ports.SessionRepository    { return sessions{r} }
func (r *repos) Users() ports.UserRepository          { return users{r} }
func (r *repos) APIKeys() ports.APIKeyRepository      { return apiKeys{r} }
func (r *repos) Messages() ports.MessageRepository    { return messages{r} }
func (r *repos) Events() ports.EventRepository        { return events{r} }
func (r *repos) Deliveries() ports.DeliveryRepository { return deliveries{r} }

// Limits, idempotency keys and received-message lookup (limits.go).
func (r *repos) Counters() ports.CounterRepository        { return counters{r} }
func (r *repos) Cooldowns() ports.CooldownRepository      { return cooldowns{r} }
func (r *repos) Idempotency() ports.IdempotencyRepository { return idempotency{r} }
func (r *repos) Inbound() ports.InboundRepository         { return inbound{r} }
