package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// startSandbox runs `warest sandbox serve` as its own process, so the virtual network
// (and its log of sent message ids) outlives the gateways that use it.
func startSandbox(t *testing.T) string {
	t.Helper()
	addr := "127.0.0.1:" + freePort(t)
	cmd := exec.Command(binary, "sandbox", "serve", "--addr", addr)
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGKILL); _ = cmd.Wait() })
	eventually(t, "sandbox listening", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return "http://" + addr
}

// A gateway killed with SIGKILL while its worker drains the queue loses nothing and
// duplicates nothing: after a restart every accepted message reaches the network
// exactly once, under the id it was accepted with.
func TestCrashMidQueueSendsEachMessageExactlyOnce(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"WAREST_SANDBOX_URL": startSandbox(t), "WAREST_SEND_WAIT_MS": "0",
		"SPAM_COOLDOWN_MS": "0", "RATE_LIMIT_MAX": "100000", "QUOTA_MAX": "100000"})
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=crash", adminKey, nil); status != http.StatusAccepted {
		t.Fatalf("create: %d %+v", status, env)
	}
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/crash/scan", adminKey, map[string]any{"phone": "6281300000001"}); status != http.StatusOK {
		t.Fatalf("scan: %d %+v", status, env)
	}
	eventually(t, "session open", func() bool {
		_, env := s.call("GET", "/api/v1/session/create?sessionId=crash", adminKey, nil)
		return env.Code == 1104
	})
	// Slow the network so the kill lands while the queue drains.
	if status, env := s.call("PUT", "/api/v1/sandbox/sessions/crash/faults", adminKey, map[string]any{"sendFailureRate": 0, "latencyMs": 25}); status != http.StatusOK {
		t.Fatalf("faults: %d %+v", status, env)
	}
	const total = 200
	accepted := map[string]bool{}
	for i := range total {
		status, env := s.call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": "crash",
			"to": fmt.Sprintf("62813%08d", i%7), "message": fmt.Sprintf("message %d", i)})
		if status != http.StatusAccepted && status != http.StatusOK {
			t.Fatalf("send %d: %d %+v", i, status, env)
		}
		accepted[result[struct{ MessageID string }](t, env).MessageID] = true
	}
	sent := func() []string {
		_, env := s.call("GET", "/api/v1/sandbox/sessions/crash/sent", adminKey, nil)
		ids := make([]string, 0, len(env.Results))
		for i := range env.Results {
			ids = append(ids, result[struct{ MessageID string }](t, envelope{Results: env.Results[i:]}).MessageID)
		}
		return ids
	}
	eventually(t, "the worker to be draining", func() bool { n := len(sent()); return n >= 20 && n < total })
	s.restart() // SIGKILL, then the same binary on the same data

	eventually(t, "every accepted message sent", func() bool { return len(sent()) >= total })
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive after the last original
	ids := sent()
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
		if !accepted[id] {
			t.Errorf("the network got %s, which was never accepted (a retry minted a new id)", id)
		}
	}
	for id := range accepted {
		if seen[id] != 1 {
			t.Errorf("message %s reached the network %d times", id, seen[id])
		}
	}
	if len(ids) != total {
		t.Fatalf("the network got %d messages, want %d", len(ids), total)
	}
	for id := range accepted {
		_, env := s.call("GET", "/api/v1/messages/"+id+"/status?sessionId=crash", adminKey, nil)
		st := result[struct{ Status string }](t, env).Status
		if st != "sent" && st != "delivered" && st != "read" {
			t.Fatalf("message %s is %s after the restart", id, st)
		}
	}
}
