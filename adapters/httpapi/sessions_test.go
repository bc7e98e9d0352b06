package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestSessionSlice(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")

	r := a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=s1", key, nil)
	expect(t, r, http.StatusAccepted, 1107)
	var created struct {
		RegistryUser string  `json:"registryUser"`
		SessionID    string  `json:"sessionId"`
		QRString     string  `json:"qrString"`
		QR           string  `json:"qr"`
		QRDuration   int     `json:"qrDuration"`
		WebhookURL   *string `json:"webhookUrl"`
	}
	r.result(t, 0, &created)
	if created.SessionID != "s1" || created.RegistryUser == "" || created.QRString == "" ||
		!strings.HasPrefix(created.QR, "data:image/png;base64,") || created.QRDuration <= 0 || created.WebhookURL != nil {
		t.Fatalf("create result %s", r.body)
	}

	// The sandbox phone scans the current QR (qr omitted).
	r = a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/scan", key, map[string]string{"phone": "6281234567890", "pushName": "Alice Bot"})
	expect(t, r, http.StatusOK, 1000)
	waitFor(t, "session open", func() bool {
		r := a.do(t, http.MethodGet, "/api/v1/session/list", key, nil)
		return strings.Contains(string(r.body), `"status":"open"`)
	})
	r = a.do(t, http.MethodGet, "/api/v1/session/create?id=s1", key, nil) // alias
	expect(t, r, http.StatusOK, 1104)

	r = a.do(t, http.MethodGet, "/api/v1/session/list", key, nil)
	expect(t, r, http.StatusOK, 1000)
	var list struct {
		Items []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Me     *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"me"`
			PushName *string `json:"pushName"`
			LastConn *string `json:"lastConn"`
		} `json:"items"`
	}
	r.result(t, 0, &list)
	if len(list.Items) != 1 || list.Items[0].Me == nil || list.Items[0].Me.ID != "6281234567890@s.whatsapp.net" ||
		list.Items[0].PushName == nil || *list.Items[0].PushName != "Alice Bot" || list.Items[0].LastConn == nil {
		t.Fatalf("list %s", r.body)
	}

	r = a.do(t, http.MethodGet, "/api/v1/session/devices?session=s1", key, nil)
	expect(t, r, http.StatusOK, 1000)
	var dev struct {
		Name   *string `json:"name"`
		Phone  *string `json:"phone"`
		Device string  `json:"device"`
	}
	r.result(t, 0, &dev)
	if dev.Phone == nil || *dev.Phone != "6281234567890" || dev.Device == "" {
		t.Fatalf("devices %s", r.body)
	}

	// Send a text, then look its status up.
	r = a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{
		"sessionId": "s1", "to": "6281111111111", "message": "hello", "replyMessageId": "AB12"})
	expect(t, r, http.StatusOK, 1000)
	var sent struct {
		Phone        string `json:"phone"`
		To           string `json:"to"`
		ToJID        string `json:"toJid"`
		MessageID    string `json:"messageId"`
		Status       string `json:"status"`
		State        string `json:"state"`
		Timestamp    int64  `json:"timestamp"`
		AdvancedInfo struct {
			IsForwarded     bool    `json:"isForwarded"`
			QuotedMessageID *string `json:"quotedMessageId"`
		} `json:"advancedInfo"`
	}
	r.result(t, 0, &sent)
	if sent.Phone != "6281234567890" || sent.To != "6281111111111" || sent.ToJID != "6281111111111@s.whatsapp.net" ||
		sent.MessageID == "" || sent.Status != "text success" || sent.State != "sent" && sent.State != "delivered" ||
		sent.Timestamp == 0 || sent.AdvancedInfo.QuotedMessageID == nil || *sent.AdvancedInfo.QuotedMessageID != "AB12" {
		t.Fatalf("send result %s", r.body)
	}
	if got := a.net.Sent("s1"); len(got) != 1 || got[0].ID != sent.MessageID {
		t.Fatalf("sandbox saw %v", got)
	}
	r = a.do(t, http.MethodGet, "/api/v1/messages/"+sent.MessageID+"/status?sessionId=s1", key, nil)
	expect(t, r, http.StatusOK, 1000)
	var st struct {
		MessageID string `json:"messageId"`
		Status    string `json:"status"`
		To        string `json:"to"`
		Attempts  int    `json:"attempts"`
	}
	r.result(t, 0, &st)
	if st.MessageID != sent.MessageID || st.To != "6281111111111@s.whatsapp.net" || st.Attempts != 1 || (st.Status != "sent" && st.Status != "delivered") {
		t.Fatalf("status %s", r.body)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/messages/3EB0NOPE/status?sessionId=s1", key, nil), http.StatusNotFound, 2601)

	// GET form with a list, selecting the session by its own phone.
	r = a.do(t, http.MethodGet, "/api/v1/messages/send/text?phone=6281234567890&to=6281111111111,6282222222222&message=hi", key, nil)
	expect(t, r, http.StatusOK, 1000)
	if len(r.env.Results) != 2 {
		t.Fatalf("want 2 results: %s", r.body)
	}

	// Inbound through the sandbox answers with the message id.
	r = a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/inbound", key, map[string]string{"from": "6283333333333", "text": "ping"})
	expect(t, r, http.StatusOK, 1000)
	r = a.do(t, http.MethodGet, "/api/v1/sandbox/sessions/s1/sent", key, nil)
	if len(r.env.Results) != 3 {
		t.Fatalf("sent %s", r.body)
	}

	r = a.do(t, http.MethodGet, "/api/v1/session/reconnect?sessionId=s1", key, nil)
	expect(t, r, http.StatusAccepted, 1109)

	r = a.do(t, http.MethodGet, "/api/v1/session/logout?sessionId=s1", key, nil)
	expect(t, r, http.StatusOK, 1000)
	if !strings.Contains(string(r.body), `"steps":{"runtime":true,"creds":true}`) {
		t.Fatalf("logout %s", r.body)
	}
	r = a.do(t, http.MethodDelete, "/api/v1/session/delete?sessionId=s1", key, nil)
	expect(t, r, http.StatusOK, 1000)
	if !strings.Contains(string(r.body), `"meta":true`) {
		t.Fatalf("delete %s", r.body)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/devices?sessionId=s1", key, nil), http.StatusNotFound, 1101)
}

func TestSendOutcomes(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")
	a.openSession(t, key, "s1", "6281234567890")

	r := a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{
		"sessionId": "s1", "to": []string{"6281111111111", unreachable + "11111111"}, "message": "hello"})
	expect(t, r, http.StatusMultiStatus, 1004)
	if len(r.env.Results) != 2 || len(r.env.Failed) != 1 || !strings.Contains(string(r.env.Failed[0]), `"status":"text failed"`) ||
		!strings.Contains(string(r.env.Failed[0]), `"error":"recipient unreachable"`) {
		t.Fatalf("207 body %s", r.body)
	}

	r = a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{
		"sessionId": "s1", "to": unreachable + "22222222", "message": "hello"})
	expect(t, r, http.StatusBadGateway, 3002)
	if r.env.Failed != nil {
		t.Fatalf("failed list only on 207: %s", r.body)
	}

	// A session that is not open cannot send.
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=s2", key, nil), http.StatusAccepted, 1107)
	r = a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{"sessionId": "s2", "to": "6281111111111", "message": "x"})
	expect(t, r, http.StatusConflict, 1106)
	r = a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{"sessionId": "s1", "message": "x"})
	expect(t, r, http.StatusBadRequest, 2001)
	if strings.Contains(a.logs.String(), "hello") {
		t.Fatal("a message body reached the logs")
	}
}

func TestPairCodeAndWebhookConfig(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")

	r := a.do(t, http.MethodGet, "/api/v1/session/create/pair-code?sessionId=p1&phone=6287777777777", key, nil)
	expect(t, r, http.StatusOK, 1000)
	var pc struct {
		PairCode string `json:"pairCode"`
	}
	r.result(t, 0, &pc)
	if len(pc.PairCode) != 9 || pc.PairCode[4] != '-' {
		t.Fatalf("pair code %s", r.body)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/create/pair-code?sessionId=p1", key, nil), http.StatusBadRequest, 2001)
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/create/pair-code?phone=6287777777777", key, nil), http.StatusBadRequest, 1100)

	r = a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/p1/pair-code/confirm", key, map[string]string{"code": pc.PairCode})
	expect(t, r, http.StatusOK, 1000)
	waitFor(t, "p1 open", func() bool {
		return a.do(t, http.MethodGet, "/api/v1/session/create/pair-code?sessionId=p1&phone=6287777777777", key, nil).env.Code == 1104
	})

	r = a.do(t, http.MethodPost, "/api/v1/session/p1/config", key, map[string]any{"webhookUrl": "https://hooks.example.com/w"})
	expect(t, r, http.StatusOK, 1000)
	var cfg struct {
		WebhookURL    string `json:"webhookUrl"`
		WebhookSecret string `json:"webhookSecret"`
	}
	r.result(t, 0, &cfg)
	if cfg.WebhookURL != "https://hooks.example.com/w" || len(cfg.WebhookSecret) < 8 {
		t.Fatalf("config %s", r.body)
	}
	// The secret is returned by the config route only.
	r = a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=p1", key, nil)
	expect(t, r, http.StatusOK, 1104)
	if strings.Contains(string(r.body), cfg.WebhookSecret) || !strings.Contains(string(r.body), cfg.WebhookURL) {
		t.Fatalf("create leaks the secret or lost the URL: %s", r.body)
	}

	r = a.do(t, http.MethodPost, "/api/v1/session/p1/config", key, map[string]any{"webhookUrl": "https://hooks.example.com/fail", "preflight": true})
	expect(t, r, http.StatusBadRequest, 2000)
	if !strings.Contains(string(r.body), `"results":[{"results":[{"target":"https://hooks.example.com/fail","ok":false,"status":500`) {
		t.Fatalf("preflight failure %s", r.body)
	}
	r = a.do(t, http.MethodPost, "/api/v1/session/p1/config", key, map[string]any{"webhookUrl": "ftp://x"})
	expect(t, r, http.StatusBadRequest, 2002)
}

// Every session-scoped route refuses a session owned by someone else, and the
// session is left untouched.
func TestForeignSessionIsForbiddenEverywhere(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281234567890")
	r := a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, map[string]any{"sessionId": "s1", "to": "6281111111111", "message": "x"})
	expect(t, r, http.StatusOK, 1000)
	var sent struct {
		MessageID string `json:"messageId"`
	}
	r.result(t, 0, &sent)

	routes := []struct {
		method, target string
		body           any
	}{
		{http.MethodGet, "/api/v1/session/create?sessionId=s1", nil},
		{http.MethodGet, "/api/v1/session/create/pair-code?sessionId=s1&phone=6289999999999", nil},
		{http.MethodGet, "/api/v1/session/logout?sessionId=s1", nil},
		{http.MethodGet, "/api/v1/session/reconnect?sessionId=s1", nil},
		{http.MethodGet, "/api/v1/session/devices?sessionId=s1", nil},
		{http.MethodPost, "/api/v1/session/s1/config", map[string]any{"webhookUrl": "https://evil.example.com"}},
		{http.MethodDelete, "/api/v1/session/delete?sessionId=s1", nil},
		{http.MethodPost, "/api/v1/messages/send/text", map[string]any{"sessionId": "s1", "to": "6281111111111", "message": "x"}},
		{http.MethodGet, "/api/v1/messages/send/text?sessionId=s1&to=6281111111111&message=x", nil},
		{http.MethodGet, "/api/v1/messages/" + sent.MessageID + "/status?sessionId=s1", nil},
		{http.MethodPost, "/api/v1/sandbox/sessions/s1/scan", map[string]any{"phone": "6289999999999"}},
		{http.MethodPost, "/api/v1/sandbox/sessions/s1/pair-code/confirm", map[string]any{"code": "ABCD-EFGH"}},
		{http.MethodPost, "/api/v1/sandbox/sessions/s1/inbound", map[string]any{"from": "6289999999999", "text": "x"}},
		{http.MethodGet, "/api/v1/sandbox/sessions/s1/sent", nil},
	}
	for _, rt := range routes {
		expect(t, a.do(t, rt.method, rt.target, bob, rt.body), http.StatusForbidden, 2201)
	}
	r = a.do(t, http.MethodGet, "/api/v1/session/list", bob, nil)
	if strings.Contains(string(r.body), `"s1"`) {
		t.Fatalf("bob sees alice's session: %s", r.body)
	}
	s, err := a.q.Sessions.Session(context.Background(), a.admin, "s1")
	if err != nil || s.Status() != "open" || s.Webhook().URL != "" {
		t.Fatalf("session changed: %v %v", s, err)
	}
	if n := len(a.net.Sent("s1")); n != 1 {
		t.Fatalf("bob's sends went out: %d", n)
	}
}
