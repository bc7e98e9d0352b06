package e2e

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// runCLI runs the binary with args in dir and the given env, returning its
// stdout, stderr and exit code.
func runCLI(t *testing.T, dir string, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WAREST_DATA_DIR="+dir, "WAREST_TRANSPORT=sandbox", "HOST=127.0.0.1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("warest %v: %v", args, err)
	}
	return out.String(), errOut.String(), 0
}

// A failed start prints one line saying why on stderr, whatever the log level,
// and exits 1.
func TestStartupFailuresPrintOneLine(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() }) // the subtests run after this function returns
	port := strings.TrimPrefix(taken.Addr().String(), "127.0.0.1:")
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"port in use", map[string]string{"PORT": port, "LOG_LEVEL": "error"}, "listen tcp 127.0.0.1:" + port + ": bind: address already in use"},
		{"unreachable database", map[string]string{"WAREST_DB_CLIENT": "postgres", "LOG_LEVEL": "error",
			"WAREST_DB_POSTGRES_URL": "postgres://nobody:x@127.0.0.1:1/none?sslmode=disable"}, "connection refused"},
		{"unknown log level", map[string]string{"LOG_LEVEL": "chatty"}, `LOG_LEVEL must be debug, info, warn or error, got "chatty"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCLI(t, t.TempDir(), tc.env)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "warest: ") || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("exit %d, stderr %q (stdout %q); want one line with %q", code, stderr, stdout, tc.want)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	out, _, code := runCLI(t, t.TempDir(), nil, "version")
	if code != 0 || !strings.HasPrefix(out, "warest ") {
		t.Fatalf("version: exit %d, %q", code, out)
	}
	out, _, code = runCLI(t, t.TempDir(), nil, "--help")
	for _, cmd := range []string{"serve", "migrate", "sandbox", "users", "keys", "version"} {
		if code != 0 || !strings.Contains(out, cmd) {
			t.Fatalf("--help (exit %d) does not list %s:\n%s", code, cmd, out)
		}
	}
}

// The first admin can be made in a script: the console prints the generated
// password and key once, and the key works against the gateway started later.
func TestConsoleCreatesTheFirstAdmin(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	// No seeded key: the console's is the only way in.
	s.Env = append(s.Env, "WAREST_ADMIN_APIKEY=")
	out, errOut, code := runCLI(t, s.Dir, nil, "users", "create", "ops", "--role", "admin")
	if code != 0 || !strings.Contains(out, `created admin "ops"`) || secretLine(out, "password") == "" {
		t.Fatalf("users create: exit %d, %q %q", code, out, errOut)
	}
	if _, errOut, code := runCLI(t, s.Dir, nil, "users", "create", "ops"); code != 1 || !strings.Contains(errOut, "taken") {
		t.Fatalf("a second ops: exit %d, %q", code, errOut)
	}
	out, errOut, code = runCLI(t, s.Dir, nil, "users", "reset-password", "ops", "--password", "new-password-1")
	if code != 0 || secretLine(out, "password") != "" {
		t.Fatalf("reset-password with a given password: exit %d, %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, s.Dir, nil, "keys", "create", "ops")
	key := secretLine(out, "key")
	if code != 0 || key == "" {
		t.Fatalf("keys create: exit %d, %q %q", code, out, errOut)
	}
	s.launch()
	if status, _ := s.call(http.MethodGet, "/api/v1/server/info", key, nil); status != http.StatusOK {
		t.Fatalf("the console's key on an admin route: %d", status)
	}
	if status, body := s.raw(http.MethodPost, "/api/auth/login", "", map[string]string{"username": "ops", "password": "new-password-1"}); status != http.StatusOK {
		t.Fatalf("login with the reset password: %d %s", status, body)
	}
}

// secretLine is the value of the "what: value" line of out, "" when none.
func secretLine(out, what string) string {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), what+": "); ok {
			return v
		}
	}
	return ""
}

// SIGTERM ends open event streams at once instead of waiting for them, drains the
// workers, says what it did and exits 0.
func TestShutdownDoesNotWaitForOpenStreams(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/events/stream", nil)
	req.Header.Set("X-WAREST-API-KEY", adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	code, took := s.terminate(t, 5*time.Second)
	if code != 0 {
		t.Fatalf("exit %d after SIGTERM:\n%s", code, s.Output())
	}
	for _, want := range []string{"shutting down", "streams_closed=1", "workers drained", "shutdown complete"} {
		if !strings.Contains(s.Output(), want) {
			t.Errorf("shutdown log lacks %q:\n%s", want, s.Output())
		}
	}
	t.Logf("shutdown with an open stream took %s", took)
}

// migrate status tells what migrate up did, and changes nothing itself.
func TestMigrateStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, errOut, code := runCLI(t, dir, nil, "migrate", "status"); code != 1 || !strings.Contains(errOut, "no database at") {
		t.Fatalf("status before any migration: exit %d, %q", code, errOut)
	}
	if out, errOut, code := runCLI(t, dir, nil, "migrate", "up"); code != 0 || !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate up: exit %d, %q %q", code, out, errOut)
	}
	out, errOut, code := runCLI(t, dir, nil, "migrate", "status")
	if code != 0 || !strings.Contains(out, "00001  applied ") || !strings.HasSuffix(out, " migrations, 0 pending\n") {
		t.Fatalf("status after migrate up: exit %d, %q %q", code, out, errOut)
	}
}
