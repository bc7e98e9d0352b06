package e2e

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

// Two gateways on one PostgreSQL database and one sandbox network are two nodes:
// a message received by the session running on A reaches an event stream opened
// on B well before B's fallback poll (5 s), and a send accepted on B for A's
// session goes out promptly and wakes B's waiting request.
func TestBusCrossesNodesOnPostgres(t *testing.T) {
	t.Parallel()
	env := map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, contract.PostgresURL(t)),
		"WAREST_SANDBOX_URL": startSandbox(t), "SPAM_COOLDOWN_MS": "0"}
	a := startServer(t, env)
	b := startServer(t, env)

	if status, e := a.call("GET", "/api/v1/session/create?sessionId=node", adminKey, nil); status != http.StatusAccepted {
		t.Fatalf("create on A: %d %+v", status, e)
	}
	if status, e := a.call("POST", "/api/v1/sandbox/sessions/node/scan", adminKey, map[string]any{"phone": "6281300000001"}); status != http.StatusOK {
		t.Fatalf("scan: %d %+v", status, e)
	}
	eventually(t, "session open on A", func() bool {
		_, e := a.call("GET", "/api/v1/session/create?sessionId=node", adminKey, nil)
		return e.Code == 1104
	})

	frames := streamData(t, b, "?sessionId=node")
	time.Sleep(time.Second) // the stream has caught up and waits
	const text = "from node A to a stream on node B"
	sent := time.Now()
	if status, e := a.call("POST", "/api/v1/sandbox/sessions/node/inbound", adminKey, map[string]any{"from": "6281300000002", "text": text}); status != http.StatusOK {
		t.Fatalf("inbound on A: %d %+v", status, e)
	}
	for deadline := time.After(10 * time.Second); ; {
		select {
		case data := <-frames:
			if !strings.Contains(data, text) {
				continue
			}
		case <-deadline:
			t.Fatal("the message received on A never reached B's stream")
		}
		break
	}
	latency := time.Since(sent)
	t.Logf("inbound on A -> stream on B: %v", latency)
	if latency > 2*time.Second {
		t.Fatalf("B's stream saw A's message after %v: it waited for its poll, not for the bus", latency)
	}

	start := time.Now()
	status, e := b.call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": "node", "to": "6281300000003", "message": "sent through B"})
	answered := time.Since(start)
	if status != http.StatusOK && status != http.StatusAccepted {
		t.Fatalf("send on B: %d %+v", status, e)
	}
	id := result[struct{ MessageID string }](t, e).MessageID
	eventually(t, "the message on the network", func() bool {
		_, sentLog := a.raw("GET", "/api/v1/sandbox/sessions/node/sent", adminKey, nil)
		return strings.Contains(string(sentLog), id)
	})
	t.Logf("send on B: answered %d in %v, on the network after %v", status, answered, time.Since(start))
	if status != http.StatusOK || answered > 2*time.Second {
		t.Fatalf("send on B answered %d after %v: its request was not woken when the message went out", status, answered)
	}
}

// streamData opens /events/stream on s and yields each frame's data line.
func streamData(t *testing.T, s *server, query string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/v1/events/stream"+query, nil)
	req.Header.Set("X-WAREST-API-KEY", adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("stream: HTTP %d", resp.StatusCode)
	}
	out := make(chan string, 64)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				select {
				case out <- data:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}
