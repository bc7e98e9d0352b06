package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// POST /server/restart while the queue drains: the gateway stops as on SIGTERM,
// executes itself again in place (same pid) and serves again, and every accepted
// message reaches the network exactly once.
func TestRestartReExecsAndLosesNothingQueued(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"WAREST_SANDBOX_URL": startSandbox(t), "WAREST_SEND_WAIT_MS": "0",
		"SPAM_COOLDOWN_MS": "0", "RATE_LIMIT_MAX": "100000", "QUOTA_MAX": "100000"})
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=rs", adminKey, nil); status != http.StatusAccepted {
		t.Fatalf("create: %d %+v", status, env)
	}
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/rs/scan", adminKey, map[string]any{"phone": "6281300000009"}); status != http.StatusOK {
		t.Fatalf("scan: %d %+v", status, env)
	}
	eventually(t, "session open", func() bool {
		_, env := s.call("GET", "/api/v1/session/create?sessionId=rs", adminKey, nil)
		return env.Code == 1104
	})
	// A slow network keeps most messages queued when the restart comes.
	if status, env := s.call("PUT", "/api/v1/sandbox/sessions/rs/faults", adminKey, map[string]any{"sendFailureRate": 0, "latencyMs": 40}); status != http.StatusOK {
		t.Fatalf("faults: %d %+v", status, env)
	}
	pid := func() int {
		_, env := s.call("GET", "/api/v1/server/info", adminKey, nil)
		return result[struct{ Process struct{ PID int } }](t, env).Process.PID
	}
	if pid() != s.Cmd.Process.Pid {
		t.Fatalf("info reports pid %d, the gateway is %d", pid(), s.Cmd.Process.Pid)
	}
	const total = 120
	accepted := map[string]bool{}
	for i := range total {
		status, env := s.call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": "rs",
			"to": fmt.Sprintf("62813%08d", i%5), "message": fmt.Sprintf("message %d", i)})
		if status != http.StatusAccepted && status != http.StatusOK {
			t.Fatalf("send %d: %d %+v", i, status, env)
		}
		accepted[result[struct{ MessageID string }](t, env).MessageID] = true
	}
	status, env := s.call("POST", "/api/v1/server/restart", adminKey, map[string]any{"delaySeconds": 0, "reason": "e2e"})
	r := result[struct {
		RestartInitiated bool
		RestartStrategy  string
	}](t, env)
	if status != http.StatusAccepted || env.Code != 1003 || !r.RestartInitiated || r.RestartStrategy != "exec" {
		t.Fatalf("restart: %d %+v %+v", status, env, r)
	}
	if status, env := s.call("POST", "/api/v1/server/restart", adminKey, nil); status != http.StatusOK || env.Code != 1005 {
		t.Fatalf("a second restart while one is pending: %d %+v", status, env)
	}

	eventually(t, "the gateway to restart", func() bool {
		return strings.Count(s.Output(), "shutdown complete, restarting") == 1 && strings.Count(s.Output(), "listening on http://") == 2
	})
	eventually(t, "the gateway to serve again", func() bool {
		resp, err := http.Get(s.URL + "/api/v1/server/ping")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	if got := pid(); got != s.Cmd.Process.Pid {
		t.Fatalf("pid %d serves after the restart, want %d: exec mode restarts in place", got, s.Cmd.Process.Pid)
	}
	if !strings.Contains(s.Output(), "workers drained") {
		t.Fatalf("the workers were not drained before the restart:\n%s", s.Output())
	}

	sent := func() []string {
		_, env := s.call("GET", "/api/v1/sandbox/sessions/rs/sent", adminKey, nil)
		ids := make([]string, 0, len(env.Results))
		for i := range env.Results {
			ids = append(ids, result[struct{ MessageID string }](t, envelope{Results: env.Results[i:]}).MessageID)
		}
		return ids
	}
	eventually(t, "every accepted message sent", func() bool { return len(sent()) >= total })
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive after the last original
	seen := map[string]int{}
	for _, id := range sent() {
		seen[id]++
	}
	for id := range accepted {
		if seen[id] != 1 {
			t.Errorf("message %s reached the network %d times", id, seen[id])
		}
	}
	if len(seen) != total {
		t.Fatalf("the network got %d distinct messages, want %d", len(seen), total)
	}
}

// In exit mode (for a supervisor: Docker, systemd, pm2) the gateway drains and
// exits with the configured status.
func TestRestartExitsForTheSupervisor(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"WAREST_RESTART_MODE": "exit", "WAREST_RESTART_EXIT_CODE": "3"})
	status, env := s.call("POST", "/api/v1/server/restart", adminKey, map[string]any{"delaySeconds": 1.5})
	if status != http.StatusAccepted || result[struct{ RestartStrategy string }](t, env).RestartStrategy != "exit" {
		t.Fatalf("restart: %d %+v", status, env)
	}
	done := make(chan error, 1)
	go func() { done <- s.Cmd.Wait() }()
	select {
	case err := <-done:
		s.Cmd = nil
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Fatalf("the gateway ended with %v, want exit status 3", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the gateway did not exit")
	}
	if !strings.Contains(s.Output(), "shutdown complete, restarting") {
		t.Fatalf("no orderly shutdown before the exit:\n%s", s.Output())
	}
}
