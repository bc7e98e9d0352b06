package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/warest-go/warest/adapters/sqlite"
	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

func TestMigrations(t *testing.T) {
	t.Parallel()
	contract.RunMigrations(t, func(t *testing.T) contract.MigrationTarget {
		path := filepath.Join(t.TempDir(), "warest.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.SQLite)
		if err != nil {
			t.Fatal(err)
		}
		return contract.MigrationTarget{DB: db, UpTo: upTo(p), DownTo: downTo(p), Now: "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
			Open: func(t *testing.T) (ports.Store, error) {
				s, err := sqlite.Open(t.Context(), sqlite.Config{Path: path}, contract.Sealer{})
				if err == nil {
					t.Cleanup(func() { _ = s.Close() })
				}
				return s, err
			}}
	})
}

func upTo(p *goose.Provider) func(context.Context, int64) error {
	return func(ctx context.Context, v int64) error { _, err := p.UpTo(ctx, v); return err }
}

func downTo(p *goose.Provider) func(context.Context, int64) error {
	return func(ctx context.Context, v int64) error { _, err := p.DownTo(ctx, v); return err }
}

// Migration 00009 keeps the events written before it and indexes their message ids.
func TestMigrationKeepsOlderEvents(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	db, err := sql.Open("sqlite", sqlite.DSN(sqlite.Config{Path: path}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 8); err != nil {
		t.Fatal(err)
	}
	for _, e := range contract.OldEvents {
		if _, err := db.ExecContext(t.Context(), "INSERT OR IGNORE INTO sessions (id, owner, status, auto_start, created_at, updated_at) "+
			"VALUES (?, 'OWNER', 'stopped', false, 1, 1)", e.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(t.Context(), "INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES (?, ?, ?, 1, ?)",
			e.ID, e.Type, e.SessionID, e.Payload); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	contract.CheckOldEvents(t, open(t, path))
}
