package e2e

import (
	"context"
	"encoding/base64"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

func TestReusedSessionIDShowsNothingOfThePreviousOwnerOnSQLite(t *testing.T) {
	t.Parallel()
	runReusedSessionID(t, startServer(t, nil))
}

func TestReusedSessionIDShowsNothingOfThePreviousOwnerOnPostgres(t *testing.T) {
	t.Parallel()
	url := contract.PostgresURL(t)
	runReusedSessionID(t, startServer(t, map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, url)}))
}

const privateText = "alice's private words"

// runReusedSessionID: alice's session reuse1 gets a webhook, pairs, sends a
// document and receives a message that reaches her receiver; she deletes it. Bob
// creates reuse1: no read, replay, stream or redelivery shows him (or the admin)
// anything of hers, her receiver gets nothing more, and her file is gone from disk.
func runReusedSessionID(t *testing.T, s *server) {
	_, alice := newUser(t, s, "alice")
	_, bob := newUser(t, s, "bob")
	hook := newHookLog(t)
	hookURL := hook.srv.URL + "/alice-hook"

	if status, env := s.call("GET", "/api/v1/session/create?sessionId=reuse1", alice, nil); status != 202 {
		t.Fatalf("create: %d %+v", status, env)
	}
	status, env := s.call("POST", "/api/v1/webhooks/subscriptions", alice, map[string]any{"sessionId": "reuse1", "url": hookURL, "secret": "alice-secret-1"})
	if status != 201 {
		t.Fatalf("subscribe: %d %+v", status, env)
	}
	sub := result[struct{ ID string }](t, env)
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/reuse1/scan", alice, map[string]any{"phone": "6281100000009", "pushName": "Alice"}); status != 200 {
		t.Fatalf("scan: %d %+v", status, env)
	}
	eventually(t, "session open", func() bool {
		_, env := s.call("GET", "/api/v1/session/list", alice, nil)
		return len(env.Results) > 0 && strings.Contains(string(env.Results[0]), `"status":"open"`)
	})
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	status, env = s.call("POST", "/api/v1/messages/send/document", alice, map[string]any{"sessionId": "reuse1", "to": "6281200000002",
		"document": "data:application/pdf;base64," + base64.StdEncoding.EncodeToString(pdf), "filename": "contract.pdf"})
	if status != 200 && status != 202 {
		t.Fatalf("send document: %d %+v", status, env)
	}
	sent := result[struct {
		MessageID string `json:"messageId"`
	}](t, env).MessageID
	if files := outboundFiles(t, s); len(files) == 0 {
		t.Fatal("the document is not in the blob store")
	}
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/reuse1/inbound", alice, map[string]any{"from": "6281300000003", "pushName": "Budi", "text": privateText}); status != 200 {
		t.Fatalf("inbound: %d %+v", status, env)
	}
	eventually(t, "the message at alice's receiver", func() bool { return len(hook.of(privateText)) == 1 })
	// Everything delivered: nothing of alice's is in flight when she deletes.
	var deliveries []e2eDelivery
	eventually(t, "every delivery done", func() bool {
		deliveries = deliveriesOf(t, s, alice, "/api/v1/webhooks/deliveries?sessionId=reuse1")
		return len(deliveries) > 0 && len(deliveriesOf(t, s, alice, "/api/v1/webhooks/deliveries?sessionId=reuse1&status=pending")) == 0
	})
	var aliceEvents []string
	for _, e := range replay(t, s, alice, "/api/v1/events?sessionId=reuse1&limit=1000") {
		aliceEvents = append(aliceEvents, e.ID)
	}
	if status, env := s.call("DELETE", "/api/v1/session/delete?sessionId=reuse1", alice, nil); status != 200 {
		t.Fatalf("delete: %d %+v", status, env)
	}
	hits := len(hook.all())
	if files := outboundFiles(t, s); len(files) != 0 {
		t.Errorf("the deleted session's files remain: %v", files)
	}

	if status, env := s.call("GET", "/api/v1/session/create?sessionId=reuse1", bob, nil); status != 202 {
		t.Fatalf("bob's create: %d %+v", status, env)
	}
	// Whatever a response says, it must not carry alice's events, text, receiver,
	// phone or ids.
	traces := append([]string{privateText, hookURL, "6281100000009", sent, sub.ID}, aliceEvents...)
	for _, d := range deliveries {
		traces = append(traces, d.ID)
	}
	clean := func(who, what string, body []byte) {
		t.Helper()
		for _, x := range traces {
			if strings.Contains(string(body), x) {
				t.Errorf("%s sees %q of the deleted session in %s: %s", who, x, what, body)
			}
		}
	}
	for _, c := range []struct {
		who, key, path string
		status         int
	}{
		{"bob", bob, "/api/v1/session/list", 200},
		{"bob", bob, "/api/v1/session/devices?sessionId=reuse1", 200},
		{"bob", bob, "/api/v1/events?sessionId=reuse1&limit=1000", 200},
		{"bob", bob, "/api/v1/events?limit=1000", 200},
		{"bob", bob, "/api/v1/webhooks/deliveries?sessionId=reuse1", 200},
		{"bob", bob, "/api/v1/webhooks/deliveries", 200},
		{"bob", bob, "/api/v1/webhooks/dead-letters?sessionId=reuse1", 200},
		{"bob", bob, "/api/v1/webhooks/subscriptions?sessionId=reuse1", 200},
		{"bob", bob, "/api/v1/messages/" + sent + "/status?sessionId=reuse1", 404},
		{"bob", bob, "/api/v1/webhooks/deliveries/" + deliveries[0].ID, 404},
		{"admin", adminKey, "/api/v1/events?limit=1000", 200},
		{"admin", adminKey, "/api/v1/webhooks/deliveries", 200},
		{"admin", adminKey, "/api/v1/webhooks/dead-letters", 200},
		{"admin", adminKey, "/api/v1/messages/" + sent + "/status?sessionId=reuse1", 404},
		{"admin", adminKey, "/api/v1/webhooks/deliveries/" + deliveries[0].ID, 404},
	} {
		status, body := s.raw("GET", c.path, c.key, nil)
		if status != c.status {
			t.Errorf("%s GET %s: %d, want %d: %s", c.who, c.path, status, c.status, body)
		}
		if status == 200 { // a 404 names the id it was asked for
			clean(c.who, c.path, body)
		}
	}
	if got := deliveriesOf(t, s, bob, "/api/v1/webhooks/deliveries?sessionId=reuse1"); len(got) != 0 {
		t.Errorf("bob's new reuse1 has deliveries: %+v", got)
	}
	clean("bob", "the event stream", readStream(t, s, bob, "/api/v1/events/stream?sessionId=reuse1&after=0"))
	clean("admin", "the event stream", readStream(t, s, adminKey, "/api/v1/events/stream?after=0"))

	// Redelivery, in every form the API offers, finds nothing of alice's to send.
	for _, key := range []string{bob, adminKey} {
		for _, d := range deliveries {
			if status, body := s.raw("POST", "/api/v1/webhooks/deliveries/"+d.ID+"/redeliver", key, nil); status != 404 {
				t.Errorf("redeliver %s: %d, want 404: %s", d.ID, status, body)
			}
		}
		for _, filter := range []map[string]any{
			{"sessionId": "reuse1"}, {"sessionId": "reuse1", "status": "delivered"}, {"sessionId": "reuse1", "status": "dead"},
			{"eventId": deliveries[0].EventID}, {"subscriptionId": sub.ID}, {},
		} {
			status, env := s.call("POST", "/api/v1/webhooks/deliveries/redeliver", key, filter)
			if status != 202 || result[struct{ Count int }](t, env).Count != 0 {
				t.Errorf("redeliver %v: %d %+v, want nothing to redeliver", filter, status, env)
			}
		}
	}
	// Give a wrongly scheduled redelivery time to reach the receiver.
	time.Sleep(time.Second)
	if got := hook.all(); len(got) != hits {
		t.Fatalf("alice's receiver got %d more requests after the deletion: %+v", len(got)-hits, got[hits:])
	}
}

// all returns every request the receiver got.
func (h *hookLog) all() []hit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hit(nil), h.hits...)
}

type e2eEvent struct {
	ID        string `json:"id"`
	SessionID string `json:"sessionId"`
}

func replay(t *testing.T, s *server, key, path string) []e2eEvent {
	t.Helper()
	status, env := s.call("GET", path, key, nil)
	if status != 200 {
		t.Fatalf("GET %s: %d %+v", path, status, env)
	}
	return result[struct{ Events []e2eEvent }](t, env).Events
}

// readStream reads an event stream for a second and returns what it sent.
func readStream(t *testing.T, s *server, key, path string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-WAREST-API-KEY", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body) // ends with the deadline
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body
}

// outboundFiles lists the outbound media files (and their metadata) under the
// data directory's blob store.
func outboundFiles(t *testing.T, s *server) []string {
	t.Helper()
	var out []string
	root := filepath.Join(s.Dir, "private", "storages")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.Contains(path, string(filepath.Separator)+"outbound"+string(filepath.Separator)) {
			out = append(out, path)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}
