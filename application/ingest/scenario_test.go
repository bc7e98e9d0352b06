package ingest_test

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

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

const (
	alicePhone = "6281111111111"
	bobPhone   = "6282222222222"
)

func TestIngest_InjectedTextCarriesPushName(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if _, err := w.Net.InjectText("alice", "+62 833 3333 3333", "Citra", "pagi"); err != nil {
		t.Fatal(err)
	}
	var evs []event.Envelope
	appworld.Eventually(t, 3*time.Second, func() bool { evs = w.Events("alice", event.MessageReceived); return len(evs) == 1 }, "no message_received")
	d := appworld.Rendered[appworld.MessageReceivedData](t, evs[0])
	if d.Sender.AuthorJID != "6283333333333@s.whatsapp.net" || d.Sender.PushName != "Citra" || d.Text != "pagi" ||
		!regexp.MustCompile(`^\d{15}@lid$`).MatchString(d.Sender.AuthorLID) {
		t.Fatalf("sender %+v text %q", d.Sender, d.Text)
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
	if _, ok := w.Hub.QRs.Get("ghost", time.Now()); ok {
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
func (f *failingStore) InGroupTx(ctx context.Context, lane string, fn func(context.Context, ports.Repositories) error) error {
	return f.Store.InGroupTx(ctx, lane, func(ctx context.Context, r ports.Repositories) error { return fn(ctx, failingRepos{r, f}) })
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
	if len(got) != 1 || appworld.Rendered[appworld.MessageReceivedData](t, got[0]).Text != "retry me" {
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
	s, _ := w.Store.Sessions().Get(w.Ctx, "alice")
	if s.Status() != session.StatusOpen {
		t.Fatalf("status %s changed although its event was not stored", s.Status())
	}
}

func statusesOf(t *testing.T, evs []event.Envelope) []string {
	t.Helper()
	var out []string
	for _, e := range evs {
		d := appworld.Rendered[appworld.SessionStatusData](t, e)
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
		s, _ := w.Store.Sessions().Get(w.Ctx, "alice")
		if s.Status() != st.wantStatus {
			t.Fatalf("after %T status %s, want %s", st.ev, s.Status(), st.wantStatus)
		}
		evs := w.Events("alice", event.SessionStatus)
		if len(evs) != before+1 || statusesOf(t, evs[len(evs)-1:])[0] != st.wantTag {
			t.Fatalf("after %T events %v", st.ev, statusesOf(t, evs))
		}
	}
	last := w.Events("alice", event.SessionStatus)
	d := appworld.Rendered[appworld.SessionStatusData](t, last[len(last)-1])
	if d.Reason != "unlinked" {
		t.Fatalf("logout reason %q", d.Reason)
	}
	s, _ := w.Store.Sessions().Get(w.Ctx, "alice")
	if s.Me() != nil || s.LastError() != "unlinked" {
		t.Fatalf("logged-out session kept identity %+v / error %q", s.Me(), s.LastError())
	}
	// A change the state machine does not list is still the transport's truth.
	n := len(w.Events("alice", event.SessionStatus))
	if err := w.Ingest.Handle(w.Ctx, ports.TransportDisconnected{SessionID: "alice", Reason: "late"}); err != nil {
		t.Fatalf("irregular change: %v", err)
	}
	if s, _ := w.Store.Sessions().Get(w.Ctx, "alice"); s.Status() != session.StatusReconnecting || len(w.Events("alice", event.SessionStatus)) != n+1 {
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
	s, _ := w.Store.Sessions().Get(w.Ctx, "alice")
	if s.Status() != session.StatusReplaced || s.LastError() != "stream replaced" {
		t.Fatalf("status %s / %q", s.Status(), s.LastError())
	}
	evs := w.Events("alice", event.SessionStatus)
	if got := statusesOf(t, evs[len(evs)-1:])[0]; got != "conflict_replaced/replaced" {
		t.Fatalf("last event %s", got)
	}
	if _, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "x"}); !fault.Is(err, fault.KindFailedPrecondition) {
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
	if err := w.Store.Messages().Create(w.Ctx, m); err != nil {
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
	got, _ := w.Store.Messages().Get(w.Ctx, "alice", m.ID)
	if got.Status != message.StatusRead {
		t.Fatalf("status %s", got.Status)
	}
	evs := w.Events("alice", event.MessageStatus)
	if len(evs) != 1 || appworld.Rendered[appworld.MessageStatusData](t, evs[0]).Status != "read" {
		t.Fatalf("status events %d", len(evs))
	}
}

func TestIngest_AckOvertakingTheSendQueueRecordsTheImpliedSent(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	// A session that is not open: the send queue leaves its messages alone, as if the
	// worker were still inside transport.Send.
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice"); err != nil {
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
	if err := w.Store.Messages().Create(w.Ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := w.Ingest.Handle(w.Ctx, ports.TransportReceipt{SessionID: "alice", IDs: []string{m.ID}, Status: message.StatusRead, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range w.Events("alice", event.MessageStatus) {
		got = append(got, appworld.Rendered[appworld.MessageStatusData](t, e).Status)
	}
	if !slices.Equal(got, []string{"sent", "read"}) {
		t.Fatalf("status events %v, want [sent read]", got)
	}
	if cur, _ := w.Store.Messages().Get(w.Ctx, "alice", m.ID); cur.Status != message.StatusRead {
		t.Fatalf("status %s", cur.Status)
	}
}

func TestIngest_LateQRForAStoppedSessionIsIgnored(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Cmd.Teardown.LogoutSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	n := len(w.Events("alice", ""))
	if err := w.Ingest.Handle(w.Ctx, ports.TransportQR{SessionID: "alice", Code: "late", ExpiresIn: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Hub.QRs.Get("alice", time.Now()); ok {
		t.Fatal("late QR published")
	}
	if len(w.Events("alice", "")) != n {
		t.Fatal("late QR recorded")
	}
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
