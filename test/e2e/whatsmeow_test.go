package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
	"github.com/warest-go/warest/test/waserver"
)

// startOnTestServer runs the gateway with its default transport, whatsmeow, pointed
// at a WhatsApp-protocol test server in this process, and checks that it says so.
func startOnTestServer(t *testing.T, srv *waserver.Server, extra map[string]string) *server {
	t.Helper()
	root := waserver.Root()
	env := map[string]string{"WAREST_TRANSPORT": "whatsmeow",
		"WAREST_WA_TEST_SERVER": srv.URL(), "WAREST_WA_TEST_SERVER_ROOT": base64.StdEncoding.EncodeToString(root[:])}
	for k, v := range extra {
		env[k] = v
	}
	s := startServer(t, env)
	if out := s.Output(); !strings.Contains(out, "TESTING AID ON") || !strings.Contains(out, srv.URL()) {
		t.Fatalf("the gateway does not announce the test server:\n%s", out)
	}
	return s
}

// linkOnTestServer creates a session over the API, gives it a webhook when
// hook is set, and has the phone scan the QR code the API returned.
func linkOnTestServer(t *testing.T, s *server, srv *waserver.Server, sessionID string, phone *waserver.Phone, hook *receiver) {
	t.Helper()
	status, env := s.call("GET", "/api/v1/session/create?sessionId="+sessionID, adminKey, nil)
	if status != http.StatusAccepted || env.Code != 1107 {
		t.Fatalf("create %s: %d %+v", sessionID, status, env)
	}
	qr := result[struct {
		QRString string `json:"qrString"`
	}](t, env).QRString
	if hook != nil {
		if status, env := s.call("POST", "/api/v1/session/"+sessionID+"/config", adminKey,
			map[string]any{"webhookUrl": hook.srv.URL, "webhookSecret": walkthroughSecret}); status != http.StatusOK {
			t.Fatalf("config %s: %d %+v", sessionID, status, env)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := srv.Scan(ctx, phone, qr); err != nil {
		t.Fatalf("scan %s: %v", sessionID, err)
	}
	eventually(t, sessionID+" open", func() bool {
		_, env := s.call("GET", "/api/v1/session/create?sessionId="+sessionID, adminKey, nil)
		return env.Code == 1104
	})
}

const walkthroughSecret = "walkthrough-secret"

// signed waits for a webhook of event ev whose body contains all of subs, and
// checks its signature with an independent HMAC (key: the secret and the owner's name).
func signed(t *testing.T, hook *receiver, ev string, subs ...string) received {
	t.Helper()
	var got received
	eventually(t, fmt.Sprintf("%s webhook with %q", ev, subs), func() bool {
		var ok bool
		got, ok = hook.find(ev, subs...)
		return ok
	})
	if sig, want := got.header.Get("X-WAREST-Signature"), "HMAC-SHA256="+opensslHMAC(t, walkthroughSecret+"admin", got.body); sig != want {
		t.Fatalf("%s signature %q, independently computed %q", ev, sig, want)
	}
	return got
}

// The README's walkthrough on the real transport: sessions are created and show
// QR codes over the API, phones scan them; one sends a text to the other's phone,
// which reads it and answers; the webhook hears all of it, signed.
func TestWalkthroughOnWhatsmeow(t *testing.T) {
	t.Parallel()
	runWalkthrough(t, nil)
}

func TestWalkthroughOnWhatsmeowPostgres(t *testing.T) {
	t.Parallel()
	runWalkthrough(t, map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, contract.PostgresURL(t))})
}

func runWalkthrough(t *testing.T, env map[string]string) {
	srv := waserver.New(t)
	s := startOnTestServer(t, srv, env)
	hook := newReceiver(t)
	linkOnTestServer(t, s, srv, "demo", waserver.NewPhone("15550001111", "915550001111"), hook)
	signed(t, hook, "session_status", `"sessionId":"demo"`, `"status":"open"`)
	status, devices := s.call("GET", "/api/v1/session/devices?sessionId=demo", adminKey, nil)
	if status != http.StatusOK || !strings.Contains(string(devices.Results[0]), "15550001111") {
		t.Fatalf("devices: %d %s", status, devices.Results)
	}
	linkOnTestServer(t, s, srv, "friend", waserver.NewPhone("15550002222", "915550002222"), hook)

	// demo writes to friend's phone number; friend's webhook gets it.
	status, sent := s.call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": "demo", "to": "15550002222", "message": "hello from demo"})
	if status != http.StatusOK && status != http.StatusAccepted {
		t.Fatalf("send: %d %+v", status, sent)
	}
	id := result[struct{ MessageID string }](t, sent).MessageID
	signed(t, hook, "message_received", `"sessionId":"friend"`, `"id":"`+id+`"`, "hello from demo")
	signed(t, hook, "message_status", `"messageId":"`+id+`"`, `"status":"delivered"`)

	// friend reads it (demo hears so) and answers.
	if status, resp := s.call("POST", "/api/v1/messages/"+id+"/action/mark-as-read", adminKey, map[string]any{"sessionId": "friend"}); status != http.StatusOK {
		t.Fatalf("mark as read: %d %+v", status, resp)
	}
	signed(t, hook, "message_status", `"messageId":"`+id+`"`, `"status":"read"`)
	if status, resp := s.call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": "friend", "to": "15550001111", "message": "hi demo"}); status != http.StatusOK && status != http.StatusAccepted {
		t.Fatalf("answer: %d %+v", status, resp)
	}
	signed(t, hook, "message_received", `"sessionId":"demo"`, "hi demo")
}
