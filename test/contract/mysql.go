package contract

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// MySQLDSN returns WAREST_TEST_MYSQL_URL, a go-sql-driver DSN. When it is unset the
// test is skipped, or fails if WAREST_REQUIRE_MYSQL=1 (CI must not skip silently).
func MySQLDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("WAREST_TEST_MYSQL_URL")
	if dsn != "" {
		return dsn
	}
	const msg = "WAREST_TEST_MYSQL_URL is not set: MySQL/MariaDB tests NOT RUN " +
		"(e.g. WAREST_TEST_MYSQL_URL='root@tcp(127.0.0.1:3306)/test')"
	if os.Getenv("WAREST_REQUIRE_MYSQL") == "1" {
		t.Fatal(msg + "; WAREST_REQUIRE_MYSQL=1 requires them")
	}
	t.Skip("!!! " + msg)
	return ""
}

// MySQLDatabaseDSN creates an empty database on the test server and returns a DSN
// naming it, so each test gets its own tables. The database is dropped when the
// test ends.
func MySQLDatabaseDSN(t *testing.T) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(MySQLDSN(t))
	if err != nil {
		t.Fatalf("WAREST_TEST_MYSQL_URL: %v", err)
	}
	name := "warest_test_" + strings.ToLower(rand.Text()[:16])
	exec := func(ctx context.Context, stmt string) error {
		base := cfg.Clone()
		base.DBName = ""
		conn, err := mysql.NewConnector(base)
		if err != nil {
			return err
		}
		db := sql.OpenDB(conn)
		defer db.Close()
		_, err = db.ExecContext(ctx, stmt)
		return err
	}
	if err := exec(t.Context(), "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is already cancelled during cleanup.
		if err := exec(context.Background(), "DROP DATABASE `"+name+"`"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}
