package postgres_test

import (
	"database/sql"
	"slices"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"

	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/test/contract"
)

// Migration 00008 adds the foreign keys that tie a session's history to it: rows
// of sessions already gone are dropped first, and deleting a session then takes
// its history along. Down drops the keys and keeps the rows.
func TestMigration00008AddsSessionForeignKeys(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := sql.Open("pgx", contract.PostgresSchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	run(t, db, `INSERT INTO sessions (id, owner, status, auto_start, created_at, updated_at) VALUES ('s1', 'A', 'stopped', false, now(), now())`)
	for _, e := range []struct{ id, session string }{{"e1", "s1"}, {"e2", "gone"}, {"e3", "s1"}} {
		run(t, db, `INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES ($1, 'message_received', $2, now(), '{}')`, e.id, e.session)
	}
	for _, d := range []struct{ id, event string }{{"d1", "e1"}, {"d2", "e2"}, {"d3", "e3"}, {"d4", "missing"}} {
		run(t, db, `INSERT INTO webhook_deliveries (id, event_id, session_id, url, status, attempts, next_attempt_at,
			created_at, retry_from, updated_at) VALUES ($1, $2, 's1', 'https://a.test', 'pending', 0, now(), now(), now(), now())`, d.id, d.event)
	}
	for _, s := range []string{"s1", "gone"} {
		run(t, db, `INSERT INTO idempotency_keys VALUES ('key', $1, 'h', $1, '[]', now(), now())`, s)
		run(t, db, `INSERT INTO recipient_cooldowns VALUES ($1, '628@s.whatsapp.net', now())`, s)
		run(t, db, `INSERT INTO wa_session_devices VALUES ($1, $1 || '@s.whatsapp.net')`, s)
	}

	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"events":              {"e1", "e3"},
		"webhook_deliveries":  {"d1", "d3"},
		"idempotency_keys":    {"s1"},
		"recipient_cooldowns": {"s1"},
		"wa_session_devices":  {"s1"},
	}
	if got := contents(t, db); !equalMaps(got, want) {
		t.Fatalf("after 00008: %v, want %v", got, want)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES ('e4', 'x', 'gone', now(), '{}')`); err == nil {
		t.Fatal("an event of a missing session was stored")
	}

	if _, err := p.DownTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, db); !equalMaps(got, want) {
		t.Fatalf("after down: %v, want %v", got, want)
	}
	run(t, db, `INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES ('e4', 'x', 'gone', now(), '{}')`)
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	run(t, db, `DELETE FROM sessions WHERE id = 's1'`)
	if got := contents(t, db); !equalMaps(got, map[string][]string{}) {
		t.Fatalf("after deleting the session: %v, want nothing", got)
	}
}

func run(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// contents lists the rows of the session-owned tables by id (events, deliveries)
// or session id.
func contents(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"events":              `SELECT id FROM events ORDER BY id`,
		"webhook_deliveries":  `SELECT id FROM webhook_deliveries ORDER BY id`,
		"idempotency_keys":    `SELECT session_id FROM idempotency_keys ORDER BY session_id`,
		"recipient_cooldowns": `SELECT session_id FROM recipient_cooldowns ORDER BY session_id`,
		"wa_session_devices":  `SELECT session_id FROM wa_session_devices ORDER BY session_id`,
	}
	out := map[string][]string{}
	for table, q := range queries {
		rows, err := db.QueryContext(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

func equalMaps(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
