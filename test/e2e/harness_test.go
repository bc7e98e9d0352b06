package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the gateway built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "warest-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "warest")
	build := exec.Command("go", "build", "-o", binary, "./cmd/warest")
	build.Dir = repoRoot()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the gateway failed:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
}

// server is one running gateway process.
type server struct {
	t   *testing.T
	url string
	env []string
	dir string
	// umask, when set, is the file mode creation mask the process starts with.
	umask string
	cmd   *exec.Cmd
	mu    sync.Mutex
	logs  bytes.Buffer
}

const adminKey = "e2e-admin-key-0123456789"

// startServer runs the binary with a fresh data directory and the given extra env.
func startServer(t *testing.T, extra map[string]string) *server {
	t.Helper()
	s := newServer(t, extra)
	s.launch()
	return s
}

// newServer prepares a gateway process without starting it.
func newServer(t *testing.T, extra map[string]string) *server {
	t.Helper()
	s := &server{t: t, dir: t.TempDir()}
	port := freePort(t)
	s.url = "http://127.0.0.1:" + port
	s.env = append(os.Environ(),
		"PORT="+port, "HOST=127.0.0.1", "WAREST_DATA_DIR="+s.dir, "WAREST_TRANSPORT=sandbox",
		"WAREST_AUTHADMIN_USERNAME=admin", "WAREST_AUTHADMIN_PASSWORD=admin-password-1", "WAREST_ADMIN_APIKEY="+adminKey,
		"WAREST_WEBHOOK_BACKOFF_MS=50", "WAREST_WEBHOOK_JITTER_MS=10", "LOG_LEVEL=info",
		// The scenarios' users have receivers on this host, as a single-tenant server
		// allows; the policy's own tests set it back to admins.
		"WAREST_WEBHOOK_PRIVATE_TARGETS=all",
	)
	for k, v := range extra {
		s.env = append(s.env, k+"="+v)
	}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("gateway output:\n%s", s.output())
		}
	})
	return s
}

func (s *server) launch() {
	s.t.Helper()
	s.cmd = exec.Command(binary)
	if s.umask != "" {
		s.cmd = exec.Command("/bin/sh", "-c", `umask "$1" && exec "$0"`, binary, s.umask)
	}
	s.cmd.Env = s.env
	s.cmd.Dir = s.dir
	s.cmd.Stdout = s
	s.cmd.Stderr = s
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/api/v1/server/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if s.cmd.ProcessState != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("gateway did not become ready:\n%s", s.output())
}

// kill stops the process abruptly (kill -9), as a crash would.
func (s *server) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// restart crashes the process and starts it again on the same data.
func (s *server) restart() {
	s.kill()
	s.launch()
}

func (s *server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.Write(p)
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// envelope is WAREST's response body.
type envelope struct {
	Status  bool              `json:"status"`
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Results []json.RawMessage `json:"results"`
}

// call sends a request with the API key and decodes the envelope; body may be a
// string (sent raw) or a value (sent as JSON).
func (s *server) call(method, path, key string, body any) (int, envelope) {
	s.t.Helper()
	status, raw := s.raw(method, path, key, body)
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		s.t.Fatalf("%s %s: not an envelope (%d): %s", method, path, status, raw)
	}
	if env.Status != (status >= 200 && status < 300) {
		s.t.Fatalf("%s %s: envelope status %v with HTTP %d", method, path, env.Status, status)
	}
	return status, env
}

func (s *server) raw(method, path, key string, body any) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-WAREST-API-KEY", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// result decodes results[0] of an envelope.
func result[T any](t *testing.T, env envelope) T {
	t.Helper()
	var v T
	if len(env.Results) == 0 {
		t.Fatalf("envelope has no results: %+v", env)
	}
	if err := json.Unmarshal(env.Results[0], &v); err != nil {
		t.Fatalf("results[0]: %v: %s", err, env.Results[0])
	}
	return v
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
