package e2e

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// On SQLite one process serves a database: a second gateway started on the same
// file exits with one line saying so, and the first goes on serving.
func TestSQLiteRefusesASecondProcess(t *testing.T) {
	t.Parallel()
	env := map[string]string{"WAREST_DB_SQLITE_PATH": filepath.Join(t.TempDir(), "warest.sqlite")}
	first := startServer(t, env)
	env["PORT"], env["LOG_LEVEL"] = freePort(t), "error"
	_, stderr, code := runCLI(t, t.TempDir(), env)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "another WAREST process is using this database") {
		t.Fatalf("second process: exit %d, stderr %q; want one line saying another process uses the database", code, stderr)
	}
	if status, env := first.call("GET", "/api/v1/server/nodes", adminKey, nil); status != http.StatusOK {
		t.Fatalf("the first process after the refusal: %d %+v", status, env)
	}
}
