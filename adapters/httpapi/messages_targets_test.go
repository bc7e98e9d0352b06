package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/warest-go/warest/ports"
)

// Targets nobody can send to are answered at once as a 4xx with the reason: the
// ones known from their address before anything is queued (status updates,
// newsletters, broadcast lists), and the ones the network refuses for good (no such
// group, a LID or number of nobody on WhatsApp) after their single attempt.
func TestSendToUnsendableTargets(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")
	a.openSession(t, key, "s1", "6281234567890")
	if _, err := a.net.AddContact(ports.SandboxContact{Phone: "6289900000000", Unregistered: true}); err != nil {
		t.Fatal(err)
	}
	send := func(to any) response {
		t.Helper()
		return a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{"sessionId": "s1", "to": to, "message": "hello"})
	}
	type failedEntry struct {
		ToJID     string `json:"toJid"`
		State     string `json:"state"`
		Error     string `json:"error"`
		ErrorCode int    `json:"errorCode"`
		MessageID string `json:"messageId"`
	}
	failedOf := func(r response) []failedEntry {
		t.Helper()
		var out []failedEntry
		for _, raw := range r.env.Failed {
			var f failedEntry
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			out = append(out, f)
		}
		return out
	}
	attempts := func(id string) int {
		t.Helper()
		r := a.do(t, http.MethodGet, "/api/v1/messages/"+id+"/status?sessionId=s1", key, nil)
		var st struct{ Attempts int }
		r.result(t, 0, &st)
		return st.Attempts
	}

	// Known from the address: refused before queueing, nothing reaches the network.
	for _, to := range []string{"status@broadcast", "120363999999999999@newsletter", "1600000000@broadcast"} {
		r := send(to)
		expect(t, r, http.StatusBadRequest, 3001)
		if !strings.Contains(r.env.Message, to) || len(r.env.Results) != 0 {
			t.Errorf("%s: %s", to, r.body)
		}
	}
	if n := len(a.net.Sent("s1")); n != 0 {
		t.Fatalf("the network got %d messages", n)
	}

	// Refused by the network for good: one attempt, then the reason's 4xx.
	for _, tc := range []struct {
		to           string
		status, code int
		reason       string
	}{
		{"120363000000000001@g.us", http.StatusNotFound, 2604, "group 120363000000000001@g.us not found"},
		{"100000000000001@lid", http.StatusNotFound, 3003, "nobody on WhatsApp has the LID 100000000000001@lid"},
		{"6289900000000", http.StatusNotFound, 3003, "6289900000000@s.whatsapp.net is not on WhatsApp"},
	} {
		r := send(tc.to)
		expect(t, r, tc.status, tc.code)
		f := failedOf(r)
		if len(f) != 1 || f[0].State != "failed" || f[0].ErrorCode != tc.code || f[0].Error != tc.reason ||
			!strings.HasSuffix(r.env.Message, ": "+tc.reason) || len(r.env.Results) != 1 {
			t.Errorf("%s: %s", tc.to, r.body)
			continue
		}
		if n := attempts(f[0].MessageID); n != 1 {
			t.Errorf("%s: %d attempts, want 1", tc.to, n)
		}
	}

	// Mixed outcomes keep 207 with the refusals in failed[].
	r := send([]string{"6281111111111", "120363000000000001@g.us"})
	expect(t, r, http.StatusMultiStatus, 1004)
	if f := failedOf(r); len(f) != 1 || f[0].ToJID != "120363000000000001@g.us" || f[0].ErrorCode != 2604 || len(r.env.Results) != 2 {
		t.Fatalf("207: %s", r.body)
	}
	// Refusals for different reasons: 400 SEND_REJECTED, each reason in failed[].
	r = send([]string{"100000000000001@lid", "120363000000000001@g.us"})
	expect(t, r, http.StatusBadRequest, 3000)
	if f := failedOf(r); len(f) != 2 || f[0].ErrorCode != 3003 || f[1].ErrorCode != 2604 {
		t.Fatalf("mixed refusals: %s", r.body)
	}
	// A failure of the network, not of the request, stays WAREST's 502 without failed[].
	r = send([]string{"120363000000000001@g.us", unreachable + "1111111"})
	expect(t, r, http.StatusBadGateway, 3002)
	if r.env.Failed != nil {
		t.Fatalf("502: %s", r.body)
	}
}
