package command_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/test/appworld"
)

const (
	alicePhone = "6281111111111"
	bobPhone   = "6282222222222"
)

func statusTags(t *testing.T, w *appworld.World, id string) []string {
	t.Helper()
	var out []string
	for _, e := range w.Events(id, event.SessionStatus) {
		d := appworld.Rendered[appworld.SessionStatusData](t, e)
		if d.ID != id {
			t.Fatalf("payload id %q in an event of %s", d.ID, id)
		}
		out = append(out, d.Tags+"/"+d.Status)
	}
	return out
}

func TestCreateSession_CreatesOwnedSessionAndReturnsQR(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	start := time.Now()
	res, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("create took %v", time.Since(start))
	}
	s := res.Session
	if s.ID() != "alice" || s.Owner() != w.User.User.Registry || s.Status() != session.StatusQR || !s.AutoStart() {
		t.Fatalf("session %+v", s.Snapshot())
	}
	if !regexp.MustCompile(`^sandbox-qr:alice:1:`).MatchString(res.QR.Code) || res.QR.DataURL != "data:image/png;base64,QR("+res.QR.Code+")" ||
		!res.QR.ExpiresAt.After(time.Now()) {
		t.Fatalf("QR %+v", res.QR)
	}
	if cur, ok := w.Net.CurrentQR("alice"); !ok || cur != res.QR.Code {
		t.Fatalf("returned QR %q is not the scannable one %q", res.QR.Code, cur)
	}
	if got := statusTags(t, w, "alice"); !slices.Equal(got, []string{"create/", "qr/"}) {
		t.Fatalf("events %v", got)
	}
	qr := appworld.Rendered[appworld.SessionStatusData](t, w.Events("alice", event.SessionStatus)[1])
	if qr.QRString != res.QR.Code || qr.QR != res.QR.DataURL || qr.QRDuration != 20 {
		t.Fatalf("qr event %+v", qr)
	}
}

func TestCreateSession_Access(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		id       string
		wantKind fault.Kind
	}{
		{"another user is forbidden", "alice", fault.KindForbidden},
		{"invalid id", "bad id!", fault.KindInvalid},
		{"empty id", "", fault.KindInvalid},
	}
	for _, tt := range tests {
		_, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.Other, tt.id)
		if !fault.Is(err, tt.wantKind) {
			t.Fatalf("%s: err = %v, want kind %v", tt.name, err, tt.wantKind)
		}
	}
	// The admin may act on a user's session; it stays the user's.
	res, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.Admin, "alice")
	if err != nil {
		t.Fatalf("admin: %v", err)
	}
	if res.Session.Owner() != w.User.User.Registry {
		t.Fatalf("owner changed to %s", res.Session.Owner())
	}
	// An admin-created session belongs to the admin registry.
	res, err = w.Cmd.Sessions.CreateSession(w.Ctx, w.Admin, "ops")
	if err != nil || res.Session.Owner() != "admin" {
		t.Fatalf("admin session: %v %v", res.Session, err)
	}
	if got := statusTags(t, w, "alice"); got[0] != "create/" || slices.Index(got[1:], "create/") >= 0 {
		t.Fatalf("a repeated create recorded another create: %v", got)
	}
}

func TestScan_OpensSessionWithIdentityAndEventsInOrder(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	s := w.OpenSession(w.User, "alice", "+62 811-1111-1111", "Alice")
	me := s.Me()
	if me == nil || me.JID != alicePhone+"@s.whatsapp.net" || me.Name != "Alice" || !regexp.MustCompile(`^\d{15}@lid$`).MatchString(me.LID) {
		t.Fatalf("me %+v", me)
	}
	if s.LastConnAt() == nil || s.CanSend() != nil {
		t.Fatalf("open session %+v", s.Snapshot())
	}
	if got := statusTags(t, w, "alice"); !slices.Equal(got, []string{"create/", "qr/", "/open"}) {
		t.Fatalf("events %v", got)
	}
	open := appworld.Rendered[appworld.SessionStatusData](t, w.Events("alice", event.SessionStatus)[2])
	if open.Me == nil || open.Me.ID != me.JID || open.Me.LID != me.LID || open.Me.Name != "Alice" {
		t.Fatalf("open event %+v", open)
	}
	// The ingest withdraws the QR once the open status is committed, which the
	// test may see first.
	appworld.Eventually(t, time.Second, func() bool {
		_, ok := w.Hub.QRs.Get("alice", time.Now())
		return !ok
	}, "QR still offered after pairing")
	// Creating an open session again answers at once without a QR.
	res, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice")
	if err != nil || res.QR.Code != "" || res.Session.Status() != session.StatusOpen {
		t.Fatalf("create on open session: %+v %v", res, err)
	}
}

func TestPairSession(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	for _, phone := range []string{"", "123", "1234567890123456"} {
		if _, err := w.Cmd.Sessions.PairSession(w.Ctx, w.User, "alice", phone); !fault.Is(err, fault.KindInvalid) {
			t.Fatalf("phone %q: %v", phone, err)
		}
	}
	res, err := w.Cmd.Sessions.PairSession(w.Ctx, w.User, "alice", "0811-1111-1111")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$`).MatchString(res.PairCode) {
		t.Fatalf("pair code %q", res.PairCode)
	}
	if err := w.Net.ConfirmPairCode("alice", res.PairCode); err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool {
		s, _ := w.Store.Sessions().Get(w.Ctx, "alice")
		return s.Status() == session.StatusOpen && s.Me() != nil && s.Me().JID == alicePhone+"@s.whatsapp.net"
	}, "pairing by code did not open the session")
	res, err = w.Cmd.Sessions.PairSession(w.Ctx, w.User, "alice", alicePhone)
	if err != nil || res.PairCode != "" || res.Session.Status() != session.StatusOpen {
		t.Fatalf("pair on open session: %+v %v", res, err)
	}
	if _, err := w.Cmd.Sessions.PairSession(w.Ctx, w.Other, "alice", alicePhone); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("foreign pair: %v", err)
	}
}

func TestLogoutSession(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if _, err := w.Cmd.Teardown.LogoutSession(w.Ctx, w.Other, "alice"); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("foreign logout: %v", err)
	}
	steps, err := w.Cmd.Teardown.LogoutSession(w.Ctx, w.User, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if steps != (command.Steps{Runtime: true, Creds: true, Meta: false}) {
		t.Fatalf("steps %+v", steps)
	}
	s, err := w.Store.Sessions().Get(w.Ctx, "alice")
	if err != nil || s.Status() != session.StatusStopped || s.Me() != nil || s.AutoStart() {
		t.Fatalf("after logout %+v %v", s.Snapshot(), err)
	}
	if dev, _ := w.Net.Device(w.Ctx, "alice"); dev.Phone != "" {
		t.Fatalf("credentials kept: %+v", dev)
	}
	if got := statusTags(t, w, "alice"); got[len(got)-1] != "close/stopped" {
		t.Fatalf("events %v", got)
	}
	// Creating it again restarts it with a fresh QR.
	res, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice")
	if err != nil || res.QR.Code == "" || res.Session.Status() != session.StatusQR || !res.Session.AutoStart() {
		t.Fatalf("re-create: %+v %v", res, err)
	}
	got := statusTags(t, w, "alice")
	if !slices.Equal(got[len(got)-2:], []string{"create/", "qr/"}) {
		t.Fatalf("events %v", got)
	}
}

func TestDeleteSession(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if _, err := w.Cmd.Teardown.DeleteSession(w.Ctx, w.Other, "alice"); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("foreign delete: %v", err)
	}
	steps, err := w.Cmd.Teardown.DeleteSession(w.Ctx, w.User, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if steps != (command.Steps{Runtime: true, Creds: true, Meta: true}) {
		t.Fatalf("steps %+v", steps)
	}
	if _, err := w.Store.Sessions().Get(w.Ctx, "alice"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("session still there: %v", err)
	}
	if got := w.Events("alice", ""); len(got) != 0 {
		t.Fatalf("events of the deleted session remain, or its deletion was recorded as one: %+v", got)
	}
	if _, err := w.Cmd.Teardown.DeleteSession(w.Ctx, w.User, "alice"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// The phone is free again for another session.
	w.OpenSession(w.Other, "bob", alicePhone, "")
}

func TestReconnectSession_KeepsCredentials(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	before := w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if err := w.Cmd.Sessions.ReconnectSession(w.Ctx, w.Other, "alice"); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("foreign reconnect: %v", err)
	}
	if err := w.Cmd.Sessions.ReconnectSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool {
		got := statusTags(t, w, "alice")
		return len(got) == 5
	}, "no reconnect events: %v", statusTags(t, w, "alice"))
	if got := statusTags(t, w, "alice"); !slices.Equal(got, []string{"create/", "qr/", "/open", "connecting/", "/open"}) {
		t.Fatalf("events %v", got)
	}
	s, _ := w.Store.Sessions().Get(w.Ctx, "alice")
	if s.Status() != session.StatusOpen || *s.Me() != *before.Me() {
		t.Fatalf("after reconnect %+v", s.Snapshot())
	}
	if err := w.Cmd.Sessions.ReconnectSession(w.Ctx, w.User, "nope"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}

func TestResumeSessions_StartsAutoStartSessions(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "stopped"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Cmd.Teardown.LogoutSession(w.Ctx, w.User, "stopped"); err != nil {
		t.Fatal(err)
	}
	// Simulate a restart: the runtime is gone, the store remembers.
	if err := w.Net.Stop(w.Ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	n := len(w.Events("stopped", ""))
	if err := w.Cmd.Sessions.ResumeSessions(w.Ctx); err != nil {
		t.Fatal(err)
	}
	// Marked starting ("connecting") before the transport reports it open again.
	appworld.Eventually(t, 3*time.Second, func() bool {
		return slices.Equal(statusTags(t, w, "alice"), []string{"create/", "qr/", "/open", "connecting/", "/open"})
	}, "alice not resumed: %v", statusTags(t, w, "alice"))
	time.Sleep(20 * time.Millisecond)
	if len(w.Events("stopped", "")) != n {
		t.Fatal("a stopped session was resumed")
	}
}

func TestConfigureWebhook(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	ws := command.WebhookSettings{Algorithm: webhook.SHA256, PreflightTimeout: 2 * time.Second}

	s, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: "https://hooks.test/a"}, ws)
	if err != nil {
		t.Fatal(err)
	}
	if s.Webhook().URL != "https://hooks.test/a" || !regexp.MustCompile(`^[a-zA-Z0-9]{15}$`).MatchString(s.Webhook().Secret) {
		t.Fatalf("webhook %+v", s.Webhook())
	}
	stored, _ := w.Store.Sessions().Get(w.Ctx, "alice")
	if stored.Webhook() != s.Webhook() {
		t.Fatalf("not saved: %+v", stored.Webhook())
	}
	// Re-posting the config keeps the secret, so receivers go on verifying, also
	// with another URL; rotateSecret asks for a new one.
	for _, url := range []string{"https://hooks.test/a", "https://hooks.test/b", "https://hooks.test/a"} {
		again, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: url}, ws)
		if err != nil || again.Webhook() != (session.Webhook{URL: url, Secret: s.Webhook().Secret}) {
			t.Fatalf("re-posting %s: %+v %v", url, again.Webhook(), err)
		}
	}
	s2, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: "https://hooks.test/a", RotateSecret: true}, ws)
	if err != nil || s2.Webhook().Secret == s.Webhook().Secret || !regexp.MustCompile(`^[a-zA-Z0-9]{15}$`).MatchString(s2.Webhook().Secret) {
		t.Fatalf("rotateSecret: %+v %v", s2.Webhook(), err)
	}
	primary, err := w.Store.Subscriptions().Get(w.Ctx, webhook.PrimaryID("alice"))
	if err != nil || primary.Secret != s2.Webhook().Secret || primary.PreviousSecret != s.Webhook().Secret ||
		primary.PreviousUntil.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("primary after rotateSecret: %+v %v", primary, err)
	}

	for _, bad := range []command.WebhookInput{
		{URL: "ftp://hooks.test/a"},
		{URL: "hooks.test/a"},
		{URL: "/relative"},
		{URL: "http://"},
		{URL: "javascript:alert(1)"},
		{URL: "https://hooks.test/a", Secret: "abc"},
		{Secret: "12345"},
	} {
		if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", bad, ws); !fault.Is(err, fault.KindInvalid) {
			t.Fatalf("%+v accepted: %v", bad, err)
		}
	}
	if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.Other, "alice", command.WebhookInput{URL: "https://x.test"}, ws); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("foreign: %v", err)
	}
	cur, _ := w.Store.Sessions().Get(w.Ctx, "alice")
	if cur.Webhook() != s2.Webhook() {
		t.Fatalf("rejected input changed the webhook: %+v", cur.Webhook())
	}
	if n := len(w.Sender.Requests("X-WAREST-Event", "preflight")); n != 0 {
		t.Fatalf("%d preflights sent without asking", n)
	}

	// An empty URL disables delivery.
	off, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{}, ws)
	if err != nil || off.Webhook() != (session.Webhook{}) {
		t.Fatalf("disable: %+v %v", off.Webhook(), err)
	}
}

func TestConfigureWebhook_Preflight(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	ws := command.WebhookSettings{Algorithm: webhook.SHA256, PreflightTimeout: 2 * time.Second}
	in := command.WebhookInput{URL: "https://hooks.test/ok", Secret: appworld.UserSecret, Preflight: true}
	s, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", in, ws)
	if err != nil {
		t.Fatal(err)
	}
	if s.Webhook() != (session.Webhook{URL: in.URL, Secret: appworld.UserSecret}) {
		t.Fatalf("webhook %+v", s.Webhook())
	}
	reqs := w.Sender.Requests("X-WAREST-Event", "preflight")
	if len(reqs) != 1 {
		t.Fatalf("%d preflights", len(reqs))
	}
	r := reqs[0]
	if r.URL != in.URL || r.Timeout != 2*time.Second || r.Headers["X-WAREST-Preflight"] != "1" || r.Headers["X-WAREST-Session"] != "alice" {
		t.Fatalf("preflight %+v", r)
	}
	appworld.VerifySignature(t, r, appworld.UserSecret, "budi")
	body := appworld.Decode[struct {
		Data map[string]any `json:"data"`
	}](t, r.Body)
	if body.Data["ping"] != true || body.Data["sessionId"] != "alice" {
		t.Fatalf("preflight body %s", r.Body)
	}

	// A failing receiver: nothing is saved.
	w.Sender.Script("preflight", 500)
	_, err = w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: "https://hooks.test/broken", Secret: "another-secret", Preflight: true}, ws)
	var pf *command.PreflightFailed
	if !errors.As(err, &pf) {
		t.Fatalf("err = %v, want *PreflightFailed", err)
	}
	if pf.Result.OK || pf.Result.Status != 500 || pf.Result.Target != "https://hooks.test/broken" {
		t.Fatalf("result %+v", pf.Result)
	}
	cur, _ := w.Store.Sessions().Get(w.Ctx, "alice")
	if cur.Webhook().URL != in.URL || cur.Webhook().Secret != appworld.UserSecret {
		t.Fatalf("failed preflight saved %+v", cur.Webhook())
	}
	// A network error fails too: an admin reads its cause, the session's owner
	// only that no answer came.
	w.Sender.NetErrors("preflight", 1)
	_, err = w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.Admin, "alice", command.WebhookInput{URL: "https://hooks.test/down", Preflight: true}, ws)
	if !errors.As(err, &pf) || pf.Result.Status != 0 || !strings.Contains(pf.Result.Error, "connection refused") {
		t.Fatalf("network failure for an admin: %v %+v", err, pf)
	}
	w.Sender.NetErrors("preflight", 1)
	_, err = w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: "https://hooks.test/down", Preflight: true}, ws)
	if !errors.As(err, &pf) || pf.Result != (command.PreflightResult{Target: "https://hooks.test/down", Error: "target unreachable or not allowed"}) {
		t.Fatalf("network failure for the owner: %v %+v", err, pf)
	}
}

// A node may claim a session just as a create request started and linked it there
// (several nodes: the create and the node's claim race for a new session). Resuming
// a runtime that already runs here leaves it and its open status alone: marking it
// starting would hide an open connection for good (no new connection event follows).
func TestResume_LeavesARuntimeRunningHereAlone(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if err := w.Cmd.Runtimes.Resume(w.Ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	s, err := w.Store.Sessions().Get(w.Ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if s.Status() != session.StatusOpen {
		t.Fatalf("status after resuming a running session: %s, want open", s.Status())
	}

	// Stopped here, it is resumed as a takeover is: marked starting, then open again.
	if err := w.Net.Stop(w.Ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := w.Cmd.Runtimes.Resume(w.Ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool {
		s, err := w.Store.Sessions().Get(w.Ctx, "alice")
		return err == nil && s.Status() == session.StatusOpen
	}, "the resumed session did not open")
	if got := statusTags(t, w, "alice"); !slices.Equal(got, []string{"create/", "qr/", "/open", "connecting/", "/open"}) {
		t.Fatalf("status events %v: the resume of a stopped runtime did not mark it starting", got)
	}
}
