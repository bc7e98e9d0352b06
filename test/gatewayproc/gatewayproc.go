// Package gatewayproc builds the gateway and runs it as a process of its own, for
// the black-box tests (test/e2e, test/browser): one way to build, start, wait for
// and kill it.
package gatewayproc

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The admin every test gateway boots with.
const (
	AdminUsername = "admin"
	AdminPassword = "admin-password-1"
)

// Build compiles cmd/warest into dir and returns the binary's path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "warest")
	build := exec.Command("go", "build", "-o", bin, "./cmd/warest")
	build.Dir = RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the gateway: %w\n%s", err, out)
	}
	return bin, nil
}

// RepoRoot is the directory holding go.mod, above the test's working directory.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
}

// FreePort is a local TCP port nothing listens on right now.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// Process is one gateway process on a local port with its own data directory.
// Env, Dir and Umask may be changed between launches.
type Process struct {
	Bin string
	URL string
	Env []string
	Dir string
	// Umask, when set, is the file mode creation mask the process starts with.
	Umask string
	// Cmd is the running process, nil when there is none.
	Cmd *exec.Cmd

	mu   sync.Mutex
	logs bytes.Buffer
}

// New prepares the gateway bin on the sandbox transport, with the admin's
// password and API key adminKey, quick webhook retries and private webhook
// targets allowed; env adds to or overrides that. It is killed when the test
// ends, and its output logged if the test failed.
func New(t testing.TB, bin, adminKey string, env map[string]string) *Process {
	t.Helper()
	port := FreePort(t)
	p := &Process{Bin: bin, URL: "http://127.0.0.1:" + port, Dir: t.TempDir()}
	p.Env = append(os.Environ(),
		"PORT="+port, "HOST=127.0.0.1", "WAREST_DATA_DIR="+p.Dir, "WAREST_TRANSPORT=sandbox",
		"WAREST_AUTHADMIN_USERNAME="+AdminUsername, "WAREST_AUTHADMIN_PASSWORD="+AdminPassword, "WAREST_ADMIN_APIKEY="+adminKey,
		"WAREST_WEBHOOK_BACKOFF_MS=50", "WAREST_WEBHOOK_JITTER_MS=10", "LOG_LEVEL=info",
		// The tests' receivers are on this host, as a single-tenant server allows.
		"WAREST_WEBHOOK_PRIVATE_TARGETS=all",
	)
	for k, v := range env {
		p.Env = append(p.Env, k+"="+v) // the last of a repeated name wins
	}
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("gateway output:\n%s", p.Output())
		}
	})
	return p
}

// Launch starts the process and waits until it answers its ping.
func (p *Process) Launch(t testing.TB) {
	t.Helper()
	p.Cmd = exec.Command(p.Bin)
	if p.Umask != "" {
		p.Cmd = exec.Command("/bin/sh", "-c", `umask "$1" && exec "$0"`, p.Bin, p.Umask)
	}
	p.Cmd.Env, p.Cmd.Dir = p.Env, p.Dir
	p.Cmd.Stdout, p.Cmd.Stderr = p, p
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(p.URL + "/api/v1/server/ping"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("gateway did not become ready:\n%s", p.Output())
}

// Kill stops the process abruptly (kill -9), as a crash would.
func (p *Process) Kill() {
	if p.Cmd != nil && p.Cmd.Process != nil {
		_ = p.Cmd.Process.Signal(syscall.SIGKILL)
		_ = p.Cmd.Wait()
		p.Cmd = nil
	}
}

func (p *Process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

// Output is everything the process wrote so far, stdout and stderr.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}
