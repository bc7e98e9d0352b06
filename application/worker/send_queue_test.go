package worker_test

// The send queue's failure classes on the sandbox: what waits for the session,
// what fails at once and why, what expires, and how a shutdown ends an attempt.

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

func flakyWorld(t *testing.T, err error) (*appworld.World, *appworld.FlakyTransport) {
	t.Helper()
	var ft *appworld.FlakyTransport
	w := appworld.New(t, appworld.Options{MaxAttempts: 3, WrapNet: func(n *appworld.Network) ports.Transport {
		ft = &appworld.FlakyTransport{Network: n, Err: err}
		return ft
	}})
	return w, ft
}

// queue stores queued messages for alice as the send command would, and wakes the worker.
func queue(t *testing.T, w *appworld.World, expires time.Time, to ...string) []message.Outbound {
	t.Helper()
	var out []message.Outbound
	for _, phone := range to {
		m, err := message.NewOutbound(command.NewMessageID(), "alice", chat.UserJID(phone), message.TextContent("hi "+phone), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		m.ExpiresAt = expires
		if err := w.Store.Messages().Create(w.Ctx, m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	w.Hub.Queue.Poke()
	return out
}

func stored(t *testing.T, w *appworld.World, id string) message.Outbound {
	t.Helper()
	m, err := w.Store.Messages().Get(w.Ctx, "alice", id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// messageStatuses lists the message_status events of one message as status/failCode.
func messageStatuses(t *testing.T, w *appworld.World, id string) []string {
	t.Helper()
	var out []string
	for _, e := range w.Events("alice", event.MessageStatus) {
		if d := appworld.Rendered[appworld.MessageStatusData](t, e); d.MessageID == id {
			out = append(out, d.Status+"/"+d.FailCode)
		}
	}
	return out
}

func sessionStatus(t *testing.T, w *appworld.World) session.Status {
	t.Helper()
	s, err := w.Store.Sessions().Get(w.Ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	return s.Status()
}

// A dropped connection keeps what is queued: nothing is tried or counted while
// the session reconnects, and everything goes out once, in order, when it is back.
func TestSendQueue_DisconnectedSessionSendsEachMessageOnceWhenBack(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "")
	if err := w.Net.Disconnect("alice"); err != nil { // reconnects after the sandbox's 2 s
		t.Fatal(err)
	}
	appworld.Eventually(t, time.Second, func() bool { return sessionStatus(t, w) == session.StatusReconnecting }, "never reconnecting")
	msgs := queue(t, w, time.Now().Add(time.Hour), "6283300000001", "6283300000002", "6283300000003")
	time.Sleep(100 * time.Millisecond) // 20 polls of the worker
	for _, m := range msgs {
		if got := stored(t, w, m.ID); got.Status != message.StatusQueued || got.Attempts != 0 {
			t.Fatalf("touched while reconnecting: %+v", got)
		}
	}
	if len(w.Net.Sent("alice")) != 0 {
		t.Fatal("sent while reconnecting")
	}

	appworld.Eventually(t, 5*time.Second, func() bool { return len(w.Net.Sent("alice")) == len(msgs) }, "not sent after the reconnect")
	time.Sleep(50 * time.Millisecond) // a duplicate would show up now
	var sent []string
	for _, m := range w.Net.Sent("alice") {
		sent = append(sent, m.ID)
	}
	for i, m := range msgs {
		if sent[i] != m.ID {
			t.Fatalf("sent %v, want the acceptance order", sent)
		}
		// The worker records its attempt just after the network took it (a receipt may come first).
		appworld.Eventually(t, time.Second, func() bool { return stored(t, w, m.ID).Attempts != 0 }, "attempt of %s not recorded", m.ID)
		got := stored(t, w, m.ID)
		if got.Status == message.StatusQueued || got.Status == message.StatusFailed || got.Attempts != 1 {
			t.Fatalf("after the reconnect: %+v", got)
		}
	}
	if len(sent) != len(msgs) {
		t.Fatalf("the network got %d messages, want %d", len(sent), len(msgs))
	}
	if n := w.Counts.Sends(ports.SendSent); n != len(msgs) {
		t.Fatalf("metrics counted %d sent, want %d", n, len(msgs))
	}
	if spans := w.Spans.Ended(); !slices.Equal(spans, []string{"warest.send", "warest.send", "warest.send"}) {
		t.Fatalf("send spans %q, want one per attempt", spans)
	}
}

// The transport may refuse while the session still looks open (the drop is not
// recorded yet): a transient refusal is retried without using the 3-try budget.
func TestSendQueue_TransientRefusalsUseNoAttempt(t *testing.T) {
	t.Parallel()
	w, ft := flakyWorld(t, fault.New(fault.KindUnavailable, fault.ReasonSessionNotOpen, "session alice is reconnecting"))
	w.OpenSession(w.User, "alice", alicePhone, "")
	ft.Fails.Store(5) // more than MaxAttempts
	res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	m := res[0].Message
	if m.Status != message.StatusSent && m.Status != message.StatusDelivered || m.Attempts != 1 || m.FailReason != "" {
		t.Fatalf("message %+v", m)
	}
	if c := ft.Calls.Load(); c != 6 {
		t.Fatalf("transport called %d times, want 6", c)
	}
	if sent := w.Net.Sent("alice"); len(sent) != 1 || sent[0].ID != m.ID {
		t.Fatalf("network got %+v", sent)
	}
	if got := messageStatuses(t, w, m.ID); !slices.Equal(got[:2], []string{"queued/", "sent/"}) {
		t.Fatalf("status events %v", got)
	}
}

// Refusals that cannot change fail at once, after one attempt, with their reason.
func TestSendQueue_PermanentRefusalsFailAtOnce(t *testing.T) {
	t.Parallel()
	w, ft := flakyWorld(t, fault.FailedPrecondition(fault.ReasonNotPaired, "session alice is not paired"))
	w.OpenSession(w.User, "alice", alicePhone, "")
	if _, err := w.Net.AddContact(ports.SandboxContact{Phone: "6289900000000", Unregistered: true}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		to     string
		fails  int64
		code   fault.Reason
		reason string
	}{
		{"6289900000000", 0, fault.ReasonNotOnWhatsApp, "is not on WhatsApp"},
		{"100000000000001@lid", 0, fault.ReasonNotOnWhatsApp, "nobody on WhatsApp has the LID"},
		{"120363000000000001@g.us", 0, fault.ReasonGroupNotFound, "group 120363000000000001@g.us not found"},
		{"6283300000009", 1, fault.ReasonNotPaired, "not paired"},
	}
	for _, tt := range tests {
		ft.Fails.Store(tt.fails)
		before := ft.Calls.Load()
		res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{tt.to}, Text: "x"})
		if err != nil {
			t.Fatalf("%s: %v", tt.to, err)
		}
		m := res[0].Message
		if m.Status != message.StatusFailed || m.FailCode != tt.code || !strings.Contains(m.FailReason, tt.reason) || m.Attempts != 1 {
			t.Errorf("%s: message %+v", tt.to, m)
		}
		if n := ft.Calls.Load() - before; n != 1 {
			t.Errorf("%s: %d attempts, want 1", tt.to, n)
		}
		if got := messageStatuses(t, w, m.ID); !slices.Equal(got, []string{"queued/", "failed/" + string(tt.code)}) {
			t.Errorf("%s: status events %v", tt.to, got)
		}
	}
	if len(w.Net.Sent("alice")) != 0 {
		t.Fatal("the network got a message")
	}
	if a, f, s := w.Counts.Accepted(), w.Counts.Sends(ports.SendFailed), w.Counts.Sends(ports.SendSent); a != len(tests) || f != len(tests) || s != 0 {
		t.Fatalf("metrics counted %d accepted, %d failed, %d sent; want %d, %d, 0", a, f, s, len(tests), len(tests))
	}
	if spans := w.Spans.Ended(); len(spans) != len(tests) || slices.Contains(spans, "warest.send") {
		t.Fatalf("send spans %q, want %d failed ones", spans, len(tests))
	}
}

// A message still waiting at its expiry fails as expired, without an attempt;
// one that expired while queued behind others is not sent when its turn comes.
func TestSendQueue_ExpiredMessagesFail(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "")
	if err := w.Ingest.Handle(w.Ctx, ports.TransportDisconnected{SessionID: "alice", Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	waiting := queue(t, w, time.Now().Add(150*time.Millisecond), bobPhone)[0]
	appworld.Eventually(t, 2*time.Second, func() bool { return stored(t, w, waiting.ID).Status == message.StatusFailed }, "never expired")
	got := stored(t, w, waiting.ID)
	if got.FailCode != fault.ReasonExpired || !strings.HasPrefix(got.FailReason, "expired") || got.Attempts != 0 ||
		time.Since(got.UpdatedAt) > time.Second || got.UpdatedAt.Before(got.ExpiresAt) {
		t.Fatalf("expired message %+v", got)
	}
	if st := messageStatuses(t, w, waiting.ID); !slices.Equal(st, []string{"failed/expired"}) {
		t.Fatalf("status events %v", st)
	}

	if err := w.Ingest.Handle(w.Ctx, ports.TransportConnected{SessionID: "alice", Me: session.Identity{JID: alicePhone + "@s.whatsapp.net"}}); err != nil {
		t.Fatal(err)
	}
	stale := queue(t, w, time.Now().Add(-time.Second), "6283300000001")[0]
	fresh := queue(t, w, time.Now().Add(time.Hour), "6283300000002")[0]
	appworld.Eventually(t, 2*time.Second, func() bool { return len(w.Net.Sent("alice")) == 1 }, "the fresh message was not sent")
	if sent := w.Net.Sent("alice"); sent[0].ID != fresh.ID {
		t.Fatalf("sent %+v", sent)
	}
	if got := stored(t, w, stale.ID); got.Status != message.StatusFailed || got.FailCode != fault.ReasonExpired {
		t.Fatalf("stale message %+v", got)
	}
}

// After a restart the transport needed a QR: what was queued for the old link
// fails as not paired at once, untried.
func TestSendQueue_SessionThatLostItsLinkFailsItsQueue(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "")
	if err := w.Ingest.Handle(w.Ctx, ports.TransportDisconnected{SessionID: "alice", Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	msgs := queue(t, w, time.Now().Add(time.Hour), "6283300000001", "6283300000002")
	// The transport comes back without credentials and shows a QR.
	_ = w.Net.Stop(w.Ctx, "alice")
	_ = w.Net.Logout(w.Ctx, "alice")
	if err := w.Net.Start(w.Ctx, "alice", w.Ingest); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		appworld.Eventually(t, 2*time.Second, func() bool { return stored(t, w, m.ID).Status == message.StatusFailed }, "%s not failed", m.ID)
		got := stored(t, w, m.ID)
		if got.FailCode != fault.ReasonNotPaired || !strings.Contains(got.FailReason, "not paired (status qr)") || got.Attempts != 0 {
			t.Fatalf("message %+v", got)
		}
	}
	if sessionStatus(t, w) != session.StatusQR || len(w.Net.Sent("alice")) != 0 {
		t.Fatalf("status %s, sent %d", sessionStatus(t, w), len(w.Net.Sent("alice")))
	}
}

// blockingTransport's Send waits until released (or its context ends) and records
// every call.
type blockingTransport struct {
	ports.Transport
	started chan struct{}
	release chan struct{}
	calls   atomic.Int64
}

func (b *blockingTransport) Send(ctx context.Context, _ string, m message.Outbound) (ports.SendReceipt, error) {
	if b.calls.Add(1) == 1 {
		close(b.started)
	}
	select {
	case <-b.release:
		return ports.SendReceipt{ID: m.ID, Timestamp: time.Now()}, nil
	case <-ctx.Done():
		return ports.SendReceipt{}, ctx.Err()
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// shutdownQueue runs a queue over an open session with one queued message; it
// returns the queue's stop function and a channel closed when Run returned.
func shutdownQueue(t *testing.T, tr ports.Transport, grace time.Duration) (*appworld.SQLiteStore, *syncBuffer, func(), <-chan struct{}) {
	t.Helper()
	ctx := context.Background()
	store := appworld.NewStore(t)
	s, _ := session.New("alice", "BUDIBUDIBU", time.Now())
	if err := s.Opened(session.Identity{JID: alicePhone + "@s.whatsapp.net", Name: "Alice"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := store.Sessions().Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	m, _ := message.NewOutbound("3EB0INFLIGHT", "alice", chat.UserJID(bobPhone), message.TextContent("x"), time.Now())
	if err := store.Messages().Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	q := worker.NewSendQueue(store, tr, appworld.RealClock{}, notify.NewHub(), slog.New(slog.NewTextHandler(logs, nil)))
	q.Poll, q.Grace = 5*time.Millisecond, grace
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { q.Run(run); close(done) }()
	t.Cleanup(stop)
	return store, logs, stop, done
}

// SIGTERM while a send is in flight: the attempt finishes, its outcome is
// recorded, it is not tried again, and nothing is logged as an error.
func TestSendQueue_ShutdownFinishesTheAttemptInFlight(t *testing.T) {
	t.Parallel()
	tr := &blockingTransport{started: make(chan struct{}), release: make(chan struct{})}
	store, logs, stop, done := shutdownQueue(t, tr, 10*time.Second)
	<-tr.started
	stop()
	select {
	case <-done:
		t.Fatal("Run returned with an attempt in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(tr.release)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the attempt finished")
	}
	m, _ := store.Messages().Get(context.Background(), "alice", "3EB0INFLIGHT")
	if m.Status != message.StatusSent || m.Attempts != 1 || tr.calls.Load() != 1 {
		t.Fatalf("message %+v after %d attempts", m, tr.calls.Load())
	}
	evs := appworld.SessionEvents(t, context.Background(), store, "alice", event.MessageStatus)
	if len(evs) != 1 || appworld.Rendered[appworld.MessageStatusData](t, evs[0]).Status != "sent" {
		t.Fatalf("status events %d", len(evs))
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("a clean shutdown logged an error:\n%s", logs)
	}
}

// An attempt that outlasts the grace is cut: the message stays queued (it goes
// out under its id after the restart), with a warning, not an error.
func TestSendQueue_ShutdownCutsAnAttemptAfterTheGrace(t *testing.T) {
	t.Parallel()
	tr := &blockingTransport{started: make(chan struct{}), release: make(chan struct{})}
	store, logs, stop, done := shutdownQueue(t, tr, 50*time.Millisecond)
	<-tr.started
	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the grace")
	}
	m, _ := store.Messages().Get(context.Background(), "alice", "3EB0INFLIGHT")
	if m.Status != message.StatusQueued || m.Attempts != 0 || tr.calls.Load() != 1 {
		t.Fatalf("message %+v after %d attempts", m, tr.calls.Load())
	}
	if l := logs.String(); strings.Contains(l, "level=ERROR") || !strings.Contains(l, "level=WARN msg=\"send queue: shutdown cut the attempt in flight") {
		t.Fatalf("logs:\n%s", l)
	}
}

// receiptFirst is a network whose delivery receipt reaches the gateway before Send
// returns to the worker, as WhatsApp's ack sometimes does.
type receiptFirst struct {
	*appworld.Network
	sink ports.TransportSink
}

func (r *receiptFirst) Send(ctx context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	rc, err := r.Network.Send(ctx, sessionID, m)
	if err != nil {
		return rc, err
	}
	err = r.sink.Handle(ctx, ports.TransportReceipt{SessionID: sessionID, Chat: m.To, IDs: []string{m.ID},
		Status: message.StatusDelivered, At: time.Now()})
	return rc, err
}

// A receipt that overtakes the worker moves the message past "sent" first; the send
// still succeeded, so the recipient's cooldown starts all the same.
func TestSendQueue_ReceiptBeforeTheWorkerStillStartsTheCooldown(t *testing.T) {
	t.Parallel()
	var tr *receiptFirst
	w := appworld.New(t, appworld.Options{WrapNet: func(n *appworld.Network) ports.Transport {
		tr = &receiptFirst{Network: n}
		return tr
	}})
	tr.sink = w.Ingest
	w.OpenSession(w.User, "alice", alicePhone, "")
	m := queue(t, w, time.Time{}, "6283300000009")[0]
	appworld.Eventually(t, 3*time.Second, func() bool { return stored(t, w, m.ID).Status == message.StatusDelivered }, "never delivered")
	appworld.Eventually(t, time.Second, func() bool {
		last, err := w.Store.Cooldowns().Last(w.Ctx, "alice", m.To.String())
		return err == nil && !last.IsZero()
	}, "the successful send started no cooldown")
	if got := messageStatuses(t, w, m.ID); !slices.Equal(got, []string{"sent/", "delivered/"}) {
		t.Fatalf("status events %v, want sent then delivered, once each", got)
	}
}
