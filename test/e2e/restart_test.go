package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/warest-go/warest/test/contract"
)

// A restart that loses the transport's pairing: the in-process sandbox keeps its
// network in memory, so after a restart the linked device is gone and the
// transport asks for a QR, as whatsmeow does when its device store lost the
// credentials. The session must show that (not "open"), and what was queued for
// the old link must fail at once with a clear reason, untried.
func TestRestartThatLosesThePairingOnSQLite(t *testing.T) {
	t.Parallel()
	runLostPairing(t, startServer(t, lostPairingEnv()))
}

func TestRestartThatLosesThePairingOnPostgres(t *testing.T) {
	t.Parallel()
	env := lostPairingEnv()
	env["WAREST_DB_CLIENT"], env["WAREST_DB_POSTGRES_URL"] = "postgres", freshSchema(t, contract.PostgresURL(t))
	runLostPairing(t, startServer(t, env))
}

func lostPairingEnv() map[string]string {
	return map[string]string{"WAREST_SEND_WAIT_MS": "0", "SPAM_COOLDOWN_MS": "0", "RATE_LIMIT_MAX": "100000", "QUOTA_MAX": "100000"}
}

type sessionList struct {
	Items []struct {
		ID        string          `json:"id"`
		Status    string          `json:"status"`
		Me        json.RawMessage `json:"me"`
		LastError *string         `json:"lastError"`
	} `json:"items"`
}

type messageState struct {
	Status   string  `json:"status"`
	Reason   *string `json:"reason"`
	Attempts int     `json:"attempts"`
}

func runLostPairing(t *testing.T, s *server) {
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=lost", adminKey, nil); status != http.StatusAccepted {
		t.Fatalf("create: %d %+v", status, env)
	}
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/lost/scan", adminKey, map[string]any{"phone": "6281400000001"}); status != http.StatusOK {
		t.Fatalf("scan: %d %+v", status, env)
	}
	eventually(t, "session open", func() bool {
		_, env := s.call("GET", "/api/v1/session/create?sessionId=lost", adminKey, nil)
		return env.Code == 1104
	})
	// A slow network keeps the worker on the first message, so the rest stay queued.
	if status, env := s.call("PUT", "/api/v1/sandbox/sessions/lost/faults", adminKey, map[string]any{"sendFailureRate": 0, "latencyMs": 60000}); status != http.StatusOK {
		t.Fatalf("faults: %d %+v", status, env)
	}
	var ids []string
	for i := range 3 {
		status, env := s.call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": "lost",
			"to": fmt.Sprintf("6281400000%03d", 100+i), "message": fmt.Sprintf("before the restart %d", i)})
		if status != http.StatusAccepted {
			t.Fatalf("send %d: %d %+v", i, status, env)
		}
		ids = append(ids, result[struct{ MessageID string }](t, env).MessageID)
	}

	s.restart() // SIGKILL; the in-process network, and with it the pairing, is gone

	// The session shows what the transport says: it waits for a QR (WAREST's wire
	// name for that is "connecting"), with no account, not "open".
	eventually(t, "the session to follow its transport", func() bool {
		_, env := s.call("GET", "/api/v1/session/list", adminKey, nil)
		l := result[sessionList](t, env)
		return len(l.Items) == 1 && l.Items[0].Status == "connecting" && string(l.Items[0].Me) == "null"
	})
	status, env := s.call("GET", "/api/v1/session/create?sessionId=lost", adminKey, nil)
	created := result[struct{ QR string }](t, env)
	if status != http.StatusAccepted || env.Code != 1107 || !strings.HasPrefix(created.QR, "data:image/png;base64,") {
		t.Fatalf("after the restart create answers %d %+v, want 202/1107 with a QR", status, env)
	}
	if strings.Contains(s.Output(), "cannot go from open to qr") {
		t.Fatalf("a transport status was refused:\n%s", s.Output())
	}

	// Every queued message fails at once as not paired, without an attempt.
	for _, id := range ids {
		eventually(t, "message "+id+" failed", func() bool {
			_, env := s.call("GET", "/api/v1/messages/"+id+"/status?sessionId=lost", adminKey, nil)
			return result[messageState](t, env).Status == "failed"
		})
		_, env := s.call("GET", "/api/v1/messages/"+id+"/status?sessionId=lost", adminKey, nil)
		m := result[messageState](t, env)
		if m.Reason == nil || !strings.Contains(*m.Reason, "session lost is not paired") || m.Attempts != 0 {
			t.Fatalf("message %s: %+v (reason %v)", id, m, m.Reason)
		}
	}
	// New sends are refused until the session is paired again.
	if status, env := s.call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": "lost", "to": "6281400000100", "message": "x"}); status != http.StatusConflict || env.Code != 1106 {
		t.Fatalf("send after the restart: %d %+v", status, env)
	}
}
