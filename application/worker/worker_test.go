package worker_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

const (
	alicePhone = "6281111111111"
	bobPhone   = "6282222222222"
	aliceHook  = "https://hooks.test/alice"
)

// receivedWorld has "alice" (owned by budi, with a webhook) and "bob" (owned by sari)
// open, and bob has written "halo" to alice.
func receivedWorld(t *testing.T, opt appworld.Options, script ...int) (*appworld.World, event.Envelope, *session.Session) {
	t.Helper()
	w := appworld.New(t, opt)
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: aliceHook, Secret: appworld.UserSecret},
		command.WebhookSettings{Algorithm: webhook.SHA256}); err != nil {
		t.Fatal(err)
	}
	if len(script) > 0 {
		w.Sender.Script(string(event.MessageReceived), script...)
	}
	bob := w.OpenSession(w.Other, "bob", bobPhone, "Bob")
	if _, err := w.Cmd.Sending.SendText(w.Ctx, w.Other, command.SendTextInput{SessionID: "bob", To: []string{"0811-1111-1111"}, Text: "halo"}); err != nil {
		t.Fatal(err)
	}
	var got []event.Envelope
	appworld.Eventually(t, 3*time.Second, func() bool {
		got = w.Events("alice", event.MessageReceived)
		return len(got) > 0
	}, "alice never received bob's message")
	return w, got[0], bob
}

func TestIngest_InboundMessageIsRecordedWithSenderIdentity(t *testing.T) {
	t.Parallel()
	w, e, bob := receivedWorld(t, appworld.Options{})
	if n := len(w.Events("alice", event.MessageReceived)); n != 1 {
		t.Fatalf("%d message_received events, want 1", n)
	}
	data := appworld.Rendered[appworld.MessageReceivedData](t, e)
	if data.ID != "alice" || data.Text != "halo" || data.ContentType != "text" || data.Type != "notify" || data.Tags != "text" {
		t.Fatalf("payload %s", e.Payload)
	}
	if bob.Me() == nil || !regexp.MustCompile(`^\d{15}@lid$`).MatchString(bob.Me().LID) {
		t.Fatalf("bob has no LID: %+v", bob.Me())
	}
	wantSender := appworld.Sender{ChatID: bobPhone + "@s.whatsapp.net", AuthorJID: bobPhone + "@s.whatsapp.net",
		AuthorLID: bob.Me().LID, PushName: "Bob"}
	if data.Sender != wantSender {
		t.Fatalf("sender %+v, want %+v", data.Sender, wantSender)
	}
	if data.Message.Key.RemoteJID != bobPhone+"@s.whatsapp.net" || data.Message.Key.FromMe || data.Message.Key.Participant != "" ||
		data.Message.PushName != "Bob" || data.Message.Message["conversation"] != "halo" {
		t.Fatalf("WA message %+v", data.Message)
	}
	sent := w.Net.Sent("bob")
	if len(sent) != 1 || data.Message.Key.ID != sent[0].ID {
		t.Fatalf("message id %s, bob sent %+v", data.Message.Key.ID, sent)
	}
	if data.Mentions == nil || len(data.Mentions) != 0 {
		t.Fatalf("mentions %v, want []", data.Mentions)
	}
}

func deliveryOf(w *appworld.World, eventID string) webhook.Delivery {
	w.T.Helper()
	ds, err := w.Store.Deliveries().ListByEvent(w.Ctx, eventID)
	if err != nil {
		w.T.Fatal(err)
	}
	if len(ds) != 1 {
		w.T.Fatalf("event %s has %d deliveries, want 1: %+v", eventID, len(ds), ds)
	}
	return ds[0]
}

func waitDelivery(w *appworld.World, eventID string, want webhook.DeliveryStatus) webhook.Delivery {
	w.T.Helper()
	var d webhook.Delivery
	appworld.Eventually(w.T, 3*time.Second, func() bool {
		ds, err := w.Store.Deliveries().ListByEvent(w.Ctx, eventID)
		if err != nil || len(ds) == 0 {
			return false
		}
		d = ds[0]
		return d.Status == want
	}, "delivery of %s never became %s (last %+v)", eventID, want, &d)
	return deliveryOf(w, eventID)
}

func TestWebhooks_DeliverOneSignedRequestToTheSessionWebhook(t *testing.T) {
	t.Parallel()
	w, e, _ := receivedWorld(t, appworld.Options{})
	d := waitDelivery(w, e.ID, webhook.DeliveryDelivered)
	if d.Attempts != 1 || d.LastStatus != 200 || d.URL != aliceHook || d.SessionID != "alice" {
		t.Fatalf("delivery %+v", d)
	}
	reqs := w.Sender.Requests("X-WAREST-Event-Id", e.ID)
	if len(reqs) != 1 {
		t.Fatalf("%d requests for the event, want 1", len(reqs))
	}
	r := reqs[0]
	if r.URL != aliceHook || r.Timeout != time.Second {
		t.Fatalf("request to %s timeout %v", r.URL, r.Timeout)
	}
	appworld.VerifySignature(t, r, appworld.UserSecret, "budi")
	h := r.Headers
	if h["X-WAREST-Event"] != "message_received" || h["X-WAREST-Session"] != "alice" || h["X-WAREST-Username"] != "budi" ||
		h["X-WAREST-Registry"] != w.User.User.Registry || h["X-WAREST-Delivery-Attempt"] != "1" || h["X-WAREST-Signature-Alg"] != "HMAC-SHA256" {
		t.Fatalf("headers %v", h)
	}
	body := appworld.Decode[struct {
		Event   string         `json:"event"`
		Data    map[string]any `json:"data"`
		TS      int64          `json:"ts"`
		Session map[string]any `json:"session"`
	}](t, r.Body)
	if body.Event != "message_received" || body.Data["sessionId"] != "alice" || body.Data["text"] != "halo" ||
		body.TS != e.OccurredAt.UnixMilli() || body.Session["username"] != "budi" || body.Session["id"] != "alice" {
		t.Fatalf("body %s", r.Body)
	}
	// Nothing of bob's goes to alice's hook, and bob has no webhook at all.
	for _, r := range w.Sender.Requests("", "") {
		if r.Headers["X-WAREST-Session"] != "alice" || r.URL != aliceHook {
			t.Fatalf("unexpected request %s for %s", r.URL, r.Headers["X-WAREST-Session"])
		}
	}
}

func TestWebhooks_RetryAfterServerError(t *testing.T) {
	t.Parallel()
	w, e, _ := receivedWorld(t, appworld.Options{}, 500, 200)
	d := waitDelivery(w, e.ID, webhook.DeliveryDelivered)
	if d.Attempts != 2 || d.LastStatus != 200 {
		t.Fatalf("delivery %+v", d)
	}
	reqs := w.Sender.Requests("X-WAREST-Event-Id", e.ID)
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for i, r := range reqs {
		if got, want := r.Headers["X-WAREST-Delivery-Attempt"], []string{"1", "2"}[i]; got != want {
			t.Fatalf("attempt header %q, want %q", got, want)
		}
		appworld.VerifySignature(t, r, appworld.UserSecret, "budi")
	}
	if string(reqs[0].Body) != string(reqs[1].Body) {
		t.Fatal("a retry changed the body")
	}
}

func TestWebhooks_NetworkErrorThenSuccess(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.Sender.NetErrors(string(event.MessageReceived), 2)
	w.OpenSession(w.User, "alice", alicePhone, "")
	if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: aliceHook, Secret: appworld.UserSecret}, command.WebhookSettings{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Net.InjectText("alice", bobPhone, "Bob", "x"); err != nil {
		t.Fatal(err)
	}
	var evs []event.Envelope
	appworld.Eventually(t, 3*time.Second, func() bool { evs = w.Events("alice", event.MessageReceived); return len(evs) == 1 }, "no message")
	d := waitDelivery(w, evs[0].ID, webhook.DeliveryDelivered)
	if d.Attempts != 3 || d.LastError != "" {
		t.Fatalf("delivery %+v", d)
	}
}

func TestWebhooks_ClientErrorIsDeadAfterOneAttempt(t *testing.T) {
	t.Parallel()
	w, e, _ := receivedWorld(t, appworld.Options{}, 404, 200)
	d := waitDelivery(w, e.ID, webhook.DeliveryDead)
	if d.Attempts != 1 || d.LastStatus != 404 {
		t.Fatalf("delivery %+v", d)
	}
	time.Sleep(60 * time.Millisecond) // several poll intervals and retry delays
	if n := len(w.Sender.Requests("X-WAREST-Event-Id", e.ID)); n != 1 {
		t.Fatalf("%d requests for a dead delivery, want 1", n)
	}
}

func TestWebhooks_RetriesStopAtMaxAttempts(t *testing.T) {
	t.Parallel()
	w, e, _ := receivedWorld(t, appworld.Options{}, 503, 503, 503, 200)
	d := waitDelivery(w, e.ID, webhook.DeliveryDead)
	if d.Attempts != 3 || d.LastStatus != 503 {
		t.Fatalf("delivery %+v", d)
	}
	time.Sleep(60 * time.Millisecond)
	if n := len(w.Sender.Requests("X-WAREST-Event-Id", e.ID)); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}

func TestWebhooks_ScheduleIsIdempotent(t *testing.T) {
	t.Parallel()
	w, e, _ := receivedWorld(t, appworld.Options{})
	for range 2 {
		if err := w.Hooks.Schedule(w.Ctx, e); err != nil {
			t.Fatalf("Schedule: %v", err)
		}
	}
	waitDelivery(w, e.ID, webhook.DeliveryDelivered)
	for range 2 {
		if err := w.Hooks.Schedule(w.Ctx, e); err != nil {
			t.Fatalf("Schedule after delivery: %v", err)
		}
	}
	time.Sleep(30 * time.Millisecond)
	deliveryOf(w, e.ID) // exactly one
	if n := len(w.Sender.Requests("X-WAREST-Event-Id", e.ID)); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestWebhooks_DefaultURLAndSecretWhenSessionHasNone(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{DefaultURL: "https://default.test/h"})
	w.OpenSession(w.User, "alice", alicePhone, "")
	var evs []event.Envelope
	appworld.Eventually(t, 3*time.Second, func() bool { evs = w.Events("alice", event.SessionStatus); return len(evs) >= 3 }, "no status events")
	for _, e := range evs {
		d := waitDelivery(w, e.ID, webhook.DeliveryDelivered)
		if d.URL != "https://default.test/h" {
			t.Fatalf("delivery to %s", d.URL)
		}
	}
	r := w.Sender.Requests("X-WAREST-Event-Id", evs[0].ID)
	if len(r) != 1 {
		t.Fatalf("%d requests", len(r))
	}
	appworld.VerifySignature(t, r[0], "", "budi") // no default secret: key is the username alone
}

func TestWebhooks_NoURLNoDelivery(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "")
	evs := w.Events("alice", "")
	appworld.Eventually(t, 3*time.Second, func() bool {
		un, _ := w.Store.Events().ListUnpublished(w.Ctx, 0)
		return len(un) == 0
	}, "relay left events unpublished")
	for _, e := range evs {
		if ds, _ := w.Store.Deliveries().ListByEvent(w.Ctx, e.ID); len(ds) != 0 {
			t.Fatalf("delivery without a URL: %+v", ds)
		}
	}
	if n := len(w.Sender.Requests("", "")); n != 0 {
		t.Fatalf("%d requests without a URL", n)
	}
}

func TestRelay_PublishesEveryEventOnce(t *testing.T) {
	t.Parallel()
	w, _, _ := receivedWorld(t, appworld.Options{})
	appworld.Eventually(t, 3*time.Second, func() bool {
		un, _ := w.Store.Events().ListUnpublished(w.Ctx, 0)
		return len(un) == 0
	}, "events left unpublished")
	// Every alice event after the webhook was set has exactly one delivery.
	for _, e := range w.Events("alice", "") {
		ds, _ := w.Store.Deliveries().ListByEvent(w.Ctx, e.ID)
		if len(ds) > 1 {
			t.Fatalf("event %s scheduled %d times", e.ID, len(ds))
		}
	}
}

func TestSendQueue_TransportFailureRetriedThenFailed(t *testing.T) {
	t.Parallel()
	var ft *appworld.FlakyTransport
	w := appworld.New(t, appworld.Options{MaxAttempts: 3, WrapNet: func(n *appworld.Network) ports.Transport {
		ft = &appworld.FlakyTransport{Network: n}
		return ft
	}})
	w.OpenSession(w.User, "alice", alicePhone, "")
	ft.Fails.Store(-1)
	res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	m := res[0].Message
	if m.Status != message.StatusFailed || m.Attempts != 3 || m.FailReason != appworld.ErrNetworkDown.Error() {
		t.Fatalf("message %+v", m)
	}
	time.Sleep(30 * time.Millisecond)
	if c := ft.Calls.Load(); c != 3 {
		t.Fatalf("transport called %d times, want 3", c)
	}
	var statuses []string
	for _, e := range w.Events("alice", event.MessageStatus) {
		d := appworld.Rendered[appworld.MessageStatusData](t, e)
		statuses = append(statuses, d.Status)
		if d.Status == "failed" && (d.Reason != appworld.ErrNetworkDown.Error() || d.MessageID != m.ID) {
			t.Fatalf("failed event %+v", d)
		}
	}
	if !slices.Equal(statuses, []string{"queued", "failed"}) {
		t.Fatalf("status events %v", statuses)
	}
	if len(w.Net.Sent("alice")) != 0 {
		t.Fatal("the network got the message")
	}
}

func TestSendQueue_UnclassifiedFailureRetriedThenSent(t *testing.T) {
	t.Parallel()
	var ft *appworld.FlakyTransport
	w := appworld.New(t, appworld.Options{MaxAttempts: 3, WrapNet: func(n *appworld.Network) ports.Transport {
		ft = &appworld.FlakyTransport{Network: n}
		return ft
	}})
	w.OpenSession(w.User, "alice", alicePhone, "")
	ft.Fails.Store(2)
	res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	m := res[0].Message
	if m.Status != message.StatusSent && m.Status != message.StatusDelivered || m.Attempts != 3 || m.FailReason != "" {
		t.Fatalf("message %+v", m)
	}
	if sent := w.Net.Sent("alice"); len(sent) != 1 || sent[0].ID != m.ID {
		t.Fatalf("network got %+v", sent)
	}
}

func TestSendQueue_SendsInAcceptanceOrder(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "")
	var want []string
	for i := range 4 {
		to := []string{}
		for j := range 5 {
			to = append(to, "62855500"+string(rune('0'+i))+"000"+string(rune('0'+j)))
		}
		res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: to, Text: "batch"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			want = append(want, r.Message.ID)
		}
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Net.Sent("alice")) == len(want) }, "not everything was sent")
	var got []string
	for _, m := range w.Net.Sent("alice") {
		got = append(got, m.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("sent in order\n%v\nwant\n%v", got, want)
	}
}

func TestSendQueue_WaitsWhileSessionIsNotOpen(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "")
	// Queue a message while the session is reconnecting: it stays queued, then
	// goes out once the session is open again.
	if err := w.Ingest.Handle(w.Ctx, ports.TransportDisconnected{SessionID: "alice", Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	m, _ := message.NewOutbound(command.NewMessageID(), "alice", chat.UserJID(bobPhone), message.TextContent("later"), time.Now())
	if err := w.Store.Messages().Create(w.Ctx, m); err != nil {
		t.Fatal(err)
	}
	w.Hub.Queue.Poke()
	time.Sleep(30 * time.Millisecond)
	if got, _ := w.Store.Messages().Get(w.Ctx, "alice", m.ID); got.Status != message.StatusQueued || got.Attempts != 0 {
		t.Fatalf("message touched while offline: %+v", got)
	}
	if err := w.Ingest.Handle(w.Ctx, ports.TransportConnected{SessionID: "alice", Me: session.Identity{JID: alicePhone + "@s.whatsapp.net"}}); err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Net.Sent("alice")) == 1 }, "not sent after reconnect")
}
