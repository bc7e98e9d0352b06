package contract

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresURL returns WAREST_TEST_POSTGRES_URL. When it is unset the test is
// skipped, or fails if WAREST_REQUIRE_POSTGRES=1 (CI must not skip silently).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("WAREST_TEST_POSTGRES_URL")
	if u != "" {
		return u
	}
	const msg = "WAREST_TEST_POSTGRES_URL is not set: PostgreSQL tests NOT RUN " +
		"(e.g. WAREST_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable)"
	if os.Getenv("WAREST_REQUIRE_POSTGRES") == "1" {
		t.Fatal(msg + "; WAREST_REQUIRE_POSTGRES=1 requires them")
	}
	t.Skip("!!! " + msg)
	return ""
}

// PostgresSchemaURL creates an empty schema in the test database and returns a URL
// whose search_path points at it, so each test gets its own tables. The schema is
// dropped when the test ends.
func PostgresSchemaURL(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	// Lower case: search_path folds unquoted names.
	schema := "warest_test_" + strings.ToLower(rand.Text()[:16])
	exec := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer func() { _ = conn.Close(ctx) }()
		_, err = conn.Exec(ctx, sql)
		return err
	}
	ident := pgx.Identifier{schema}.Sanitize()
	if err := exec(t.Context(), "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is already cancelled during cleanup.
		if err := exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("WAREST_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return fmt.Sprint(u)
}
