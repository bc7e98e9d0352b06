// Package mysql is the MySQL/MariaDB dialect of the store adapter (adapters/store):
// its sqlc code over go-sql-driver/mysql, connections and migrations, error codes,
// the statements MySQL cannot say as the others do (no RETURNING, no ON CONFLICT …
// WHERE, no LATERAL) and the node lock that keeps a database to one gateway.
package mysql

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"

	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/adapters/store/mysql/internal/db"
	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/ports"
)

// Config locates the database: DSN is a go-sql-driver DSN
// (user:password@tcp(host:3306)/database?param=value). The store sets the parameters
// its encodings rely on (parseTime, loc=UTC, clientFoundRows, utf8mb4) itself.
// NodeLockWait is how long Open waits for another gateway to let go of the database
// (zero: 5 s); NodeLockCheck how often the node lock is checked (zero: 30 s).
type Config struct {
	DSN                         string
	NodeLockWait, NodeLockCheck time.Duration
}

// Store implements ports.Store on a database/sql pool.
type Store struct {
	*store.Core
	sqldb *sql.DB
	node  *nodeLock
}

var _ ports.Store = (*Store)(nil)

// Open connects, migrates, takes the database's node lock and returns the store.
func Open(ctx context.Context, cfg Config, sealer ports.SecretSealer) (*Store, error) {
	sqldb, name, err := connect(cfg.DSN)
	if err != nil {
		return nil, err
	}
	s := &Store{sqldb: sqldb}
	if s.node, err = takeNodeLock(ctx, sqldb, lockName("node", name), cmp.Or(cfg.NodeLockWait, 5*time.Second),
		cmp.Or(cfg.NodeLockCheck, 30*time.Second)); err != nil {
		_ = sqldb.Close()
		return nil, err
	}
	if err := migrate(ctx, sqldb, name); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	q := db.New(sqldb)
	begin := func(ctx context.Context) (store.Tx, error) {
		// READ COMMITTED, as PostgreSQL's default: locking reads (the claim's re-check)
		// see what other transactions committed, and no gap locks.
		tx, err := sqldb.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
		if err != nil {
			return store.Tx{}, err
		}
		return store.Tx{Queries: queries{q.WithTx(tx)}, Exec: execEach(tx),
			Commit:   func(context.Context) error { return tx.Commit() },
			Rollback: func(context.Context) error { return tx.Rollback() }}, nil
	}
	if s.Core, err = store.NewCore(dialect, queries{q}, begin, sealer); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// connect opens a pool on dsn with the session settings the store's encodings need,
// and returns it with the database's name.
func connect(dsn string) (*sql.DB, string, error) {
	if dsn == "" {
		return nil, "", errors.New("mysql: empty DSN")
	}
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("mysql: DSN: %w", err)
	}
	if c.DBName == "" {
		return nil, "", errors.New("mysql: the DSN names no database")
	}
	c.ParseTime = true
	c.Loc = time.UTC // DATETIME columns hold UTC
	// UPDATE reports the rows it matched, as the other dialects do, not only those it changed.
	c.ClientFoundRows = true
	c.InterpolateParams = true // one round trip per statement instead of prepare, execute, close
	if err := c.Apply(mysql.Charset("utf8mb4", "utf8mb4_bin")); err != nil {
		return nil, "", fmt.Errorf("mysql: DSN: %w", err)
	}
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["time_zone"] = "'+00:00'"
	c.Params["sql_mode"] = "'TRADITIONAL'" // strict: a value that does not fit fails rather than being cut
	conn, err := mysql.NewConnector(c)
	if err != nil {
		return nil, "", fmt.Errorf("mysql: %w", err)
	}
	sqldb := sql.OpenDB(conn)
	sqldb.SetMaxOpenConns(10)
	sqldb.SetMaxIdleConns(10)
	sqldb.SetConnMaxLifetime(5 * time.Minute) // before the server's wait_timeout closes an idle one
	return sqldb, c.DBName, nil
}

// Migrations reports which embedded migrations the database has, applying none.
func Migrations(ctx context.Context, cfg Config) ([]store.Migration, error) {
	sqldb, _, err := connect(cfg.DSN)
	if err != nil {
		return nil, err
	}
	defer sqldb.Close()
	p, err := goose.NewProvider(goose.DialectMySQL, sqldb, migrations.MySQL)
	if err != nil {
		return nil, fmt.Errorf("mysql: migrations: %w", err)
	}
	m, err := store.MigrationStatus(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("mysql: migration status: %w", err)
	}
	return m, nil
}

// migrate applies the migrations under the database's migration lock, so a
// `warest migrate up` and a booting node never migrate at once.
func migrate(ctx context.Context, sqldb *sql.DB, name string) error {
	conn, err := getLock(ctx, sqldb, lockName("migrations", name), 5*time.Minute)
	if err != nil {
		return fmt.Errorf("mysql: migration lock: %w", err)
	}
	defer releaseLock(conn, lockName("migrations", name))
	p, err := goose.NewProvider(goose.DialectMySQL, sqldb, migrations.MySQL)
	if err != nil {
		return fmt.Errorf("mysql: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("mysql: migrate: %w", err)
	}
	return nil
}

var errLockBusy = errors.New("mysql: lock held by another session")

// getLock takes a named lock (GET_LOCK) on a connection of its own, waiting up to
// wait. The server frees it when that connection ends, so a node that dies lets go.
func getLock(ctx context.Context, sqldb *sql.DB, name string, wait time.Duration) (*sql.Conn, error) {
	conn, err := sqldb.Conn(ctx)
	if err != nil {
		return nil, dialect.Wrap(err, "lock "+name)
	}
	var ok sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, int(wait.Seconds())).Scan(&ok); err != nil {
		discard(conn) // the lock may be held: never pool the connection
		return nil, dialect.Wrap(err, "lock "+name)
	}
	if ok.Int64 != 1 {
		_ = conn.Close()
		return nil, errLockBusy
	}
	return conn, nil
}

// releaseLock frees a lock getLock took and closes its connection, which goes back
// to the pool holding nothing.
func releaseLock(conn *sql.Conn, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", name); err != nil {
		discard(conn)
		return
	}
	_ = conn.Close()
}

// discard closes conn for good instead of returning it to the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

// lockName names a lock of one purpose on one database; GET_LOCK names are
// server-wide and at most 64 characters.
func lockName(purpose, database string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(database))
	return fmt.Sprintf("warest-%s-%016x", purpose, h.Sum64())
}

// TryLeadRelay always leads: the node lock keeps the database to this process.
func (s *Store) TryLeadRelay(context.Context) (func(), bool, error) { return func() {}, true, nil }

// Ping checks the database answers and is still this node's.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.node.lost(); err != nil {
		return err
	}
	return dialect.Wrap(s.sqldb.PingContext(ctx), "ping")
}

// Dialect is "mysql".
func (s *Store) Dialect() string { return "mysql" }

// DB is the pool, for components that need database/sql.
func (s *Store) DB() *sql.DB { return s.sqldb }

// PoolStats is the pool's state, for metrics.
func (s *Store) PoolStats() sql.DBStats { return s.sqldb.Stats() }

// Close lets go of the node lock and closes the pool.
func (s *Store) Close() error {
	s.node.release()
	return s.sqldb.Close()
}

// execEach runs the statements one by one: the driver sends one per call
// (multiStatements stays off, so a parameter can never smuggle in a second one).
func execEach(tx *sql.Tx) func(ctx context.Context, stmts ...string) error {
	return func(ctx context.Context, stmts ...string) error {
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	}
}
