package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/test/contract"
)

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
