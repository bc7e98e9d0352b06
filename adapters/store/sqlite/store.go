// Package sqlite is the SQLite dialect of the store adapter (adapters/store): its
// sqlc code over the pure-Go modernc driver, the single-writer connection, migrations,
// error codes and the delivery claim in several statements.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/adapters/store/sqlite/internal/db"
	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/ports"
)

// Config locates the database file. BusyTimeout is how long a write waits for
// another connection's write lock (another process holding the file) before failing
// with KindUnavailable; zero means 10 s. Synchronous is how hard a commit is pushed to
// the disk; the zero value is SyncFull.
type Config struct {
	Path        string
	BusyTimeout time.Duration
	Synchronous Synchronous
}

// Synchronous is SQLite's synchronous setting for the store's connections.
type Synchronous string

const (
	// SyncFull fsyncs the WAL at every commit: a commit the gateway answered for
	// survives a power cut or an OS crash.
	SyncFull Synchronous = "FULL"
	// SyncNormal fsyncs only at checkpoints: faster commits, but a power cut or an
	// OS crash can lose the last commits, including sends already answered 200/202.
	// A crash of the process alone loses nothing.
	SyncNormal Synchronous = "NORMAL"
)

// Store implements ports.Store on one SQLite file.
type Store struct {
	*store.Core
	queries *db.Queries // prepared on db
	db      *sql.DB
	shared  *sql.DB // for components sharing the file (whatsmeow), with its own pool
	lock    *nodeLock
}

var _ ports.Store = (*Store)(nil)

// Open opens (creating if needed) the database at cfg.Path and migrates it. Another
// process holding the database is ErrOtherNode.
func Open(ctx context.Context, cfg Config, sealer ports.SecretSealer) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create directory: %w", err)
	}
	// The database holds message texts and device keys: it is created private before
	// the driver would create it by the umask. SQLite gives its -wal and -shm files
	// the database file's mode.
	f, err := os.OpenFile(cfg.Path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: create database file: %w", err)
	}
	_ = f.Close()
	lock, err := lockNode(cfg.Path)
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, cfg, sealer)
	if err != nil {
		return nil, errors.Join(err, lock.release())
	}
	s.lock = lock
	return s, nil
}

func open(ctx context.Context, cfg Config, sealer ports.SecretSealer) (*Store, error) {
	sqldb, err := sql.Open("sqlite", dsn(cfg))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	// One connection for our queries: SQLite has one writer, and writers queued in Go
	// take turns at once, where SQLite's busy handler sleeps in growing steps (tails of
	// hundreds of ms under load). InTx's fn must therefore use its r, never the Store.
	sqldb.SetMaxOpenConns(1)
	if err := migrate(ctx, sqldb); err != nil {
		_ = sqldb.Close()
		return nil, err
	}
	shared, err := sql.Open("sqlite", dsn(cfg))
	if err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	s := &Store{db: sqldb, shared: shared}
	// Every statement is prepared once: parsing SQL on each call cost a fifth of
	// the CPU of a send acceptance. Transactions reuse them (one connection).
	q, err := db.Prepare(ctx, sqldb)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: prepare: %w", err), s.Close())
	}
	s.queries = q
	if s.Core, err = store.NewCore(dialect, queries{q}, beginner(sqldb, q), sealer); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// beginner begins transactions on sqldb for the Core.
func beginner(sqldb *sql.DB, q *db.Queries) func(context.Context) (store.Tx, error) {
	return func(ctx context.Context) (store.Tx, error) {
		tx, err := sqldb.BeginTx(ctx, nil)
		if err != nil {
			return store.Tx{}, err
		}
		return store.Tx{Queries: queries{q.WithTx(tx)},
			Exec: func(ctx context.Context, stmts ...string) error {
				_, err := tx.ExecContext(ctx, strings.Join(stmts, "; "))
				return err
			},
			Commit:   func(context.Context) error { return tx.Commit() },
			Rollback: func(context.Context) error { return tx.Rollback() }}, nil
	}
}

// dsn sets the pragmas on every pooled connection (synchronous is a per-connection
// setting). _txlock=immediate makes every transaction take the write lock at BEGIN:
// a deferred transaction that reads and then writes can fail with SQLITE_BUSY when another writer got in between, and busy_timeout
// cannot help it; an immediate one just waits for the lock. temp_store=MEMORY keeps
// the savepoint journal of a group commit's calls in memory: past 64 KiB SQLite
// spills it to a temporary file, and its writes cost a tenth of a send's CPU. It
// only serves ROLLBACK TO inside a transaction, so durability does not depend on it.
func dsn(cfg Config) string {
	busy := cmp.Or(cfg.BusyTimeout, 10*time.Second)
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+string(cmp.Or(cfg.Synchronous, SyncFull))+")")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	return "file:" + cfg.Path + "?" + q.Encode()
}

// Migrations reports which embedded migrations the database at cfg.Path has,
// applying none; a missing file is an error rather than a new database.
func Migrations(ctx context.Context, cfg Config) ([]store.Migration, error) {
	if _, err := os.Stat(cfg.Path); err != nil {
		return nil, fmt.Errorf("sqlite: no database at %s: %w", cfg.Path, err)
	}
	sqldb, err := sql.Open("sqlite", dsn(cfg))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	defer sqldb.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, sqldb, migrations.SQLite)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	m, err := store.MigrationStatus(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
	}
	return m, nil
}

func migrate(ctx context.Context, sqldb *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, sqldb, migrations.SQLite)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// TryLeadRelay always leads: SQLite serialises writers, so positions are assigned
// in commit order whoever publishes.
func (s *Store) TryLeadRelay(context.Context) (func(), bool, error) { return func() {}, true, nil }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return dialect.Wrap(s.db.PingContext(ctx), "ping") }

// Dialect is "sqlite".
func (s *Store) Dialect() string { return "sqlite" }

// DB is the underlying pool, for components sharing the file (whatsmeow's sqlstore).
func (s *Store) DB() *sql.DB { return s.shared }

// PoolStats is the state of the connection our queries take turns on, for metrics.
func (s *Store) PoolStats() sql.DBStats { return s.db.Stats() }

// Close closes the pool.
func (s *Store) Close() error {
	if s.Core != nil {
		s.Core.Close()
	}
	var err error
	if s.queries != nil {
		err = s.queries.Close()
	}
	err = errors.Join(err, s.shared.Close(), s.db.Close())
	if s.lock != nil {
		err = errors.Join(err, s.lock.release())
	}
	return err
}
