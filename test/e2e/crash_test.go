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
// resends nothing the network had already taken: after a restart every accepted
// message reaches the network under the id it was accepted with, and the only id
// the network may see twice is the one in flight at the kill (sent, but killed
// before its outcome was stored). The network's attempts log shows every repeat,
// which WhatsApp itself would silently drop.
func TestCrashMidQueueSendsEachMessageExactlyOnce(t *testing.T) {
	t.Parallel()
	runCrashMidQueue(t, nil)
}

func TestCrashMidQueueSendsEachMessageExactlyOnceOnMySQL(t *testing.T) {
	t.Parallel()
	runCrashMidQueue(t, mysqlEnv(t))
}

// runCrashMidQueue runs the crash on the store env selects (nil: SQLite).
func runCrashMidQueue(t *testing.T, env map[string]string) {
	e := map[string]string{"WAREST_SANDBOX_URL": startSandbox(t), "WAREST_SEND_WAIT_MS": "0",
		"SPAM_COOLDOWN_MS": "0", "RATE_LIMIT_MAX": "100000", "QUOTA_MAX": "100000"}
	for k, v := range env {
		e[k] = v
	}
	s := startServer(t, e)
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
	const latency = 25 * time.Millisecond
	if status, env := s.call("PUT", "/api/v1/sandbox/sessions/crash/faults", adminKey, map[string]any{"sendFailureRate": 0, "latencyMs": latency.Milliseconds()}); status != http.StatusOK {
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
	type attempt struct {
		MessageID string
		At        time.Time
		Repeat    bool
	}
	attempts := func() []attempt {
		_, env := s.call("GET", "/api/v1/sandbox/sessions/crash/attempts", adminKey, nil)
		out := make([]attempt, len(env.Results))
		for i := range env.Results {
			out[i] = result[attempt](t, envelope{Results: env.Results[i:]})
		}
		return out
	}
	eventually(t, "the worker to be draining", func() bool { n := len(attempts()); return n >= 20 && n < total })
	s.Kill()
	// A send the dead process had already written reaches the network within the
	// latency; everything stamped after this boundary comes from the restarted one.
	time.Sleep(4 * latency)
	restartedAt := time.Now()
	s.launch()

	firsts := func() int {
		n := 0
		for _, a := range attempts() {
			if !a.Repeat {
				n++
			}
		}
		return n
	}
	eventually(t, "every accepted message sent", func() bool { return firsts() >= total })
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive after the last original
	log := attempts()

	// The worker sends one message at a time and stores each outcome before the
	// next send, so only the last id sent before the kill may lack its outcome.
	inFlight := ""
	for _, a := range log {
		if a.At.Before(restartedAt) {
			inFlight = a.MessageID
		}
	}
	seen := map[string]int{}
	for _, a := range log {
		seen[a.MessageID]++
		if !accepted[a.MessageID] {
			t.Errorf("the network got %s, which was never accepted (a retry minted a new id)", a.MessageID)
		}
		if a.Repeat != (seen[a.MessageID] > 1) {
			t.Errorf("attempt %d of %s is marked repeat=%v", seen[a.MessageID], a.MessageID, a.Repeat)
		}
	}
	for id := range accepted {
		switch n := seen[id]; {
		case n == 0:
			t.Errorf("message %s never reached the network", id)
		case n > 1 && (id != inFlight || n > 2):
			t.Errorf("message %s reached the network %d times, though it was not the one in flight at the kill (%s)", id, n, inFlight)
		case n > 1:
			t.Logf("the message in flight at the kill, %s, was sent again after the restart (the network drops the repeat)", id)
		}
	}
	t.Logf("%d send attempts for %d messages; the in flight one at the kill: %q", len(log), total, inFlight)
	if n := firsts(); n != total {
		t.Fatalf("the network took %d messages, want %d", n, total)
	}
	for id := range accepted {
		_, env := s.call("GET", "/api/v1/messages/"+id+"/status?sessionId=crash", adminKey, nil)
		st := result[struct{ Status string }](t, env).Status
		if st != "sent" && st != "delivered" && st != "read" {
			t.Fatalf("message %s is %s after the restart", id, st)
		}
	}
}
