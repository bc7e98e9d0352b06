// Package postgres is the PostgreSQL dialect of the store adapter (adapters/store):
// its sqlc code, connections and migrations, error codes and relay leader election.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/adapters/store/postgres/internal/db"
	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/ports"
)

// Config locates the database. URL is a libpq URL; a search_path parameter selects
// the schema.
type Config struct {
	URL string
	// IdleTx ends a transaction whose client has sent nothing for this long (the
	// server's idle_in_transaction_session_timeout; 0: never). Several nodes set it
	// to the session lease TTL: a node frozen or cut off inside a transaction holds
	// row locks a takeover waits for (the fence's share lock), and is by then taken
	// for dead anyway.
	IdleTx time.Duration
}

// DefaultMaxConns is the pool's size when the URL does not set pool_max_conns. pgx's
// own default (4 on a 2-core box) starves a gateway: the group committers, the bus,
// the webhook and send workers and the requests' reads each hold a connection, and
// they waited for one another (webhook delivery measured 15-25 % slower on 4; 8
// and 16 alike). PostgreSQL's default of 100 connections leaves room for a
// dozen nodes of 8.
const DefaultMaxConns = 8

// Store implements ports.Store on a pgx pool.
type Store struct {
	*store.Core
	pool        *pgxpool.Pool
	sqldb       *sql.DB
	relayLockID int64
	stopStats   context.CancelFunc // ends keepStatistics
	statsDone   chan struct{}
}

var _ ports.Store = (*Store)(nil)

// Open connects, migrates (under an advisory lock, so several nodes may boot at once)
// and returns the store.
func Open(ctx context.Context, cfg Config, sealer ports.SecretSealer) (*Store, error) {
	if cfg.URL == "" {
		return nil, errors.New("postgres: empty URL")
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if !strings.Contains(cfg.URL, "pool_max_conns") {
		pcfg.MaxConns = DefaultMaxConns
	}
	if cfg.IdleTx > 0 {
		pcfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = strconv.FormatInt(cfg.IdleTx.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
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
	q := db.New(pool)
	begin := func(ctx context.Context) (store.Tx, error) {
		p, err := beginPipelined(ctx, pool)
		if err != nil {
			return store.Tx{}, err
		}
		exec := func(ctx context.Context, stmts ...string) error {
			p.Ahead(stmts[:len(stmts)-1]...)
			_, err := p.Exec(ctx, stmts[len(stmts)-1])
			return err
		}
		together := func(ctx context.Context, n int) ([]any, func()) { return runTogether(ctx, p, n) }
		return store.Tx{Queries: db.New(p), Exec: exec, Ahead: p.Ahead, Together: together, Commit: p.Commit, Rollback: p.Rollback}, nil
	}
	if s.Core, err = store.NewCore(dialect, q, begin, sealer); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	stats, stop := context.WithCancel(context.Background())
	s.stopStats, s.statsDone = stop, make(chan struct{})
	go func() {
		defer close(s.statsDone)
		s.keepStatistics(stats)
	}()
	return s, nil
}

// Migrations reports which embedded migrations the database has, applying none.
func Migrations(ctx context.Context, cfg Config) ([]store.Migration, error) {
	pool, err := pgxpool.New(ctx, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	defer pool.Close()
	sqldb := stdlib.OpenDBFromPool(pool)
	defer sqldb.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, migrations.Postgres)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	m, err := store.MigrationStatus(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("postgres: migration status: %w", err)
	}
	return m, nil
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
		return nil, false, dialect.Wrap(err, "relay lock")
	}
	var ok bool
	if err := c.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", s.relayLockID).Scan(&ok); err != nil {
		// The lock may have been taken before the error: never pool the connection.
		_ = c.Hijack().Close(context.WithoutCancel(ctx))
		return nil, false, dialect.Wrap(err, "relay lock")
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

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return dialect.Wrap(s.pool.Ping(ctx), "ping") }

// Dialect is "postgres".
func (s *Store) Dialect() string { return "postgres" }

// DB is a database/sql view of the pool, for components that need one (goose, whatsmeow).
func (s *Store) DB() *sql.DB { return s.sqldb }

// PoolStats is the state of the pgx pool, in database/sql's terms, for metrics.
func (s *Store) PoolStats() sql.DBStats {
	st := s.pool.Stat()
	return sql.DBStats{MaxOpenConnections: int(st.MaxConns()), OpenConnections: int(st.TotalConns()),
		InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()),
		WaitCount: st.EmptyAcquireCount(), WaitDuration: st.EmptyAcquireWaitTime()}
}

// Close closes the database/sql view, then the pool.
func (s *Store) Close() error {
	if s.stopStats != nil {
		s.stopStats()
		<-s.statsDone
	}
	if s.Core != nil {
		s.Core.Close()
	}
	err := s.sqldb.Close()
	s.pool.Close()
	return err
}
