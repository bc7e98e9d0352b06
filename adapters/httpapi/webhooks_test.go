package httpapi_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/ffmpeg"
	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/adapters/warestjson"
	"github.com/warest-go/warest/application"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// receiverStub answers webhook requests by URL: 500 for URLs containing "fail",
// 410 for "gone" (until healed), 200 otherwise; it records every request.
type receiverStub struct {
	mu     sync.Mutex
	reqs   []ports.WebhookRequest
	healed bool
}

func (s *receiverStub) Send(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	switch {
	case strings.Contains(r.URL, "fail"):
		return ports.WebhookResponse{Status: http.StatusInternalServerError}, nil
	case strings.Contains(r.URL, "gone") && !s.healed:
		return ports.WebhookResponse{Status: http.StatusGone}, nil
	}
	return ports.WebhookResponse{Status: http.StatusOK}, nil
}

func (s *receiverStub) heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.healed = true
}

func (s *receiverStub) to(url string) []ports.WebhookRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ports.WebhookRequest
	for _, r := range s.reqs {
		if r.URL == url {
			out = append(out, r)
		}
	}
	return out
}

type hookApp struct {
	*testApp
	recv *receiverStub
}

// newHookApp is newApp with the relay and the webhook dispatcher running.
func newHookApp(t *testing.T) *hookApp {
	t.Helper()
	log := slog.New(slog.NewTextHandler(&logBuffer{}, nil))
	store := appworld.NewStore(t)
	network := sandbox.NewNetwork(sandbox.Config{}, wallClock{})
	recv := &receiverStub{}
	cfg := command.DefaultConfig
	cfg.QRWait, cfg.PairWait, cfg.SendWait = 2*time.Second, time.Second, 3*time.Second
	cfg.Limits.Cooldown = 0
	app := application.New(application.Config{Commands: cfg, Webhooks: worker.WebhookConfig{Algorithm: webhook.SHA256,
		Timeout: time.Second, Policy: webhook.Policy{MaxAttempts: 2, Base: 5 * time.Millisecond, Max: 10 * time.Millisecond},
		Workers: 2, DisableAfter: 100}},
		application.Deps{Store: store, Transport: network, QR: fakeQR{}, Sender: recv, Renderer: warestjson.Renderer{}, Clock: wallClock{}, IDs: ulids{}, Log: log,
			Profiles: network, Contacts: network, Groups: network, Calls: network, Transcoder: ffmpeg.New(ffmpeg.Config{})})
	cmd, q := app.Commands, app.Queries
	appworld.Fast(app)
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		app.Stop()
		_ = network.Close(context.Background())
	})
	seed, err := cmd.Users.SeedAdmin(ctx, "admin", "admin-password", "")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := q.Principals.Authenticate(ctx, seed.GeneratedKey)
	if err != nil {
		t.Fatal(err)
	}
	hc := httpapi.Config{ServiceName: "WAREST", Version: "test", Environment: "test", Timezone: "Asia/Jakarta",
		StartedAt: time.Now(), CookieSecret: []byte("test-secret"), Webhook: command.WebhookSettings{Algorithm: webhook.SHA256, PreflightTimeout: time.Second}}
	h := httpapi.NewHandler(httpapi.Deps{Commands: cmd, Queries: q, Sandbox: network, Log: log, Config: hc, Live: app.Hub.Events, Renderer: warestjson.Renderer{}})
	return &hookApp{testApp: &testApp{h: h, net: network, cmd: cmd, q: q, logs: &logBuffer{}, adminKey: seed.GeneratedKey, admin: admin}, recv: recv}
}

type subDTO struct {
	ID             string   `json:"id"`
	SessionID      string   `json:"sessionId"`
	URL            string   `json:"url"`
	Events         []string `json:"events"`
	Mode           string   `json:"mode"`
	Algorithm      int      `json:"algorithm"`
	Enabled        bool     `json:"enabled"`
	Failures       int      `json:"failures"`
	DisabledReason string   `json:"disabledReason"`
	Secret         string   `json:"secret"`
	RotatingUntil  *string  `json:"rotatingUntil"`
	CreatedAt      string   `json:"createdAt"`
	UpdatedAt      string   `json:"updatedAt"`
}

type deliveryDTO struct {
	ID             string  `json:"id"`
	EventID        string  `json:"eventId"`
	SessionID      string  `json:"sessionId"`
	SubscriptionID string  `json:"subscriptionId"`
	URL            string  `json:"url"`
	Status         string  `json:"status"`
	Attempts       int     `json:"attempts"`
	NextAttemptAt  *string `json:"nextAttemptAt"`
	LastStatus     int     `json:"lastStatus"`
	LastError      string  `json:"lastError"`
}

func results[T any](t *testing.T, r response) []T {
	t.Helper()
	out := make([]T, len(r.env.Results))
	for i := range r.env.Results {
		r.result(t, i, &out[i])
	}
	return out
}

func TestWebhookSubscriptionRoutes(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281111111111")
	a.openSession(t, bob, "b1", "6282222222222")
	const subs = "/api/v1/webhooks/subscriptions"

	expect(t, a.do(t, http.MethodPost, "/api/v1/session/s1/config", alice, map[string]any{"webhookUrl": "https://hooks.test/primary", "webhookSecret": "primary-secret"}), 200, 1000)

	r := a.do(t, http.MethodPost, subs, alice, map[string]any{"sessionId": "s1", "url": "https://hooks.test/a",
		"secret": "sub-secret-1", "events": []string{"message_received", "message_status"}, "algorithm": 512})
	expect(t, r, http.StatusCreated, 1000)
	var created subDTO
	r.result(t, 0, &created)
	if created.ID == "" || created.SessionID != "s1" || created.Secret != "sub-secret-1" || created.Mode != "warest" || created.Algorithm != 512 ||
		!created.Enabled || len(created.Events) != 2 || created.RotatingUntil != nil || created.CreatedAt == "" {
		t.Fatalf("created %s", r.body)
	}
	r = a.do(t, http.MethodPost, subs, alice, map[string]any{"sessionId": "s1", "url": "https://hooks.test/std", "mode": "standard"})
	expect(t, r, http.StatusCreated, 1000)
	var std subDTO
	r.result(t, 0, &std)
	if !strings.HasPrefix(std.Secret, "whsec_") || std.Mode != "standard" || len(std.Events) != 0 {
		t.Fatalf("standard %s", r.body)
	}

	// Listing and reading never show a secret.
	r = a.do(t, http.MethodGet, subs+"?sessionId=s1", alice, nil)
	expect(t, r, 200, 1000)
	list := results[subDTO](t, r)
	ids := map[string]bool{}
	for _, s := range list {
		ids[s.ID] = true
	}
	if len(list) != 3 || !ids["primary:s1"] || !ids[created.ID] || !ids[std.ID] {
		t.Fatalf("list %s", r.body)
	}
	for _, secret := range []string{"sub-secret-1", std.Secret, "primary-secret", `"secret"`} {
		if strings.Contains(string(r.body), secret) {
			t.Fatalf("list leaks %s: %s", secret, r.body)
		}
	}
	r = a.do(t, http.MethodGet, subs+"/"+created.ID, alice, nil)
	expect(t, r, 200, 1000)
	if strings.Contains(string(r.body), "sub-secret-1") || strings.Contains(string(r.body), `"secret"`) {
		t.Fatalf("get leaks the secret: %s", r.body)
	}

	// Patch: URL, filter, enabled.
	r = a.do(t, http.MethodPatch, subs+"/"+created.ID, alice, map[string]any{"url": "https://hooks.test/a2", "events": []string{"call"}, "enabled": false})
	expect(t, r, 200, 1000)
	var patched subDTO
	r.result(t, 0, &patched)
	if patched.URL != "https://hooks.test/a2" || patched.Enabled || patched.DisabledReason == "" || len(patched.Events) != 1 || patched.Secret != "" {
		t.Fatalf("patched %s", r.body)
	}
	r = a.do(t, http.MethodPatch, subs+"/"+created.ID, alice, map[string]any{"enabled": true})
	patched = subDTO{}
	r.result(t, 0, &patched)
	if !patched.Enabled || patched.DisabledReason != "" || patched.Failures != 0 {
		t.Fatalf("re-enabled %s", r.body)
	}

	// Rotate: the new secret is shown once; afterwards only rotatingUntil tells.
	r = a.do(t, http.MethodPost, subs+"/"+created.ID+"/rotate", alice, map[string]any{"overlapSeconds": 600})
	expect(t, r, 200, 1000)
	var rotated subDTO
	r.result(t, 0, &rotated)
	if len(rotated.Secret) < 6 || rotated.Secret == "sub-secret-1" || rotated.RotatingUntil == nil {
		t.Fatalf("rotated %s", r.body)
	}
	until, err := time.Parse(time.RFC3339, *rotated.RotatingUntil)
	if err != nil || until.Before(time.Now().Add(9*time.Minute)) || until.After(time.Now().Add(11*time.Minute)) {
		t.Fatalf("rotatingUntil %v (%v), want ~10 minutes", *rotated.RotatingUntil, err)
	}
	r = a.do(t, http.MethodGet, subs+"/"+created.ID, alice, nil)
	var after subDTO
	r.result(t, 0, &after)
	if after.Secret != "" || strings.Contains(string(r.body), rotated.Secret) || after.RotatingUntil == nil {
		t.Fatalf("after rotation %s", r.body)
	}
	r = a.do(t, http.MethodPost, subs+"/"+created.ID+"/rotate", alice, map[string]any{"secret": "short"})
	expect(t, r, http.StatusBadRequest, 2002)

	// Validation.
	for name, body := range map[string]map[string]any{
		"bad url":       {"sessionId": "s1", "url": "ftp://hooks.test/x", "secret": "secret-123"},
		"relative url":  {"sessionId": "s1", "url": "/hook", "secret": "secret-123"},
		"unknown event": {"sessionId": "s1", "url": "https://hooks.test/x", "secret": "secret-123", "events": []string{"message_recieved"}},
		"short secret":  {"sessionId": "s1", "url": "https://hooks.test/x", "secret": "12345"},
		"bad mode":      {"sessionId": "s1", "url": "https://hooks.test/x", "secret": "secret-123", "mode": "svix"},
		"bad algorithm": {"sessionId": "s1", "url": "https://hooks.test/x", "secret": "secret-123", "algorithm": 100},
	} {
		r := a.do(t, http.MethodPost, subs, alice, body)
		if r.code != http.StatusBadRequest || r.env.Status {
			t.Errorf("%s: HTTP %d %s, want 400", name, r.code, r.body)
		}
	}
	for name, body := range map[string]map[string]any{
		"bad url":       {"url": "mailto:x@y"},
		"unknown event": {"events": []string{"nope"}},
	} {
		if r := a.do(t, http.MethodPatch, subs+"/"+created.ID, alice, body); r.code != http.StatusBadRequest {
			t.Errorf("patch %s: HTTP %d %s, want 400", name, r.code, r.body)
		}
	}

	// Ownership: bob can neither see nor touch alice's subscriptions.
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, subs + "?sessionId=s1", nil},
		{http.MethodPost, subs, map[string]any{"sessionId": "s1", "url": "https://evil.test/h", "secret": "secret-123"}},
		{http.MethodGet, subs + "/" + created.ID, nil},
		{http.MethodPatch, subs + "/" + created.ID, map[string]any{"url": "https://evil.test/h"}},
		{http.MethodPost, subs + "/" + created.ID + "/rotate", map[string]any{}},
		{http.MethodDelete, subs + "/" + created.ID, nil},
		{http.MethodDelete, subs + "/primary:s1", nil},
	} {
		expect(t, a.do(t, c.method, c.path, bob, c.body), http.StatusForbidden, 2201)
	}
	if r := a.do(t, http.MethodGet, subs+"/"+created.ID, alice, nil); strings.Contains(string(r.body), "evil") {
		t.Fatalf("bob changed alice's subscription: %s", r.body)
	}
	expect(t, a.do(t, http.MethodGet, subs+"?sessionId=b1", bob, nil), 200, 1000)
	if r := a.do(t, http.MethodGet, subs+"/nope", alice, nil); r.code != http.StatusNotFound || r.env.Status {
		t.Fatalf("unknown subscription: HTTP %d %s", r.code, r.body)
	}

	// The primary subscription belongs to the session config.
	r = a.do(t, http.MethodDelete, subs+"/primary:s1", alice, nil)
	expect(t, r, http.StatusConflict, 2003)
	if !strings.Contains(r.env.Message, "/config") {
		t.Fatalf("conflict message %q does not say where", r.env.Message)
	}
	expect(t, a.do(t, http.MethodDelete, subs+"/"+std.ID, alice, nil), 200, 1000)
	if r := a.do(t, http.MethodGet, subs+"/"+std.ID, alice, nil); r.code != http.StatusNotFound {
		t.Fatalf("deleted subscription: HTTP %d", r.code)
	}
	// An admin may manage any session's subscriptions.
	expect(t, a.do(t, http.MethodGet, subs+"?sessionId=s1", a.adminKey, nil), 200, 1000)
}

func TestWebhookDeliveryRoutes(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281111111111")
	a.openSession(t, bob, "b1", "6282222222222")
	const gone = "https://hooks.test/gone"
	expect(t, a.do(t, http.MethodPost, "/api/v1/webhooks/subscriptions", alice, map[string]any{"sessionId": "s1", "url": gone,
		"secret": "secret-123", "events": []string{"message_received"}}), 201, 1000)
	expect(t, a.do(t, http.MethodPost, "/api/v1/webhooks/subscriptions", bob, map[string]any{"sessionId": "b1", "url": "https://hooks.test/bob",
		"secret": "secret-123", "events": []string{"message_received"}}), 201, 1000)
	inbound := func(key, session, text string) {
		t.Helper()
		expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/"+session+"/inbound", key,
			map[string]any{"from": "6283333333333", "pushName": "Citra", "text": text}), 200, 1000)
	}
	inbound(alice, "s1", "first")
	inbound(alice, "s1", "second")
	inbound(bob, "b1", "bob's")

	var dead []deliveryDTO
	waitFor(t, "two dead letters", func() bool {
		r := a.do(t, http.MethodGet, "/api/v1/webhooks/dead-letters", alice, nil)
		dead = results[deliveryDTO](t, r)
		return r.code == 200 && len(dead) == 2
	})
	for _, d := range dead {
		if d.Status != "dead" || d.Attempts != 1 || d.LastStatus != 410 || d.NextAttemptAt != nil || d.SessionID != "s1" || d.URL != gone || d.EventID == "" {
			t.Fatalf("dead letter %+v", d)
		}
	}
	waitFor(t, "bob's delivery", func() bool {
		return len(results[deliveryDTO](t, a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries?status=delivered", bob, nil))) == 1
	})

	// Filters, and nobody sees another user's deliveries.
	r := a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries?sessionId=s1&status=dead&eventId="+dead[0].EventID, alice, nil)
	expect(t, r, 200, 1000)
	if got := results[deliveryDTO](t, r); len(got) != 1 || got[0].ID != dead[0].ID {
		t.Fatalf("filtered %s", r.body)
	}
	for _, key := range []string{alice, bob} {
		for _, d := range results[deliveryDTO](t, a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries", key, nil)) {
			if (key == alice) != (d.SessionID == "s1") {
				t.Fatalf("a user sees a foreign delivery: %+v", d)
			}
		}
	}
	if got := results[deliveryDTO](t, a.do(t, http.MethodGet, "/api/v1/webhooks/dead-letters", bob, nil)); len(got) != 0 {
		t.Fatalf("bob sees dead letters %+v", got)
	}
	if got := results[deliveryDTO](t, a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries", a.adminKey, nil)); len(got) != 3 {
		t.Fatalf("admin sees %d deliveries, want 3", len(got))
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries?sessionId=s1", bob, nil), http.StatusForbidden, 2201)
	expect(t, a.do(t, http.MethodGet, "/api/v1/webhooks/dead-letters?sessionId=s1", bob, nil), http.StatusForbidden, 2201)
	expect(t, a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries/"+dead[0].ID, bob, nil), http.StatusForbidden, 2201)
	expect(t, a.do(t, http.MethodPost, "/api/v1/webhooks/deliveries/"+dead[0].ID+"/redeliver", bob, nil), http.StatusForbidden, 2201)
	expect(t, a.do(t, http.MethodPost, "/api/v1/webhooks/deliveries/redeliver", bob, map[string]any{"sessionId": "s1"}), http.StatusForbidden, 2201)
	r = a.do(t, http.MethodPost, "/api/v1/webhooks/deliveries/redeliver", bob, map[string]any{"status": "dead"})
	expect(t, r, http.StatusAccepted, 1001)
	var count struct {
		Count int `json:"count"`
	}
	r.result(t, 0, &count)
	if count.Count != 0 {
		t.Fatalf("bob redelivered %d of alice's deliveries", count.Count)
	}
	if r := a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries?from=yesterday", alice, nil); r.code != http.StatusBadRequest {
		t.Fatalf("bad from: HTTP %d", r.code)
	}

	// One delivery, then redelivery of one and of a range.
	r = a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries/"+dead[0].ID, alice, nil)
	expect(t, r, 200, 1000)
	a.recv.heal()
	r = a.do(t, http.MethodPost, "/api/v1/webhooks/deliveries/"+dead[0].ID+"/redeliver", alice, nil)
	expect(t, r, http.StatusAccepted, 1001)
	var again deliveryDTO
	r.result(t, 0, &again)
	if again.Status != "pending" || again.NextAttemptAt == nil {
		t.Fatalf("redelivered %s", r.body)
	}
	waitFor(t, "the redelivery", func() bool {
		var d deliveryDTO
		a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries/"+dead[0].ID, alice, nil).result(t, 0, &d)
		return d.Status == "delivered" && d.Attempts == 2 && d.LastStatus == 200
	})
	r = a.do(t, http.MethodPost, "/api/v1/webhooks/deliveries/redeliver", alice, map[string]any{"sessionId": "s1", "status": "dead",
		"from": time.Now().Add(-time.Hour).Format(time.RFC3339)})
	expect(t, r, http.StatusAccepted, 1001)
	r.result(t, 0, &count)
	if count.Count != 1 {
		t.Fatalf("redelivered %d dead letters, want 1", count.Count)
	}
	waitFor(t, "both delivered", func() bool {
		r := a.do(t, http.MethodGet, "/api/v1/webhooks/deliveries?sessionId=s1&status=delivered", alice, nil)
		return len(results[deliveryDTO](t, r)) == 2
	})
	if n := len(results[deliveryDTO](t, a.do(t, http.MethodGet, "/api/v1/webhooks/dead-letters", alice, nil))); n != 0 {
		t.Fatalf("%d dead letters left", n)
	}
	reqs := a.recv.to(gone)
	if len(reqs) != 4 {
		t.Fatalf("%d requests to the receiver, want 4 (2 rejected, 2 redelivered)", len(reqs))
	}
	if reqs[0].Headers["X-WAREST-Event-Id"] != reqs[2].Headers["X-WAREST-Event-Id"] && reqs[0].Headers["X-WAREST-Event-Id"] != reqs[3].Headers["X-WAREST-Event-Id"] {
		t.Fatal("a redelivery changed the event id")
	}
	if r := a.do(t, http.MethodPost, "/api/v1/webhooks/deliveries/nope/redeliver", alice, nil); r.code != http.StatusNotFound {
		t.Fatalf("unknown delivery: HTTP %d", r.code)
	}
}

func TestWebhookPreflightRoute(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281111111111")
	const path = "/api/webhooks/preflight"

	r := a.do(t, http.MethodPost, path, alice, map[string]any{"sessionId": "s1", "url": "https://hooks.test/ok", "secret": "secret-123"})
	expect(t, r, 200, 1000)
	var ok struct {
		OK      bool `json:"ok"`
		Results []struct {
			Target string `json:"target"`
			OK     bool   `json:"ok"`
			Status int    `json:"status"`
			Error  string `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal(r.body, &ok); err != nil || !ok.OK || len(ok.Results) != 1 || !ok.Results[0].OK || ok.Results[0].Status != 200 || ok.Results[0].Target != "https://hooks.test/ok" {
		t.Fatalf("preflight ok %s", r.body)
	}
	sent := a.recv.to("https://hooks.test/ok")
	if len(sent) != 1 || sent[0].Headers["X-WAREST-Preflight"] != "1" || sent[0].Headers["X-WAREST-Event"] != "preflight" ||
		!strings.Contains(string(sent[0].Body), `"ping":true`) || strings.Contains(string(sent[0].Body), "secret-123") {
		t.Fatalf("preflight request %+v", sent)
	}

	r = a.do(t, http.MethodPost, path, alice, map[string]any{"sessionId": "s1", "url": "https://hooks.test/fail", "secret": "secret-123"})
	expect(t, r, http.StatusBadRequest, 2000)
	ok.OK = true
	if err := json.Unmarshal(r.body, &ok); err != nil || ok.OK || len(ok.Results) != 1 || ok.Results[0].OK || ok.Results[0].Status != 500 {
		t.Fatalf("preflight failure %s", r.body)
	}

	expect(t, a.do(t, http.MethodPost, path, bob, map[string]any{"sessionId": "s1", "url": "https://hooks.test/ok", "secret": "secret-123"}), http.StatusForbidden, 2201)
	expect(t, a.do(t, http.MethodPost, path, alice, map[string]any{"sessionId": "s1", "url": "not a url", "secret": "secret-123"}), http.StatusBadRequest, 2002)
	// No secret given and the session has none.
	expect(t, a.do(t, http.MethodPost, path, alice, map[string]any{"sessionId": "s1", "url": "https://hooks.test/ok"}), http.StatusBadRequest, 2002)
	// With the session's own secret.
	expect(t, a.do(t, http.MethodPost, "/api/v1/session/s1/config", alice, map[string]any{"webhookUrl": "https://hooks.test/ok", "webhookSecret": "session-secret"}), 200, 1000)
	expect(t, a.do(t, http.MethodPost, path, alice, map[string]any{"sessionId": "s1", "url": "https://hooks.test/ok"}), 200, 1000)
}

type eventFrame struct {
	Cursor    string          `json:"cursor"`
	ID        string          `json:"id"`
	Event     string          `json:"event"`
	SessionID string          `json:"sessionId"`
	Data      json.RawMessage `json:"data"`
}

func TestEventReplayPages(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281111111111")
	a.openSession(t, bob, "b1", "6282222222222")
	for i := range 3 {
		expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/inbound", alice, map[string]any{"from": "6283333333333", "text": fmt.Sprint("m", i)}), 200, 1000)
	}
	type page struct {
		Events []eventFrame `json:"events"`
		Next   string       `json:"next"`
	}
	var all []eventFrame
	waitFor(t, "three messages in the log", func() bool {
		all = all[:0]
		after := "0"
		for {
			r := a.do(t, http.MethodGet, "/api/v1/events?sessionId=s1&limit=2&after="+after, alice, nil)
			expect(t, r, 200, 1000)
			var p page
			r.result(t, 0, &p)
			if len(p.Events) > 2 {
				t.Fatalf("page of %d events with limit 2", len(p.Events))
			}
			if len(p.Events) == 0 {
				if p.Next != after {
					t.Fatalf("empty page moved the cursor from %s to %s", after, p.Next)
				}
				break
			}
			if p.Next != p.Events[len(p.Events)-1].Cursor {
				t.Fatalf("next %s is not the last cursor of %+v", p.Next, p.Events)
			}
			all = append(all, p.Events...)
			after = p.Next
		}
		n := 0
		for _, e := range all {
			if e.Event == "message_received" {
				n++
			}
		}
		return n == 3
	})
	last := int64(0)
	for _, e := range all {
		c, _ := strconv.ParseInt(e.Cursor, 10, 64)
		if c <= last || e.SessionID != "s1" || e.ID == "" {
			t.Fatalf("event %+v after cursor %d", e, last)
		}
		last = c
	}
	// Without a session filter a user gets their own sessions only.
	r := a.do(t, http.MethodGet, "/api/v1/events?limit=1000", bob, nil)
	var p page
	r.result(t, 0, &p)
	for _, e := range p.Events {
		if e.SessionID != "b1" {
			t.Fatalf("bob replays %s's event %+v", e.SessionID, e)
		}
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/events?sessionId=s1", bob, nil), http.StatusForbidden, 2201)
}

// sse reads frames of a live stream.
type sse struct {
	resp   *http.Response
	frames chan map[string]string
	cancel context.CancelFunc // hangs up
}

func openStream(t *testing.T, srv *httptest.Server, key, query, lastID string) *sse {
	t.Helper()
	s, status := dialStream(t, srv, key, query, lastID)
	if s == nil {
		t.Fatalf("stream: HTTP %d", status)
	}
	return s
}

// dialStream opens a stream, or returns nil and the status when it is refused.
func dialStream(t *testing.T, srv *httptest.Server, key, query, lastID string) (*sse, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/events/stream"+query, nil)
	req.Header.Set("X-WAREST-API-KEY", key)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		cancel()
		return nil, resp.StatusCode
	}
	s := &sse{resp: resp, frames: make(chan map[string]string, 100), cancel: cancel}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.frames)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		f := map[string]string{}
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if len(f) > 0 {
					s.frames <- f
					f = map[string]string{}
				}
				continue
			}
			if k, v, ok := strings.Cut(line, ": "); ok {
				f[k] = v
			}
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close(); <-done })
	return s, resp.StatusCode
}

// next returns the next frame of type ev, skipping others.
func (s *sse) next(t *testing.T, ev string) map[string]string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				t.Fatal("stream closed")
			}
			if f["event"] == ev {
				return f
			}
		case <-deadline:
			t.Fatalf("no %s frame", ev)
		}
	}
}

func TestEventStream(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281111111111")
	a.openSession(t, bob, "b1", "6282222222222")
	srv := httptest.NewServer(a.h)
	t.Cleanup(srv.Close)

	// Start after everything published so far; events the relay publishes later come
	// after this cursor, whatever order they were logged in.
	var p struct {
		Next string `json:"next"`
	}
	a.do(t, http.MethodGet, "/api/v1/events?limit=1000", alice, nil).result(t, 0, &p)
	s := openStream(t, srv, alice, "?after="+p.Next, "")
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/b1/inbound", bob, map[string]any{"from": "6283333333333", "text": "for bob"}), 200, 1000)
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/inbound", alice, map[string]any{"from": "6283333333333", "text": "live one"}), 200, 1000)
	f := s.next(t, "message_received")
	var e eventFrame
	if err := json.Unmarshal([]byte(f["data"]), &e); err != nil {
		t.Fatalf("data %q: %v", f["data"], err)
	}
	if e.Cursor != f["id"] || e.SessionID != "s1" || e.Event != "message_received" || !strings.Contains(string(e.Data), "live one") {
		t.Fatalf("frame %v", f)
	}
	firstID, _ := strconv.ParseInt(f["id"], 10, 64)
	if c, _ := strconv.ParseInt(p.Next, 10, 64); firstID <= c {
		t.Fatalf("frame id %d is not after the cursor %d", firstID, c)
	}

	// Reconnect with Last-Event-ID: only later events come.
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/inbound", alice, map[string]any{"from": "6283333333333", "text": "while away"}), 200, 1000)
	s2 := openStream(t, srv, alice, "?sessionId=s1&after=0", f["id"]) // Last-Event-ID wins over ?after
	f2 := s2.next(t, "message_received")
	if id, _ := strconv.ParseInt(f2["id"], 10, 64); id <= firstID || !strings.Contains(f2["data"], "while away") {
		t.Fatalf("after reconnecting: %v", f2)
	}
	for _, f := range []map[string]string{f, f2} {
		if strings.Contains(f["data"], "for bob") {
			t.Fatal("alice's stream carried bob's event")
		}
	}

	// Access is checked before streaming.
	r := a.do(t, http.MethodGet, "/api/v1/events/stream?sessionId=s1", bob, nil)
	expect(t, r, http.StatusForbidden, 2201)
	if r := a.do(t, http.MethodGet, "/api/v1/events/stream", "", nil); r.code != http.StatusUnauthorized {
		t.Fatalf("anonymous stream: HTTP %d", r.code)
	}
}

// Re-posting the session config keeps its secret, so receivers go on verifying;
// rotateSecret returns a new one, and the old one keeps signing alongside
// (X-WAREST-Signature-Previous) as after POST …/subscriptions/{id}/rotate.
func TestSessionConfigKeepsOrRotatesTheSecret(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281111111111")
	const url = "https://hooks.test/primary"
	configure := func(body map[string]any) string {
		t.Helper()
		r := a.do(t, http.MethodPost, "/api/v1/session/s1/config", alice, body)
		expect(t, r, 200, 1000)
		var res struct {
			WebhookSecret string `json:"webhookSecret"`
		}
		r.result(t, 0, &res)
		return res.WebhookSecret
	}
	// signed delivers an inbound text and returns the request that carried it.
	signed := func(text string) ports.WebhookRequest {
		t.Helper()
		expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/inbound", alice,
			map[string]any{"from": "6283333333333", "pushName": "Citra", "text": text}), 200, 1000)
		var got ports.WebhookRequest
		waitFor(t, "the delivery of "+text, func() bool {
			for _, r := range a.recv.to(url) {
				if r.Headers["X-WAREST-Event"] == "message_received" && strings.Contains(string(r.Body), text) {
					got = r
					return true
				}
			}
			return false
		})
		return got
	}
	sign := func(secret string, body []byte) string {
		m := hmac.New(sha256.New, []byte(secret+"alice"))
		m.Write(body)
		return "HMAC-SHA256=" + hex.EncodeToString(m.Sum(nil))
	}

	first := configure(map[string]any{"webhookUrl": url})
	if len(first) < 6 {
		t.Fatalf("no secret generated: %q", first)
	}
	if again := configure(map[string]any{"webhookUrl": url}); again != first {
		t.Fatalf("re-posting the config changed the secret: %q → %q", first, again)
	}
	r := signed("after re-posting")
	if r.Headers["X-WAREST-Signature"] != sign(first, r.Body) || r.Headers["X-WAREST-Signature-Previous"] != "" {
		t.Fatalf("delivery after re-posting is not signed with the first secret alone: %v", r.Headers)
	}

	rotated := configure(map[string]any{"webhookUrl": url, "rotateSecret": true})
	if len(rotated) < 6 || rotated == first {
		t.Fatalf("rotateSecret returned %q (was %q)", rotated, first)
	}
	r = signed("after rotating")
	if r.Headers["X-WAREST-Signature"] != sign(rotated, r.Body) || r.Headers["X-WAREST-Signature-Previous"] != sign(first, r.Body) {
		t.Fatalf("delivery after rotating: %v, want the new secret with the old one alongside", r.Headers)
	}
	sub := results[subDTO](t, a.do(t, http.MethodGet, "/api/v1/webhooks/subscriptions/primary:s1", alice, nil))[0]
	if sub.RotatingUntil == nil {
		t.Fatalf("the primary subscription shows no rotation: %+v", sub)
	}
	// The next re-post keeps the new secret, and the rotation goes on.
	if again := configure(map[string]any{"webhookUrl": url}); again != rotated {
		t.Fatalf("re-posting after the rotation changed the secret: %q → %q", rotated, again)
	}
	r = signed("re-posted after rotating")
	if r.Headers["X-WAREST-Signature"] != sign(rotated, r.Body) || r.Headers["X-WAREST-Signature-Previous"] != sign(first, r.Body) {
		t.Fatalf("delivery after re-posting during the rotation: %v", r.Headers)
	}
}
