package postgres_test

import (
	"database/sql"
	"strings"
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

// A lookup of one message by its key takes the primary key even in a plan made while
// the table was small and never analyzed (PostgreSQL's generic plan of a prepared
// statement, kept as the table grows): not an index that reads every message of the
// session (migration 00018).
func TestAMessageLookupPlannedOnASmallTableTakesTheKey(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	open(t, url) // migrates
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // PREPARE belongs to the connection
	ctx := t.Context()
	insert := func(from, to int) {
		t.Helper()
		if _, err := db.ExecContext(ctx, "INSERT INTO messages (session_id, id, to_jid, kind, content, status, attempts, created_at, updated_at) "+
			"SELECT 's1', 'm' || n, 'x', 'text', '{}', 'sent', 1, now(), now() FROM generate_series($1::int, $2::int) n", from, to); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO sessions (id, owner, status, auto_start, created_at, updated_at) VALUES ('s1', 'OWNER', 'stopped', false, now(), now())"); err != nil {
		t.Fatal(err)
	}
	insert(1, 3)
	if _, err := db.ExecContext(ctx, "PREPARE one(text, text) AS SELECT * FROM messages WHERE session_id = $1 AND id = $2 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	for range 6 { // from the sixth run on, PostgreSQL may keep a generic plan
		if _, err := db.ExecContext(ctx, "EXECUTE one('s1', 'm1')"); err != nil {
			t.Fatal(err)
		}
	}
	insert(4, 3000)
	var plan string
	if err := db.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) EXECUTE one('s1', 'm2')").Scan(&plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, `"Index Name": "messages_pkey"`) {
		t.Fatalf("plan of a message lookup: %s; want the primary key", plan)
	}
}
