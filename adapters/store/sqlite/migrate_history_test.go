package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/migrations"
)

// Migration 00008 rebuilds the tables a session owns with foreign keys: rows of
// sessions already gone are dropped, the rest keep their seq and rowid (the orders
// the relay and ClaimDue follow) and their indexes, no seq is handed out twice, and
// deleting a session then takes its history along. Down restores the old tables.
func TestMigration00008AddsSessionForeignKeys(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := sql.Open("sqlite", sqlite.DSN(sqlite.Config{Path: filepath.Join(t.TempDir(), "warest.db")}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	run(t, db, `INSERT INTO sessions (id, owner, status, auto_start, created_at, updated_at) VALUES ('s1', 'A', 'stopped', 0, 0, 0)`)
	for _, e := range []struct{ id, session string }{{"e1", "s1"}, {"e2", "gone"}, {"e3", "s1"}, {"e4", "gone"}} {
		run(t, db, `INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES (?, 'message_received', ?, 0, '{}')`, e.id, e.session)
	}
	for _, d := range []struct {
		rowid     int
		id, event string
	}{{10, "d1", "e1"}, {7, "d2", "e2"}, {5, "d3", "e3"}, {3, "d4", "missing"}} {
		run(t, db, `INSERT INTO webhook_deliveries (rowid, id, event_id, session_id, url, status, attempts, next_attempt_at,
			created_at, retry_from, updated_at) VALUES (?, ?, ?, 's1', 'https://a.test', 'pending', 0, 0, 0, 0, 0)`, d.rowid, d.id, d.event)
	}
	for _, s := range []string{"s1", "gone"} {
		run(t, db, `INSERT INTO idempotency_keys VALUES ('key', ?, 'h', ?, '[]', 0, 1)`, s, s)
		run(t, db, `INSERT INTO recipient_cooldowns VALUES (?, '628@s.whatsapp.net', 0)`, s)
		run(t, db, `INSERT INTO wa_session_devices VALUES (?, ?)`, s, s+"@s.whatsapp.net")
	}
	indexesBefore := indexes(t, db)

	if _, err := p.UpTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"events":              {"1:e1", "3:e3"},
		"webhook_deliveries":  {"5:d3", "10:d1"},
		"idempotency_keys":    {"s1"},
		"recipient_cooldowns": {"s1"},
		"wa_session_devices":  {"s1"},
	}
	if got := contents(t, db); !equalMaps(got, want) {
		t.Fatalf("after 00008: %v, want %v", got, want)
	}
	if got, want := indexes(t, db), append(indexesBefore, "events_session_idx", "idempotency_keys_session_idx"); !equalSets(got, want) {
		t.Fatalf("indexes %v, want %v", got, want)
	}
	// e4 took seq 4 before it was dropped: the next event gets 5.
	run(t, db, `INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES ('e5', 'message_received', 's1', 0, '{}')`)
	var seq int
	if err := db.QueryRowContext(ctx, `SELECT seq FROM events WHERE id = 'e5'`).Scan(&seq); err != nil || seq != 5 {
		t.Fatalf("new event seq %d (%v), want 5", seq, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES ('e6', 'x', 'gone', 0, '{}')`); err == nil {
		t.Fatal("an event of a missing session was stored")
	}

	// Down keeps the rows and drops the references; up again restores them.
	if _, err := p.DownTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	want["events"] = append(want["events"], "5:e5")
	if got := contents(t, db); !equalMaps(got, want) {
		t.Fatalf("after down: %v, want %v", got, want)
	}
	if got := indexes(t, db); !equalSets(got, indexesBefore) {
		t.Fatalf("indexes after down %v, want %v", got, indexesBefore)
	}
	run(t, db, `INSERT INTO events (id, type, session_id, occurred_at, payload) VALUES ('e6', 'x', 'gone', 0, '{}')`)
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

// contents lists the rows of the session-owned tables: events and deliveries as
// "seq-or-rowid:id" in that order, the others by session id.
func contents(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"events":              `SELECT seq || ':' || id FROM events ORDER BY seq`,
		"webhook_deliveries":  `SELECT rowid || ':' || id FROM webhook_deliveries ORDER BY rowid`,
		"idempotency_keys":    `SELECT session_id FROM idempotency_keys ORDER BY session_id`,
		"recipient_cooldowns": `SELECT session_id FROM recipient_cooldowns ORDER BY session_id`,
		"wa_session_devices":  `SELECT session_id FROM wa_session_devices ORDER BY session_id`,
	}
	out := map[string][]string{}
	for table, q := range queries {
		out[table] = column(t, db, q)
		if len(out[table]) == 0 {
			delete(out, table)
		}
	}
	return out
}

// indexes names the indexes of the session-owned tables, automatic ones included.
func indexes(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return column(t, db, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN
		('events', 'webhook_deliveries', 'idempotency_keys', 'recipient_cooldowns', 'wa_session_devices') ORDER BY name`)
}

func column(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
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

func equalSets(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
