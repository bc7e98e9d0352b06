package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/warest-go/warest/test/contract"
)

// receiver is a webhook endpoint that records what it gets.
type receiver struct {
	mu   sync.Mutex
	reqs []received
	srv  *httptest.Server
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, received{header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// find returns the first request whose event header is ev and whose body contains
// every one of subs.
func (r *receiver) find(ev string, subs ...string) (received, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
next:
	for _, q := range r.reqs {
		if q.header.Get("X-WAREST-Event") != ev {
			continue
		}
		for _, sub := range subs {
			if !strings.Contains(string(q.body), sub) {
				continue next
			}
		}
		return q, true
	}
	return received{}, false
}

// opensslHMAC computes the signature with an implementation independent of ours.
func opensslHMAC(t *testing.T, key string, body []byte) string {
	t.Helper()
	cmd := exec.Command("openssl", "dgst", "-sha256", "-hmac", key)
	cmd.Stdin = strings.NewReader(string(body))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	fields := strings.Fields(string(out))
	return fields[len(fields)-1]
}

func TestSliceOnSQLite(t *testing.T) {
	t.Parallel()
	runSlice(t, startServer(t, nil))
}

func TestSliceOnPostgres(t *testing.T) {
	t.Parallel()
	url := contract.PostgresURL(t)
	runSlice(t, startServer(t, map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, url)}))
}

type user struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Registry string `json:"registry"`
}

type issuedKey struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// newUser has the admin create a user and issue it a key.
func newUser(t *testing.T, s *server, name string) (user, string) {
	t.Helper()
	status, env := s.call("POST", "/api/v1/users", adminKey, map[string]any{"username": name, "password": name + "-password", "role": "user"})
	if status != 200 && status != 201 {
		t.Fatalf("create user %s: %d %+v", name, status, env)
	}
	u := result[user](t, env)
	status, env = s.call("POST", "/api/v1/users/"+u.ID+"/keys", adminKey, map[string]any{"name": "e2e"})
	if status != 200 && status != 201 {
		t.Fatalf("issue key for %s: %d %+v", name, status, env)
	}
	k := result[issuedKey](t, env)
	if k.Key == "" {
		t.Fatalf("no plaintext key returned: %s", env.Results[0])
	}
	return u, k.Key
}

func runSlice(t *testing.T, s *server) {
	alice, aliceKey := newUser(t, s, "alice")
	_, bobKey := newUser(t, s, "bob")
	hook := newReceiver(t)

	// Create: a QR comes back as a PNG data URL with its raw string and duration.
	status, env := s.call("GET", "/api/v1/session/create?sessionId=shop", aliceKey, nil)
	if status != 202 || env.Code != 1107 {
		t.Fatalf("create: %d %+v", status, env)
	}
	created := result[struct {
		RegistryUser string `json:"registryUser"`
		SessionID    string `json:"sessionId"`
		QR           string `json:"qr"`
		QRString     string `json:"qrString"`
		QRDuration   int    `json:"qrDuration"`
	}](t, env)
	if created.SessionID != "shop" || created.RegistryUser != alice.Registry || !strings.HasPrefix(created.QR, "data:image/png;base64,") ||
		created.QRString == "" || created.QRDuration <= 0 {
		t.Fatalf("create result: %+v", created)
	}

	// Webhook config for the session.
	status, env = s.call("POST", "/api/v1/session/shop/config", aliceKey, map[string]any{"webhookUrl": hook.srv.URL, "webhookSecret": "hook-secret-1"})
	if status != 200 {
		t.Fatalf("config: %d %+v", status, env)
	}

	// Simulated phone scan opens the session.
	status, env = s.call("POST", "/api/v1/sandbox/sessions/shop/scan", aliceKey, map[string]any{"phone": "6281100000001", "pushName": "Shop"})
	if status != 200 {
		t.Fatalf("scan: %d %+v", status, env)
	}
	eventually(t, "session open", func() bool {
		_, env := s.call("GET", "/api/v1/session/list", aliceKey, nil)
		return strings.Contains(string(env.Results[0]), `"status":"open"`)
	})
	if _, ok := hook.find("session_status", `"status":"open"`); !ok {
		eventually(t, "session_status open webhook", func() bool { _, ok := hook.find("session_status", `"status":"open"`); return ok })
	}

	// Send a text: accepted with a message id.
	status, env = s.call("POST", "/api/v1/messages/send/text", aliceKey, map[string]any{"sessionId": "shop", "to": "081200000002", "message": "hello from e2e"})
	if status != 200 && status != 202 {
		t.Fatalf("send: %d %+v", status, env)
	}
	sent := result[struct {
		MessageID string `json:"messageId"`
		ToJID     string `json:"toJid"`
	}](t, env)
	if sent.MessageID == "" || sent.ToJID != "6281200000002@s.whatsapp.net" {
		t.Fatalf("send result: %s", env.Results[0])
	}

	// An inbound text from a virtual contact reaches the webhook, signed.
	status, env = s.call("POST", "/api/v1/sandbox/sessions/shop/inbound", aliceKey, map[string]any{"from": "6281300000003", "pushName": "Budi", "text": "ping from contact"})
	if status != 200 {
		t.Fatalf("inbound: %d %+v", status, env)
	}
	var got received
	eventually(t, "message_received webhook", func() bool {
		var ok bool
		got, ok = hook.find("message_received", "ping from contact")
		return ok
	})
	want := "HMAC-SHA256=" + opensslHMAC(t, "hook-secret-1"+"alice", got.body)
	if sig := got.header.Get("X-WAREST-Signature"); sig != want {
		t.Errorf("signature %q, independently computed %q", sig, want)
	}
	var body struct {
		Event string `json:"event"`
		Data  struct {
			SessionID string `json:"sessionId"`
			Text      string `json:"text"`
			Sender    struct {
				AuthorJID string `json:"authorJid"`
			} `json:"sender"`
		} `json:"data"`
		Session map[string]any `json:"session"`
	}
	if err := json.Unmarshal(got.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Event != "message_received" || body.Data.SessionID != "shop" || body.Data.Sender.AuthorJID != "6281300000003@s.whatsapp.net" {
		t.Errorf("webhook body: %s", got.body)
	}
	if strings.Contains(string(got.body), "hook-secret-1") || strings.Contains(string(got.body), aliceKey) {
		t.Errorf("a credential leaked into the webhook body: %s", got.body)
	}
	if got.header.Get("X-WAREST-Event-Id") == "" || got.header.Get("X-WAREST-Event-Id") == "shop" {
		t.Errorf("event id header %q is not a unique event id", got.header.Get("X-WAREST-Event-Id"))
	}

	// Errors in the envelope: bad key, foreign session, malformed JSON.
	if status, env = s.call("GET", "/api/v1/session/list", "not-a-key", nil); status != 401 {
		t.Errorf("bad key: %d %+v", status, env)
	}
	if status, env = s.call("GET", "/api/v1/session/devices?sessionId=shop", bobKey, nil); status != 403 || env.Code != 2201 {
		t.Errorf("foreign session: %d %+v", status, env)
	}
	if status, env = s.call("POST", "/api/v1/messages/send/text", bobKey, map[string]any{"sessionId": "shop", "to": "6281200000002", "message": "x"}); status != 403 {
		t.Errorf("foreign send: %d %+v", status, env)
	}
	if status, env = s.call("POST", "/api/v1/messages/send/text", aliceKey, `{"sessionId":"shop",`); status != 400 {
		t.Errorf("malformed JSON: %d %+v", status, env)
	}

	// A crash (kill -9) keeps accounts, keys and sessions.
	s.restart()
	_, env = s.call("GET", "/api/v1/session/list", aliceKey, nil)
	if !strings.Contains(string(env.Results[0]), `"id":"shop"`) {
		t.Errorf("session lost across restart: %s", env.Results[0])
	}
}
