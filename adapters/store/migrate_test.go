package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"

	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// TestMigrations runs the migration contract on each dialect's migrations, from a
// fresh database stepped up and down with goose.
func TestMigrations(t *testing.T) {
	t.Parallel()
	for _, d := range []struct {
		name, driver string
		goose        goose.Dialect
		files        fs.FS
		now          string // the current time in the dialect's encoding
		// fresh returns the DSN of a new database and how to open the store on it.
		fresh func(t *testing.T) (string, func(*testing.T) (sqlStore, error))
	}{
		{"sqlite", "sqlite", goose.DialectSQLite3, migrations.SQLite, "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
			func(t *testing.T) (string, func(*testing.T) (sqlStore, error)) {
				path := filepath.Join(t.TempDir(), "warest.db")
				return "file:" + path + "?_pragma=foreign_keys(1)", func(t *testing.T) (sqlStore, error) {
					return sqlite.Open(t.Context(), sqlite.Config{Path: path}, contract.Sealer{})
				}
			}},
		{"postgres", "pgx", goose.DialectPostgres, migrations.Postgres, "now()",
			func(t *testing.T) (string, func(*testing.T) (sqlStore, error)) {
				url := contract.PostgresSchemaURL(t)
				return url, func(t *testing.T) (sqlStore, error) {
					return postgres.Open(t.Context(), postgres.Config{URL: url}, contract.Sealer{})
				}
			}},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			contract.RunMigrations(t, func(t *testing.T) contract.MigrationTarget {
				dsn, open := d.fresh(t)
				db, err := sql.Open(d.driver, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				p, err := goose.NewProvider(d.goose, db, d.files)
				if err != nil {
					t.Fatal(err)
				}
				return contract.MigrationTarget{DB: db, Now: d.now,
					UpTo:   func(ctx context.Context, v int64) error { _, err := p.UpTo(ctx, v); return err },
					DownTo: func(ctx context.Context, v int64) error { _, err := p.DownTo(ctx, v); return err },
					Open: func(t *testing.T) (ports.Store, error) {
						s, err := open(t)
						if err != nil {
							return nil, err
						}
						t.Cleanup(func() { _ = s.Close() })
						return s, nil
					}}
			})
		})
	}
}
