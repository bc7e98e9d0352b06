package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", to lock the gateway's file

	"github.com/warest-go/warest/test/contract"
)

// Text WhatsApp delivers with a NUL (and, here through JSON, a lone surrogate) is
// stored and delivered on both stores, and does not hold back the next message.
// PostgreSQL used to refuse it (a jsonb cast of the payload) and the sandbox
// retried it forever, blocking the session.
func TestInboundNULIsStoredAndDeliveredOnSQLite(t *testing.T) {
	t.Parallel()
	runInboundNUL(t, startServer(t, nil))
}

func TestInboundNULIsStoredAndDeliveredOnPostgres(t *testing.T) {
	t.Parallel()
	base := contract.PostgresURL(t)
	runInboundNUL(t, startServer(t, map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, base)}))
}

func runInboundNUL(t *testing.T, s *server) {
	key := openShop(t, s, "nul")
	hook := newReceiver(t)
	subscribe(t, s, key, hook.srv.URL)
	// Raw JSON: \ud800 cannot be written in a Go string. The HTTP edge decodes the
	// lone surrogate to U+FFFD (encoding/json), the NUL stays a NUL.
	status, env := s.call("POST", "/api/v1/sandbox/sessions/shop/inbound", key,
		`{"from":"6281300000003","pushName":"Budi","text":"nul \u0000 here, lone \ud800 surrogate"}`)
	if status != 200 {
		t.Fatalf("inbound: %d %+v", status, env)
	}
	nulID := result[struct {
		MessageID string `json:"messageId"`
	}](t, env).MessageID
	inbound(t, s, key, "after the NUL")
	const nulText = "nul \x00 here, lone \uFFFD surrogate"

	texts := func() []string {
		hook.mu.Lock()
		defer hook.mu.Unlock()
		var out []string
		for _, r := range hook.reqs {
			var b struct {
				Data struct {
					Text string `json:"text"`
				} `json:"data"`
			}
			if err := json.Unmarshal(r.body, &b); err != nil {
				t.Errorf("webhook body is not JSON: %v: %q", err, r.body)
			}
			if r.header.Get("X-WAREST-Event") == "message_received" {
				out = append(out, b.Data.Text)
			}
		}
		return out
	}
	eventually(t, "both messages at the webhook", func() bool { return len(texts()) == 2 })
	if got := texts(); got[0] != nulText || got[1] != "after the NUL" {
		t.Fatalf("webhook texts %q", got)
	}
	if r, _ := hook.find("message_received", `nul \u0000 here`); r.body == nil {
		t.Fatal("the NUL does not travel as \\u0000 in the webhook body")
	}

	// The event log lists both.
	status, env = s.call("GET", "/api/v1/events?sessionId=shop", key, nil)
	if status != 200 {
		t.Fatalf("events: %d %+v", status, env)
	}
	page := result[struct {
		Events []struct {
			Event string `json:"event"`
			Data  struct {
				Text string `json:"text"`
			} `json:"data"`
		} `json:"events"`
	}](t, env)
	var logged []string
	for _, e := range page.Events {
		if e.Event == "message_received" {
			logged = append(logged, e.Data.Text)
		}
	}
	if len(logged) != 2 || logged[0] != nulText || logged[1] != "after the NUL" {
		t.Fatalf("event log texts %q", logged)
	}

	// A message action finds the stored message by its id alone.
	status, env = s.call("POST", "/api/v1/messages/"+nulID+"/action/star", key, map[string]any{"sessionId": "shop"})
	if status != 200 {
		t.Fatalf("star the NUL message: %d %+v", status, env)
	}
	if to := result[struct {
		ToJID string `json:"toJid"`
	}](t, env).ToJID; to != "6281300000003@s.whatsapp.net" {
		t.Fatalf("star resolved the chat %q", to)
	}
	if strings.Contains(s.Output(), "level=ERROR") {
		t.Fatalf("errors logged:\n%s", s.Output())
	}
}

// A database that cannot take writes answers 503 with Retry-After and an ERROR log,
// never 429 (the limit middleware took any error for a limit) nor 401.
//
// SQLite: another process holds the file's write lock (as the sqlite3 shell or a
// backup tool can); every write then fails after the busy timeout, shortened here.
func TestStorageFailureIs503OnSQLite(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"WAREST_DB_SQLITE_BUSY_TIMEOUT_MS": "200"})
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.Dir, "warest.sqlite")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	expect503(t, s)
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "recovery once the lock is released", func() bool {
		status, _ := s.call("GET", "/api/v1/session/list", adminKey, nil)
		return status == 200
	})
}

// PostgreSQL: the gateway's database turns read-only while it runs (as after a
// failover to a standby). The test uses a database of its own, so that making it
// read-only and closing its connections touches no other test.
func TestStorageFailureIs503OnPostgres(t *testing.T) {
	t.Parallel()
	base := contract.PostgresURL(t)
	dbURL, exec := freshDatabase(t, base)
	s := startServer(t, map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": dbURL})
	name := strings.TrimPrefix(mustParse(t, dbURL).Path, "/")
	exec("ALTER DATABASE " + pgx.Identifier{name}.Sanitize() + " SET default_transaction_read_only = on")
	// Sessions keep the setting they started with: end them, the pool reconnects.
	exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "' AND pid <> pg_backend_pid()")
	expect503(t, s)
	exec("ALTER DATABASE " + pgx.Identifier{name}.Sanitize() + " RESET default_transaction_read_only")
	exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "' AND pid <> pg_backend_pid()")
	eventually(t, "recovery once the database is writable", func() bool {
		status, _ := s.call("GET", "/api/v1/session/list", adminKey, nil)
		return status == 200
	})
}

// expect503 checks that authenticated calls answer 503 in the envelope with
// Retry-After while the store refuses writes (every call counts against the rate
// limit, a write), that none answers 429 or 401, and that the failure is logged at
// ERROR with its cause.
func expect503(t *testing.T, s *server) {
	t.Helper()
	var last int
	eventually(t, "503 from a store refusing writes", func() bool {
		status, hdr, env := s.callHeaders("GET", "/api/v1/session/list", adminKey)
		last = status
		switch status {
		case 429, 401:
			t.Fatalf("a storage failure answered %d: %+v", status, env)
		case 503:
			if env.Code != 8001 || env.Status || hdr.Get("Retry-After") == "" {
				t.Fatalf("503 without the envelope or Retry-After: %+v %v", env, hdr)
			}
			return true
		}
		return false
	})
	if last != 503 {
		t.Fatalf("last status %d", last)
	}
	for _, path := range []string{"/api/v1/server/info", "/api/v1/events"} {
		if status, _, env := s.callHeaders("GET", path, adminKey); status != 503 {
			t.Fatalf("GET %s: %d %+v, want 503", path, status, env)
		}
	}
	out := s.Output()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, `msg="request failed"`) {
		t.Fatalf("no ERROR line for the failed requests:\n%s", out)
	}
}

// callHeaders is call, without a body, that also returns the response headers.
func (s *server) callHeaders(method, path, key string) (int, http.Header, envelope) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("X-WAREST-API-KEY", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		s.t.Fatalf("%s %s: not an envelope (%d): %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header, env
}

// freshDatabase creates an empty database for one test; exec runs SQL on the
// server (as the test's role) outside it.
func freshDatabase(t *testing.T, base string) (string, func(sql string)) {
	t.Helper()
	exec := func(sql string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	name := "warest_e2e_" + strings.ToLower(rand.Text()[:12])
	ident := pgx.Identifier{name}.Sanitize()
	exec("CREATE DATABASE " + ident)
	t.Cleanup(func() { exec("DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)") })
	u := mustParse(t, base)
	u.Path = "/" + name
	return u.String(), exec
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
