package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/warest-go/warest/test/contract"
)

// mysqlEnv is the environment of a gateway on a fresh MySQL/MariaDB database of its
// own (dropped when the test ends); the test skips, or fails under
// WAREST_REQUIRE_MYSQL=1, without WAREST_TEST_MYSQL_URL.
func mysqlEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"WAREST_DB_CLIENT": "mysql", "WAREST_DB_MYSQL_URL": contract.MySQLDatabaseDSN(t)}
}

// On MySQL one gateway serves a database: a second one started on it exits with one
// line saying so, and the first goes on serving.
func TestMySQLRefusesASecondNode(t *testing.T) {
	t.Parallel()
	env := mysqlEnv(t)
	first := startServer(t, env)
	env["PORT"], env["LOG_LEVEL"] = freePort(t), "error"
	_, stderr, code := runCLI(t, t.TempDir(), env)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "another WAREST node is using this database") {
		t.Fatalf("second node: exit %d, stderr %q; want one line saying another node uses the database", code, stderr)
	}
	if status, env := first.call("GET", "/api/v1/session/list", adminKey, nil); status != http.StatusOK {
		t.Fatalf("the first node after the refusal: %d %+v", status, env)
	}
}

// The README's walkthrough on whatsmeow with its device store on MySQL
// (adapters/whatsmeow/mysqlstore).
func TestWalkthroughOnWhatsmeowMySQL(t *testing.T) {
	t.Parallel()
	runWalkthrough(t, mysqlEnv(t))
}

// with returns env and the given pairs.
func with(env map[string]string, kv ...string) map[string]string {
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

// The suites the other stores run, on MySQL.

func TestSliceOnMySQL(t *testing.T) {
	t.Parallel()
	runSlice(t, startServer(t, mysqlEnv(t)))
}

func TestAuthOnMySQL(t *testing.T) {
	t.Parallel()
	runAuth(t, startServer(t, with(mysqlEnv(t), "WAREST_LOGIN_TTL_MS", "3000")))
}

func TestSessionCapOnMySQL(t *testing.T) {
	t.Parallel()
	runSessionCap(t, startServer(t, with(mysqlEnv(t), "WAREST_MAX_SESSIONS_PER_USER", "3")))
}

func TestReusedSessionIDShowsNothingOfThePreviousOwnerOnMySQL(t *testing.T) {
	t.Parallel()
	runReusedSessionID(t, startServer(t, mysqlEnv(t)))
}

func TestMetricsMoveWithTrafficOnMySQL(t *testing.T) {
	t.Parallel()
	runMetrics(t, mysqlEnv(t))
}

func TestInboundNULIsStoredAndDeliveredOnMySQL(t *testing.T) {
	t.Parallel()
	runInboundNUL(t, startServer(t, mysqlEnv(t)))
}
