package reaction_test

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
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
	if _, err := w.Cmd.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: aliceHook, Secret: appworld.UserSecret},
		command.WebhookSettings{Algorithm: webhook.SHA256}); err != nil {
		t.Fatal(err)
	}
	if len(script) > 0 {
		w.Sender.Script(string(event.MessageReceived), script...)
	}
	bob := w.OpenSession(w.Other, "bob", bobPhone, "Bob")
	if _, err := w.Cmd.SendText(w.Ctx, w.Other, command.SendTextInput{SessionID: "bob", To: []string{"0811-1111-1111"}, Text: "halo"}); err != nil {
		t.Fatal(err)
	}
	var got []event.Envelope
	appworld.Eventually(t, 3*time.Second, func() bool {
		got = w.Events("alice", event.MessageReceived)
		return len(got) > 0
	}, "alice never received bob's message")
	return w, got[0], bob
}

func deliveryOf(w *appworld.World, eventID string) webhook.Delivery {
	w.T.Helper()
	ds, err := w.Mem.Deliveries().ListByEvent(w.Ctx, eventID)
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
		ds, err := w.Mem.Deliveries().ListByEvent(w.Ctx, eventID)
		if err != nil || len(ds) == 0 {
			return false
		}
		d = ds[0]
		return d.Status == want
	}, "delivery of %s never became %s (last %+v)", eventID, want, &d)
	return deliveryOf(w, eventID)
}

func TestIngest_InboundMessageIsRecordedWithSenderIdentity(t *testing.T) {
	t.Parallel()
	w, e, bob := receivedWorld(t, appworld.Options{})
	if n := len(w.Events("alice", event.MessageReceived)); n != 1 {
		t.Fatalf("%d message_received events, want 1", n)
	}
	data := appworld.Decode[event.MessageReceivedData](t, e.Payload)
	if data.ID != "alice" || data.Text != "halo" || data.ContentType != "text" || data.Type != "notify" || data.Tags != "text" {
		t.Fatalf("payload %s", e.Payload)
	}
	if bob.Me() == nil || !regexp.MustCompile(`^\d{15}@lid$`).MatchString(bob.Me().LID) {
		t.Fatalf("bob has no LID: %+v", bob.Me())
	}
	wantSender := event.Sender{ChatID: bobPhone + "@s.whatsapp.net", AuthorJID: bobPhone + "@s.whatsapp.net",
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

func TestIngest_InjectedTextCarriesPushName(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if _, err := w.Net.InjectText("alice", "+62 833 3333 3333", "Citra", "pagi"); err != nil {
		t.Fatal(err)
	}
	var evs []event.Envelope
	appworld.Eventually(t, 3*time.Second, func() bool { evs = w.Events("alice", event.MessageReceived); return len(evs) == 1 }, "no message_received")
	d := appworld.Decode[event.MessageReceivedData](t, evs[0].Payload)
	if d.Sender.AuthorJID != "6283333333333@s.whatsapp.net" || d.Sender.PushName != "Citra" || d.Text != "pagi" ||
		!regexp.MustCompile(`^\d{15}@lid$`).MatchString(d.Sender.AuthorLID) {
		t.Fatalf("sender %+v text %q", d.Sender, d.Text)
	}
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
	if _, err := w.Cmd.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: aliceHook, Secret: appworld.UserSecret}, command.WebhookSettings{}); err != nil {
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
		un, _ := w.Mem.Events().ListUnpublished(w.Ctx, 0)
		return len(un) == 0
	}, "relay left events unpublished")
	for _, e := range evs {
		if ds, _ := w.Mem.Deliveries().ListByEvent(w.Ctx, e.ID); len(ds) != 0 {
			t.Fatalf("delivery without a URL: %+v", ds)
		}
	}
	if n := len(w.Sender.Requests("", "")); n != 0 {
		t.Fatalf("%d requests without a URL", n)
	}
}

func TestIngest_UnknownSessionIsDropped(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	evs := []ports.TransportEvent{
		ports.TransportMessage{Message: message.Inbound{ID: "X", SessionID: "ghost", Chat: chat.UserJID(bobPhone), Sender: chat.Party{JID: chat.UserJID(bobPhone)}, Content: message.TextContent("hi")}},
		ports.TransportQR{SessionID: "ghost", Code: "qr", ExpiresIn: time.Second},
		ports.TransportConnected{SessionID: "ghost", Me: session.Identity{JID: alicePhone + "@s.whatsapp.net"}},
		ports.TransportDisconnected{SessionID: "ghost", Reason: "x"},
		ports.TransportLoggedOut{SessionID: "ghost"},
		ports.TransportReplaced{SessionID: "ghost"},
		ports.TransportReceipt{SessionID: "ghost", IDs: []string{"nope"}, Status: message.StatusDelivered, At: time.Now()},
	}
	for _, e := range evs {
		if err := w.Ingest.Handle(w.Ctx, e); err != nil {
			t.Fatalf("Handle(%T) = %v, want nil (dropped)", e, err)
		}
	}
	if got := w.Events("ghost", ""); len(got) != 0 {
		t.Fatalf("events recorded for an unknown session: %+v", got)
	}
	if _, ok := w.Hub.QR("ghost", time.Now()); ok {
		t.Fatal("QR kept for an unknown session")
	}
}

// failingStore fails Events().Append for one event type while fail is set,
// both outside and inside transactions.
type failingStore struct {
	ports.Store
	typ     event.Type
	fail    atomic.Bool
	refused atomic.Int64
	err     error  // what Append answers; nil: errDiskFull
	only    string // when set, only payloads containing it fail
	parkErr error  // when set, Parked().Park fails with it
}

// errDiskFull is how stores report a database that cannot take writes now.
var errDiskFull error = fault.Wrap(errors.New("disk full"), fault.KindUnavailable, "", "database unavailable")

type failingRepos struct {
	ports.Repositories
	f *failingStore
}

type failingEvents struct {
	ports.EventRepository
	f *failingStore
}

func (f *failingStore) Events() ports.EventRepository { return failingEvents{f.Store.Events(), f} }
func (f *failingStore) InTx(ctx context.Context, fn func(ports.Repositories) error) error {
	return f.Store.InTx(ctx, func(r ports.Repositories) error { return fn(failingRepos{r, f}) })
}
func (r failingRepos) Events() ports.EventRepository {
	return failingEvents{r.Repositories.Events(), r.f}
}
func (e failingEvents) Append(ctx context.Context, ev event.Envelope) (event.Envelope, error) {
	if e.f.fail.Load() && ev.Type == e.f.typ && strings.Contains(string(ev.Payload), e.f.only) {
		e.f.refused.Add(1)
		return event.Envelope{}, cmp.Or(e.f.err, errDiskFull)
	}
	return e.EventRepository.Append(ctx, ev)
}

func (f *failingStore) Parked() ports.ParkedEventRepository {
	return failingParked{f.Store.Parked(), f}
}

type failingParked struct {
	ports.ParkedEventRepository
	f *failingStore
}

func (p failingParked) Park(ctx context.Context, e event.Parked) error {
	if p.f.parkErr != nil {
		return p.f.parkErr
	}
	return p.ParkedEventRepository.Park(ctx, e)
}

func TestIngest_StoreFailureIsReturnedSoTheTransportRetries(t *testing.T) {
	t.Parallel()
	var fs *failingStore
	w := appworld.New(t, appworld.Options{WrapStore: func(s ports.Store) ports.Store {
		fs = &failingStore{Store: s, typ: event.MessageReceived}
		return fs
	}})
	w.OpenSession(w.User, "alice", alicePhone, "")
	fs.fail.Store(true)

	// Directly: the error reaches the transport.
	in := message.Inbound{ID: "3EB0DIRECT", SessionID: "alice", Chat: chat.UserJID(bobPhone), Sender: chat.Party{JID: chat.UserJID(bobPhone)}, Content: message.TextContent("x"), Timestamp: time.Now()}
	if err := w.Ingest.Handle(w.Ctx, ports.TransportMessage{Message: in}); !errors.Is(err, errDiskFull) {
		t.Fatalf("Handle = %v, want the store error", err)
	}
	// A status change whose event cannot be stored is rolled back and reported.
	fs.typ = event.MessageReceived // unchanged; session events still work
	if got := w.Events("alice", event.MessageReceived); len(got) != 0 {
		t.Fatalf("event stored despite the failure: %+v", got)
	}

	// Through the sandbox: the message is redelivered until the store takes it, once.
	if _, err := w.Net.InjectText("alice", bobPhone, "Bob", "retry me"); err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return fs.refused.Load() >= 3 }, "the transport did not retry")
	fs.fail.Store(false)
	var got []event.Envelope
	appworld.Eventually(t, 3*time.Second, func() bool { got = w.Events("alice", event.MessageReceived); return len(got) > 0 }, "message never stored")
	time.Sleep(30 * time.Millisecond)
	got = w.Events("alice", event.MessageReceived)
	if len(got) != 1 || appworld.Decode[event.MessageReceivedData](t, got[0].Payload).Text != "retry me" {
		t.Fatalf("stored %d events: %+v", len(got), got)
	}
}

func TestIngest_StatusChangeRolledBackWhenItsEventFails(t *testing.T) {
	t.Parallel()
	var fs *failingStore
	w := appworld.New(t, appworld.Options{WrapStore: func(s ports.Store) ports.Store {
		fs = &failingStore{Store: s, typ: event.SessionStatus}
		return fs
	}})
	w.OpenSession(w.User, "alice", alicePhone, "")
	fs.fail.Store(true)
	err := w.Ingest.Handle(w.Ctx, ports.TransportDisconnected{SessionID: "alice", Reason: "lost", Attempt: 1})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("Handle = %v, want the store error", err)
	}
	s, _ := w.Mem.Sessions().Get(w.Ctx, "alice")
	if s.Status() != session.StatusOpen {
		t.Fatalf("status %s changed although its event was not stored", s.Status())
	}
}

func statusesOf(t *testing.T, evs []event.Envelope) []string {
	t.Helper()
	var out []string
	for _, e := range evs {
		d := appworld.Decode[event.SessionStatusData](t, e.Payload)
		out = append(out, d.Tags+"/"+d.Status)
	}
	return out
}

func TestIngest_ConnectionStatusChanges(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	steps := []struct {
		ev         ports.TransportEvent
		wantStatus session.Status
		wantTag    string
	}{
		{ports.TransportDisconnected{SessionID: "alice", Reason: "stream error", Attempt: 2}, session.StatusReconnecting, "/reconnecting"},
		{ports.TransportConnected{SessionID: "alice", Me: session.Identity{JID: alicePhone + "@s.whatsapp.net", Name: "Alice"}}, session.StatusOpen, "/open"},
		{ports.TransportLoggedOut{SessionID: "alice", Reason: "unlinked"}, session.StatusLoggedOut, "/logged_out"},
	}
	for _, st := range steps {
		before := len(w.Events("alice", event.SessionStatus))
		if err := w.Ingest.Handle(w.Ctx, st.ev); err != nil {
			t.Fatalf("Handle(%T): %v", st.ev, err)
		}
		s, _ := w.Mem.Sessions().Get(w.Ctx, "alice")
		if s.Status() != st.wantStatus {
			t.Fatalf("after %T status %s, want %s", st.ev, s.Status(), st.wantStatus)
		}
		evs := w.Events("alice", event.SessionStatus)
		if len(evs) != before+1 || statusesOf(t, evs[len(evs)-1:])[0] != st.wantTag {
			t.Fatalf("after %T events %v", st.ev, statusesOf(t, evs))
		}
	}
	last := w.Events("alice", event.SessionStatus)
	d := appworld.Decode[event.SessionStatusData](t, last[len(last)-1].Payload)
	if d.Reason != "unlinked" {
		t.Fatalf("logout reason %q", d.Reason)
	}
	s, _ := w.Mem.Sessions().Get(w.Ctx, "alice")
	if s.Me() != nil || s.LastError() != "unlinked" {
		t.Fatalf("logged-out session kept identity %+v / error %q", s.Me(), s.LastError())
	}
	// A change the state machine does not list is still the transport's truth.
	n := len(w.Events("alice", event.SessionStatus))
	if err := w.Ingest.Handle(w.Ctx, ports.TransportDisconnected{SessionID: "alice", Reason: "late"}); err != nil {
		t.Fatalf("irregular change: %v", err)
	}
	if s, _ := w.Mem.Sessions().Get(w.Ctx, "alice"); s.Status() != session.StatusReconnecting || len(w.Events("alice", event.SessionStatus)) != n+1 {
		t.Fatalf("irregular change not followed: status %s", s.Status())
	}
}

func TestIngest_StreamReplaced(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if err := w.Ingest.Handle(w.Ctx, ports.TransportReplaced{SessionID: "alice"}); err != nil {
		t.Fatal(err)
	}
	s, _ := w.Mem.Sessions().Get(w.Ctx, "alice")
	if s.Status() != session.StatusReplaced || s.LastError() != "stream replaced" {
		t.Fatalf("status %s / %q", s.Status(), s.LastError())
	}
	evs := w.Events("alice", event.SessionStatus)
	if got := statusesOf(t, evs[len(evs)-1:])[0]; got != "conflict_replaced/replaced" {
		t.Fatalf("last event %s", got)
	}
	if _, err := w.Cmd.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "x"}); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("send on a replaced session: %v", err)
	}
}

func TestIngest_AcksOnlyMoveForward(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "")
	m, err := message.NewOutbound("3EB0ACK", "alice", chat.UserJID(bobPhone), message.TextContent("x"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m.Status = message.StatusSent
	if err := w.Mem.Messages().Create(w.Ctx, m); err != nil {
		t.Fatal(err)
	}
	ack := func(s message.Status) {
		t.Helper()
		if err := w.Ingest.Handle(w.Ctx, ports.TransportReceipt{SessionID: "alice", IDs: []string{m.ID}, Status: s, At: time.Now()}); err != nil {
			t.Fatalf("ack %s: %v", s, err)
		}
	}
	ack(message.StatusRead)
	ack(message.StatusDelivered) // late
	ack(message.StatusRead)      // repeated
	got, _ := w.Mem.Messages().Get(w.Ctx, "alice", m.ID)
	if got.Status != message.StatusRead {
		t.Fatalf("status %s", got.Status)
	}
	evs := w.Events("alice", event.MessageStatus)
	if len(evs) != 1 || appworld.Decode[event.MessageStatusData](t, evs[0].Payload).Status != "read" {
		t.Fatalf("status events %d", len(evs))
	}
}

func TestIngest_AckOvertakingTheSendQueueRecordsTheImpliedSent(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	// A session that is not open: the send queue leaves its messages alone, as if the
	// worker were still inside transport.Send.
	if _, err := w.Cmd.CreateSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	m, err := message.NewOutbound("3EB0EARLY", "alice", chat.UserJID(bobPhone), message.TextContent("x"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m.Status = message.StatusQueued
	if err := w.Ingest.Handle(w.Ctx, ports.TransportReceipt{SessionID: "alice", IDs: []string{m.ID}, Status: message.StatusDelivered, At: time.Now()}); err != nil {
		t.Fatalf("ack for a message not stored yet: %v", err)
	}
	if err := w.Mem.Messages().Create(w.Ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := w.Ingest.Handle(w.Ctx, ports.TransportReceipt{SessionID: "alice", IDs: []string{m.ID}, Status: message.StatusRead, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range w.Events("alice", event.MessageStatus) {
		got = append(got, appworld.Decode[event.MessageStatusData](t, e.Payload).Status)
	}
	if !slices.Equal(got, []string{"sent", "read"}) {
		t.Fatalf("status events %v, want [sent read]", got)
	}
	if cur, _ := w.Mem.Messages().Get(w.Ctx, "alice", m.ID); cur.Status != message.StatusRead {
		t.Fatalf("status %s", cur.Status)
	}
}

func TestIngest_LateQRForAStoppedSessionIsIgnored(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	if _, err := w.Cmd.CreateSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Cmd.LogoutSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	n := len(w.Events("alice", ""))
	if err := w.Ingest.Handle(w.Ctx, ports.TransportQR{SessionID: "alice", Code: "late", ExpiresIn: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Hub.QR("alice", time.Now()); ok {
		t.Fatal("late QR published")
	}
	if len(w.Events("alice", "")) != n {
		t.Fatal("late QR recorded")
	}
}

func TestRelay_PublishesEveryEventOnce(t *testing.T) {
	t.Parallel()
	w, _, _ := receivedWorld(t, appworld.Options{})
	appworld.Eventually(t, 3*time.Second, func() bool {
		un, _ := w.Mem.Events().ListUnpublished(w.Ctx, 0)
		return len(un) == 0
	}, "events left unpublished")
	// Every alice event after the webhook was set has exactly one delivery.
	for _, e := range w.Events("alice", "") {
		ds, _ := w.Mem.Deliveries().ListByEvent(w.Ctx, e.ID)
		if len(ds) > 1 {
			t.Fatalf("event %s scheduled %d times", e.ID, len(ds))
		}
	}
}

func TestSendQueue_TransportFailureRetriedThenFailed(t *testing.T) {
	t.Parallel()
	var ft *appworld.FlakyTransport
	w := appworld.New(t, appworld.Options{MaxAttempts: 3, WrapNet: func(n *sandbox.Network) ports.Transport {
		ft = &appworld.FlakyTransport{Network: n}
		return ft
	}})
	w.OpenSession(w.User, "alice", alicePhone, "")
	ft.Fails.Store(-1)
	res, err := w.Cmd.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "hello"})
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
		d := appworld.Decode[event.MessageStatusData](t, e.Payload)
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
	w := appworld.New(t, appworld.Options{MaxAttempts: 3, WrapNet: func(n *sandbox.Network) ports.Transport {
		ft = &appworld.FlakyTransport{Network: n}
		return ft
	}})
	w.OpenSession(w.User, "alice", alicePhone, "")
	ft.Fails.Store(2)
	res, err := w.Cmd.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "hello"})
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
		res, err := w.Cmd.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: to, Text: "batch"})
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
	if err := w.Mem.Messages().Create(w.Ctx, m); err != nil {
		t.Fatal(err)
	}
	w.Hub.Queue.Poke()
	time.Sleep(30 * time.Millisecond)
	if got, _ := w.Mem.Messages().Get(w.Ctx, "alice", m.ID); got.Status != message.StatusQueued || got.Attempts != 0 {
		t.Fatalf("message touched while offline: %+v", got)
	}
	if err := w.Ingest.Handle(w.Ctx, ports.TransportConnected{SessionID: "alice", Me: session.Identity{JID: alicePhone + "@s.whatsapp.net"}}); err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Net.Sent("alice")) == 1 }, "not sent after reconnect")
}

func TestIngest_ErrorKinds(t *testing.T) {
	t.Parallel()
	// A NotFound from the store is "dropped"; other kinds are reported.
	w := appworld.New(t, appworld.Options{})
	err := w.Ingest.Handle(w.Ctx, ports.TransportReceipt{SessionID: "ghost", IDs: []string{"x"}, Status: message.StatusRead, At: time.Now()})
	if err != nil || fault.KindOf(err) != fault.KindUnknown {
		t.Fatalf("ack for unknown message: %v", err)
	}
}
