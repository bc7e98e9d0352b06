package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// A user's day with profiles, presence and calls, over HTTP on the sandbox: what
// WhatsApp reports reaches the session's webhook.
func TestProfilesPresenceAndCalls_Scenario(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	const hook = "https://hooks.test/people"
	expect(t, a.do(t, http.MethodPost, "/api/v1/session/s1/config", alice, map[string]any{"webhookUrl": hook, "webhookSecret": "people-secret"}), 200, 1000)
	const budi, citra = "6281111111111", "6284444444444"
	for _, phone := range []string{budi, citra} {
		expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/contacts", a.adminKey, map[string]any{"phone": phone, "name": "P" + phone[9:]}), 200, 1000)
	}
	hooked := func(what, event, needle string) {
		t.Helper()
		waitFor(t, what, func() bool {
			for _, r := range a.recv.to(hook) {
				if body := string(r.Body); strings.Contains(body, `"`+event+`"`) && strings.Contains(body, needle) {
					return true
				}
			}
			return false
		})
	}

	// Profile reads and writes.
	expect(t, a.do(t, http.MethodPost, "/api/v1/profile/picture", alice, map[string]any{"sessionId": "s1", "picture": pngDataURI(t, 320, 320)}), 200, 1000)
	expect(t, a.do(t, http.MethodGet, "/api/v1/profile/info?sessionId=s1", alice, nil), 200, 1000)
	expect(t, a.do(t, http.MethodGet, "/api/v1/profile/on-whatsapp?sessionId=s1&phone="+budi+","+citra, alice, nil), 200, 1000)

	// Presence: subscribed to Budi, who then comes online.
	expect(t, a.do(t, http.MethodPost, "/api/v1/presence/subscribe", alice, map[string]any{"sessionId": "s1", "to": budi}), 200, 1000)
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/contacts/"+budi+"/presence", alice, map[string]any{"state": "available"}), 200, 1000)
	hooked("presence_update webhook", "presence_update", budi)

	// A call rejected through the API.
	r := a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/calls", alice, map[string]any{"from": budi})
	expect(t, r, 200, 1000)
	var placed struct {
		CallID string `json:"callId"`
	}
	r.result(t, 0, &placed)
	hooked("call webhook", "call", placed.CallID)
	expect(t, a.do(t, http.MethodPost, "/api/v1/calls/"+placed.CallID+"/reject", alice, map[string]any{"sessionId": "s1", "from": budi + "@s.whatsapp.net"}), 200, 1000)

	// Auto-reject with a message: Citra's call is turned down by itself, she gets
	// the text through the send queue, and the webhook still hears of the call.
	const busy = "Maaf, sedang tidak bisa menerima telepon"
	expect(t, a.do(t, http.MethodPost, "/api/v1/calls/auto-reject", alice, map[string]any{"sessionId": "s1", "enabled": true, "message": busy}), 200, 1000)
	r = a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/calls", alice, map[string]any{"from": citra})
	expect(t, r, 200, 1000)
	r.result(t, 0, &placed)
	hooked("auto-rejected call webhook", "call", placed.CallID)
	waitFor(t, "the message to the rejected caller", func() bool {
		for _, m := range a.net.Sent("s1") {
			if m.To.User == citra && m.Content.Text == busy {
				return true
			}
		}
		return false
	})
	expect(t, a.do(t, http.MethodPost, "/api/v1/calls/"+placed.CallID+"/reject", alice, map[string]any{"sessionId": "s1", "from": citra}), 409, 2003)

	// Turned off, calls ring again.
	expect(t, a.do(t, http.MethodPost, "/api/v1/calls/auto-reject", alice, map[string]any{"sessionId": "s1", "enabled": false}), 200, 1000)
	r = a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/calls", alice, map[string]any{"from": citra})
	r.result(t, 0, &placed)
	hooked("ringing call webhook", "call", placed.CallID)
	expect(t, a.do(t, http.MethodPost, "/api/v1/calls/"+placed.CallID+"/reject", alice, map[string]any{"sessionId": "s1", "from": citra}), 200, 1000)
}
