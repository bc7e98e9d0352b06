package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// logged waits until the session's event log holds n events of type ev and returns
// their data, oldest first.
func logged[T any](t *testing.T, a *hookApp, key, sessionID, ev string, n int) []T {
	t.Helper()
	var out []T
	waitFor(t, ev+" events", func() bool {
		var p struct {
			Events []eventFrame `json:"events"`
		}
		a.do(t, http.MethodGet, "/api/v1/events?limit=1000&sessionId="+sessionID, key, nil).result(t, 0, &p)
		out = out[:0]
		for _, e := range p.Events {
			if e.Event == ev {
				var d T
				if err := json.Unmarshal(e.Data, &d); err != nil {
					t.Fatalf("%s data %s: %v", ev, e.Data, err)
				}
				out = append(out, d)
			}
		}
		return len(out) >= n
	})
	return out
}

func TestSandboxPhoneEvents(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	key, _ := a.user(t, "alice")
	a.openSession(t, key, "s1", "6281234567890")
	const carol = "6283333333333"
	carolJID := carol + "@s.whatsapp.net"
	s := "/api/v1/sandbox/sessions/s1"
	r := a.do(t, http.MethodPost, "/api/v1/sandbox/contacts", a.adminKey, map[string]any{"phone": carol, "name": "Carol"})
	expect(t, r, http.StatusOK, 1000)
	var contact struct{ LID string }
	r.result(t, 0, &contact)

	// A video call, answered on the phone and hung up.
	r = a.do(t, http.MethodPost, s+"/calls", key, map[string]any{"from": carol, "video": true, "then": []string{"accept", "terminate"}})
	expect(t, r, http.StatusOK, 1000)
	var placed struct {
		CallID string `json:"callId"`
	}
	r.result(t, 0, &placed)
	type callData struct {
		ID    string `json:"id"`
		Calls []struct {
			ID      string `json:"id"`
			From    string `json:"from"`
			FromLID string `json:"fromLid"`
			Status  string `json:"status"`
			IsVideo bool   `json:"isVideo"`
			IsGroup bool   `json:"isGroup"`
		} `json:"calls"`
	}
	calls := logged[callData](t, a, key, "s1", "call", 3)
	for i, status := range []string{"offer", "accept", "terminate"} {
		c := calls[i].Calls[0]
		if calls[i].ID != "s1" || c.ID != placed.CallID || c.From != carolJID || c.FromLID != contact.LID || c.Status != status || !c.IsVideo || c.IsGroup {
			t.Fatalf("call event %d: %+v", i, calls[i])
		}
	}
	expect(t, a.do(t, http.MethodPost, s+"/calls", key, map[string]any{"from": carol, "then": []string{"terminate", "accept"}}), http.StatusBadRequest, 2002)

	// A group call.
	r = a.do(t, http.MethodPost, s+"/groups", key, map[string]any{"name": "Club", "owner": carol})
	expect(t, r, http.StatusOK, 1000)
	var g struct {
		JID string `json:"jid"`
	}
	r.result(t, 0, &g)
	expect(t, a.do(t, http.MethodPost, s+"/calls", key, map[string]any{"from": carol, "group": g.JID}), http.StatusOK, 1000)
	if c := logged[callData](t, a, key, "s1", "call", 4)[3].Calls[0]; !c.IsGroup || c.IsVideo || c.Status != "offer" {
		t.Fatalf("group call %+v", c)
	}
	expect(t, a.do(t, http.MethodPost, s+"/calls", key, map[string]any{"from": "6284444444444", "group": g.JID}), http.StatusForbidden, 2201)

	// A history chunk: old messages of several kinds, both ways and in the group.
	r = a.do(t, http.MethodPost, s+"/history", key, map[string]any{"progress": 60, "messages": []map[string]any{
		{"peer": carol, "id": "3EB0OLD1", "text": "old hi", "timestamp": "2025-01-02T03:04:05Z"},
		{"peer": carol, "fromMe": true, "kind": "location", "location": map[string]any{"latitude": -6.2, "longitude": 106.8}},
		{"peer": carol, "group": g.JID, "kind": "image", "text": "old photo", "media": map[string]any{"mime": "image/jpeg", "size": 10}},
	}})
	expect(t, r, http.StatusOK, 1000)
	var synced struct {
		MessageIDs []string `json:"messageIds"`
	}
	r.result(t, 0, &synced)
	type historyData struct {
		ID       string `json:"id"`
		Progress int    `json:"progress"`
		Count    int    `json:"count"`
		Messages []struct {
			Type        string `json:"type"`
			ContentType string `json:"contentType"`
			Text        string `json:"text"`
			Message     struct {
				Key struct {
					RemoteJID string `json:"remoteJid"`
					FromMe    bool   `json:"fromMe"`
					ID        string `json:"id"`
				} `json:"key"`
				MessageTimestamp int64 `json:"messageTimestamp"`
			} `json:"message"`
		} `json:"messages"`
	}
	h := logged[historyData](t, a, key, "s1", "history_sync", 1)[0]
	if h.ID != "s1" || h.Progress != 60 || h.Count != 3 || len(h.Messages) != 3 || len(synced.MessageIDs) != 3 {
		t.Fatalf("history %+v, ids %v", h, synced.MessageIDs)
	}
	for i, want := range []struct{ kind, chat string }{{"text", carolJID}, {"location", carolJID}, {"image", g.JID}} {
		m := h.Messages[i]
		if m.Type != "append" || m.ContentType != want.kind || m.Message.Key.RemoteJID != want.chat || m.Message.Key.ID != synced.MessageIDs[i] ||
			m.Message.Key.FromMe != (i == 1) {
			t.Fatalf("history message %d: %+v", i, m)
		}
	}
	if h.Messages[0].Text != "old hi" || h.Messages[0].Message.MessageTimestamp != 1735787045 {
		t.Fatalf("first history message %+v", h.Messages[0])
	}
	if r := a.do(t, http.MethodGet, "/api/v1/events?limit=1000&sessionId=s1", key, nil); strings.Contains(string(r.body), `"message_received"`) {
		t.Fatal("history was recorded as live messages too")
	}
	expect(t, a.do(t, http.MethodPost, s+"/history", key, map[string]any{"messages": []map[string]any{{"peer": carol, "kind": "image"}}}),
		http.StatusBadRequest, 2001)

	// An undecryptable message.
	r = a.do(t, http.MethodPost, s+"/undecryptable", key, map[string]any{"from": carol})
	expect(t, r, http.StatusOK, 1000)
	var undecryptable struct {
		MessageID string `json:"messageId"`
	}
	r.result(t, 0, &undecryptable)
	type undecryptableData struct {
		Key struct {
			RemoteJID string `json:"remoteJid"`
			ID        string `json:"id"`
		} `json:"key"`
		Sender struct {
			ChatID    string `json:"chatId"`
			AuthorJID string `json:"authorJid"`
			AuthorLID string `json:"authorLid"`
			IsGroup   bool   `json:"isGroup"`
		} `json:"sender"`
	}
	u := logged[undecryptableData](t, a, key, "s1", "message_undecryptable", 1)[0]
	if u.Key.ID != undecryptable.MessageID || u.Key.RemoteJID != carolJID || u.Sender.ChatID != carolJID || u.Sender.AuthorJID != carolJID ||
		u.Sender.AuthorLID != contact.LID || u.Sender.IsGroup {
		t.Fatalf("undecryptable %+v", u)
	}
}
