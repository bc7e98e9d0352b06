package httpapi_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

func TestSandboxReplacementsRoute(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")
	a.openSession(t, key, "s1", "6281234567890")
	expect(t, a.do(t, http.MethodGet, "/api/v1/sandbox/replacements", key, nil), http.StatusForbidden, 2201)

	// Another gateway on the network connects the device: this one's stream is replaced.
	other := &contract.TransportSink{}
	if err := a.net.Start(sandbox.AsClient(context.Background(), "node-b"), "s1", other); err != nil {
		t.Fatal(err)
	}
	contract.WaitFor[ports.TransportConnected](t, other, 1, nil)
	r := a.do(t, http.MethodGet, "/api/v1/sandbox/replacements", a.adminKey, nil)
	expect(t, r, http.StatusOK, 1000)
	var got struct {
		SessionID, Replaced, By, At string
		Live                        bool
	}
	r.result(t, 0, &got)
	if len(r.env.Results) != 1 || got.SessionID != "s1" || got.Replaced != "" || got.By != "node-b" || !got.Live || got.At == "" {
		t.Fatalf("replacements %s", r.body)
	}
}

func TestSandboxRoutes(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")
	a.openSession(t, key, "s1", "6281234567890")
	const carol = "6283333333333"
	s := "/api/v1/sandbox/sessions/s1"

	r := a.do(t, http.MethodPost, "/api/v1/sandbox/contacts", a.adminKey, map[string]any{"phone": carol, "name": "Carol", "business": map[string]string{"category": "Shop"}})
	expect(t, r, http.StatusOK, 1000)
	var c struct{ Phone, Name, JID, LID string }
	r.result(t, 0, &c)
	if c.Phone != carol || c.JID != carol+"@s.whatsapp.net" || !strings.HasSuffix(c.LID, "@lid") {
		t.Fatalf("contact %s", r.body)
	}
	if r := a.do(t, http.MethodGet, "/api/v1/sandbox/contacts", key, nil); len(r.env.Results) != 1 {
		t.Fatalf("contacts %s", r.body)
	}

	// Inbound messages of several kinds.
	for _, body := range []map[string]any{
		{"from": carol, "text": "plain"},
		{"from": carol, "kind": "image", "text": "look", "media": map[string]any{"mime": "image/png", "data": base64.StdEncoding.EncodeToString([]byte("png!"))}},
		{"from": carol, "kind": "location", "location": map[string]any{"latitude": -6.2, "longitude": 106.8}},
		{"from": carol, "kind": "poll", "poll": map[string]any{"question": "Lunch?", "options": []string{"yes", "no"}}},
	} {
		expect(t, a.do(t, http.MethodPost, s+"/inbound", key, body), http.StatusOK, 1000)
	}
	expect(t, a.do(t, http.MethodPost, s+"/inbound", key, map[string]any{"from": carol, "kind": "image"}), http.StatusBadRequest, 2001)
	expect(t, a.do(t, http.MethodPost, s+"/inbound", key, map[string]any{"from": carol, "kind": "image", "media": map[string]any{"mime": "image/png", "data": "%%%"}}),
		http.StatusBadRequest, 2002)

	// A sent message is read by the contact, and the status follows.
	r = a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{"sessionId": "s1", "to": carol, "message": "hello"})
	expect(t, r, http.StatusOK, 1000)
	var sent struct {
		MessageID string `json:"messageId"`
	}
	r.result(t, 0, &sent)
	expect(t, a.do(t, http.MethodPost, s+"/contacts/"+carol+"/read", key, map[string]any{"messageIds": []string{sent.MessageID}}), http.StatusOK, 1000)
	waitFor(t, "read status", func() bool {
		r := a.do(t, http.MethodGet, "/api/v1/messages/"+sent.MessageID+"/status?sessionId=s1", key, nil)
		return strings.Contains(string(r.body), `"status":"read"`)
	})
	expect(t, a.do(t, http.MethodPost, s+"/contacts/"+carol+"/react", key, map[string]any{"messageId": sent.MessageID, "emoji": "👍"}), http.StatusOK, 1000)
	expect(t, a.do(t, http.MethodPost, s+"/contacts/"+carol+"/react", key, map[string]any{"messageId": "3EB0NOPE", "emoji": "👍"}), http.StatusNotFound, 2601)
	expect(t, a.do(t, http.MethodPost, s+"/contacts/"+carol+"/presence", key, map[string]any{"state": "composing"}), http.StatusOK, 1000)

	// A resend of that id reaches the recipient once, but the attempts log shows it.
	if _, err := a.net.Send(context.Background(), "s1", a.net.Sent("s1")[0]); err != nil {
		t.Fatal(err)
	}
	r = a.do(t, http.MethodGet, s+"/attempts", key, nil)
	expect(t, r, http.StatusOK, 1000)
	type attempt struct {
		MessageID string `json:"messageId"`
		At        string `json:"at"`
		Repeat    bool   `json:"repeat"`
	}
	attempts := make([]attempt, len(r.env.Results))
	for i := range attempts {
		r.result(t, i, &attempts[i])
	}
	if len(attempts) != 2 || attempts[0].MessageID != sent.MessageID || attempts[0].Repeat ||
		attempts[1].MessageID != sent.MessageID || !attempts[1].Repeat || attempts[1].At == "" {
		t.Fatalf("attempts %s", r.body)
	}
	if n := len(a.net.Sent("s1")); n != 1 {
		t.Fatalf("the resend was delivered again: %d sent", n)
	}

	// Groups of virtual people.
	r = a.do(t, http.MethodPost, s+"/groups", key, map[string]any{"name": "Club", "owner": carol, "members": []string{"6284444444444"}, "announce": true})
	expect(t, r, http.StatusOK, 1000)
	var g struct {
		JID          string `json:"jid"`
		Owner        string `json:"owner"`
		Participants []struct {
			JID        string `json:"jid"`
			SuperAdmin bool   `json:"superAdmin"`
		} `json:"participants"`
	}
	r.result(t, 0, &g)
	if !strings.HasSuffix(g.JID, "@g.us") || g.Owner != carol+"@s.whatsapp.net" || len(g.Participants) != 3 || !g.Participants[0].SuperAdmin {
		t.Fatalf("group %s", r.body)
	}
	expect(t, a.do(t, http.MethodPost, s+"/inbound", key, map[string]any{"from": carol, "group": g.JID, "text": "welcome"}), http.StatusOK, 1000)
	expect(t, a.do(t, http.MethodPost, s+"/inbound", key, map[string]any{"from": "6284444444444", "group": g.JID, "text": "me too"}),
		http.StatusForbidden, 2201)

	// Faults and state.
	if r := a.do(t, http.MethodPut, s+"/faults", key, map[string]any{"sendFailureRate": 2}); r.code/100 != 4 {
		t.Fatalf("rate 2: %d %s", r.code, r.body)
	}
	expect(t, a.do(t, http.MethodPut, s+"/faults", key, map[string]any{"sendFailureRate": 0, "latencyMs": 1}), http.StatusOK, 1000)
	r = a.do(t, http.MethodGet, s+"/state", key, nil)
	expect(t, r, http.StatusOK, 1000)
	expect(t, a.do(t, http.MethodPost, s+"/faults/replace", key, nil), http.StatusOK, 1000)
	waitFor(t, "replaced", func() bool {
		sess, err := a.q.Sessions.Session(context.Background(), a.admin, "s1")
		return err == nil && sess.Status() == "replaced"
	})
	a.openSession(t, key, "s2", "6281234567891")
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s2/faults/logout", key, map[string]string{"reason": "unlinked"}), http.StatusOK, 1000)
	waitFor(t, "logged out", func() bool {
		sess, err := a.q.Sessions.Session(context.Background(), a.admin, "s2")
		return err == nil && sess.Status() == "logged_out"
	})
}

func TestSandboxRoutesCheckOwnership(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")
	other, _ := a.user(t, "mallory")
	a.openSession(t, key, "s1", "6281234567890")
	s := "/api/v1/sandbox/sessions/s1"
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, s + "/inbound", map[string]string{"from": "6283333333333", "text": "x"}},
		{http.MethodGet, s + "/sent", nil},
		{http.MethodGet, s + "/attempts", nil},
		{http.MethodGet, s + "/state", nil},
		{http.MethodPost, s + "/contacts/6283333333333/read", map[string]any{"messageIds": []string{"x"}}},
		{http.MethodPost, s + "/contacts/6283333333333/react", map[string]any{"messageId": "x"}},
		{http.MethodPost, s + "/contacts/6283333333333/presence", map[string]any{"state": "available"}},
		{http.MethodPost, s + "/groups", map[string]any{"name": "g"}},
		{http.MethodPost, s + "/calls", map[string]any{"from": "6283333333333"}},
		{http.MethodPost, s + "/history", map[string]any{"messages": []any{}}},
		{http.MethodPost, s + "/undecryptable", map[string]any{"from": "6283333333333"}},
		{http.MethodPut, s + "/faults", map[string]any{"sendFailureRate": 1}},
		{http.MethodPost, s + "/faults/disconnect", nil},
		{http.MethodPost, s + "/faults/logout", nil},
		{http.MethodPost, s + "/faults/replace", nil},
	} {
		if r := a.do(t, c.method, c.path, other, c.body); r.code != http.StatusForbidden {
			t.Fatalf("%s %s by another user: %d %s", c.method, c.path, r.code, r.body)
		}
	}
}

func TestSandboxRoutesAreDocumented(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	api, _ := httpapi.NewAPI(httpapi.Deps{Commands: a.cmd, Queries: a.q, Sandbox: a.net})
	count := 0
	for path, item := range api.OpenAPI().Paths {
		if !strings.HasPrefix(path, "/api/v1/sandbox/") {
			continue
		}
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put} {
			if op == nil {
				continue
			}
			count++
			if op.Summary == "" || len(op.Tags) != 1 || op.Tags[0] != "Sandbox" || op.Responses["200"] == nil {
				t.Fatalf("%s %s: summary %q tags %v", op.Method, path, op.Summary, op.Tags)
			}
			if op.Method != http.MethodGet && !strings.HasSuffix(path, "/disconnect") && !strings.HasSuffix(path, "/replace") && op.RequestBody == nil {
				t.Fatalf("%s %s has no typed body", op.Method, path)
			}
		}
	}
	if count != 21 {
		t.Fatalf("%d sandbox operations documented, want 21", count)
	}
}

// The network's people are shared by every user's sessions: only admins create or
// change them, and a user's inbound push name names that message only.
func TestSandboxPeopleAreSharedAndAdminWritten(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281111111111")
	a.openSession(t, bob, "b1", "6282222222222")
	const carol = "6283333333333"
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/contacts", a.adminKey, map[string]any{"phone": carol, "name": "Carol"}), http.StatusOK, 1000)

	// Alice can neither unregister Carol for everyone nor rename her.
	for _, body := range []map[string]any{{"phone": carol, "unregistered": true}, {"phone": carol, "name": "Mallory"}, {"phone": "6289999999999", "name": "New"}} {
		expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/contacts", alice, body), http.StatusForbidden, 2201)
	}
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/inbound", alice, map[string]any{"from": carol, "pushName": "Mallory", "text": "to alice"}),
		http.StatusOK, 1000)
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/b1/inbound", bob, map[string]any{"from": carol, "text": "to bob"}), http.StatusOK, 1000)

	type received struct {
		Text   string `json:"text"`
		Sender struct {
			PushName string `json:"pushName"`
		} `json:"sender"`
	}
	if got := logged[received](t, a, alice, "s1", "message_received", 1); got[0].Sender.PushName != "Mallory" {
		t.Fatalf("alice's message from carol: %+v", got[0])
	}
	if got := logged[received](t, a, bob, "b1", "message_received", 1); got[0].Text != "to bob" || got[0].Sender.PushName != "Carol" {
		t.Fatalf("bob's message from carol: %+v, want Carol's own name", got[0])
	}
	// Bob still reaches Carol.
	expect(t, a.do(t, http.MethodPost, "/api/v1/messages/send/text", bob, map[string]any{"sessionId": "b1", "to": carol, "message": "hi"}), http.StatusOK, 1000)
	r := a.do(t, http.MethodGet, "/api/v1/sandbox/contacts", alice, nil) // reading stays open to users
	var c struct {
		Name         string `json:"name"`
		Unregistered bool   `json:"unregistered"`
	}
	r.result(t, 0, &c)
	if c.Name != "Carol" || c.Unregistered {
		t.Fatalf("carol after alice's attempts: %s", r.body)
	}
}
