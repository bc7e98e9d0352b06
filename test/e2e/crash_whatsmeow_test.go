package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/warest-go/warest/test/waserver"
)

// The kill -9 test on the real transport: the gateway runs whatsmeow against
// test/waserver, which records every message stanza it receives by id. Killed
// while its worker drains the queue and started again, the gateway loses no
// accepted message, and the only id the server may see twice is the one in flight
// at the kill (sent, but killed before its outcome was stored). Unlike the sandbox,
// nothing here hides a repeat: WhatsApp would relay it.
func TestCrashMidQueueOnWhatsmeow(t *testing.T) {
	t.Parallel()
	srv := waserver.New(t)
	// Paced, so the queue is still draining when the test looks.
	s := startOnTestServer(t, srv, map[string]string{"WAREST_SEND_WAIT_MS": "0", "WAREST_PACE_MS": "15",
		"SPAM_COOLDOWN_MS": "0", "RATE_LIMIT_MAX": "100000", "QUOTA_MAX": "100000"})
	own, friend := waserver.NewPhone("15550003333", "915550003333"), waserver.NewPhone("15550004444", "915550004444")
	linkOnTestServer(t, s, srv, "crash", own, nil)
	linkOnTestServer(t, s, srv, "friend", friend, nil)

	const total = 200
	accepted := map[string]bool{}
	for i := range total {
		status, env := s.call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": "crash",
			"to": friend.User, "message": fmt.Sprintf("message %d", i)})
		if status != http.StatusAccepted && status != http.StatusOK {
			t.Fatalf("send %d: %d %+v", i, status, env)
		}
		accepted[result[struct{ MessageID string }](t, env).MessageID] = true
	}
	// The gateway's sends, in the order the server took them; retries answering a
	// retry receipt are the protocol's, not resends.
	sent := func() []waserver.Attempt {
		var out []waserver.Attempt
		for _, a := range srv.Attempts() {
			if a.Sender.User == own.User && !a.Retry {
				out = append(out, a)
			}
		}
		return out
	}
	eventually(t, "the worker to be draining", func() bool { n := len(sent()); return n >= 20 && n < total })
	s.Kill()
	// Whatever the dead process wrote reached the server by now: the new one has
	// not even started.
	before := len(sent())
	s.launch()

	eventually(t, "every accepted message sent and recorded", func() bool {
		for id := range accepted {
			_, env := s.call("GET", "/api/v1/messages/"+id+"/status?sessionId=crash", adminKey, nil)
			if st := result[struct{ Status string }](t, env).Status; st != "sent" && st != "delivered" && st != "read" {
				return false
			}
		}
		return true
	})
	log := sent()
	inFlight := ""
	if before > 0 {
		inFlight = log[before-1].ID
	}
	seen := map[string]int{}
	for _, a := range log {
		seen[a.ID]++
		if !accepted[a.ID] {
			t.Errorf("the server got %s, which was never accepted (a retry minted a new id)", a.ID)
		}
	}
	repeated := 0
	for id := range accepted {
		switch n := seen[id]; {
		case n == 0:
			t.Errorf("message %s never reached the server", id)
		case n > 1 && (id != inFlight || n > 2):
			t.Errorf("message %s reached the server %d times, though it was not the one in flight at the kill (%s)", id, n, inFlight)
		case n > 1:
			repeated++
		}
	}
	t.Logf("%d messages, %d stanzas at the server (%d before the kill); sent again after the restart: %d (the one in flight at the kill: %s)",
		total, len(log), before, repeated, inFlight)
}
