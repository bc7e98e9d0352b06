package postgres_test

import (
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"

	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/test/contract"
)

// Migration 00009 keeps the events written before it (turning their payloads into
// bytes) and indexes their message ids.
func TestMigrationKeepsOlderEvents(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 8); err != nil {
		t.Fatal(err)
	}
	for _, e := range contract.OldEvents {
		if _, err := db.ExecContext(t.Context(), "INSERT INTO sessions (id, owner, status, auto_start, created_at, updated_at) "+
			"VALUES ($1, 'OWNER', 'stopped', false, now(), now()) ON CONFLICT DO NOTHING", e.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(t.Context(), "INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES ($1, $2, $3, now(), $4)",
			e.ID, e.Type, e.SessionID, e.Payload); err != nil {
			t.Fatal(err)
		}
	}
	contract.CheckOldEvents(t, open(t, url))
}
