package whatsmeow

import (
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/ports"
)

// startedRunner builds a session runner with its real client and handler registration,
// without connecting it.
func startedRunner(t *testing.T, cfg Config) (*runner, *recorder, func(any) bool) {
	t.Helper()
	tr := newTestTransport(t, cfg)
	sink := newRecorder()
	r := newRunner(tr, "s1", sink)
	t.Cleanup(func() { r.cancel(); r.shutdown() })
	cli, err := r.client()
	if err != nil {
		t.Fatal(err)
	}
	// whatsmeow runs every registered handler and reports whether one failed.
	dispatch := func(evt any) bool { return !cli.DangerousInternals().DispatchEvent(evt) }
	return r, sink, dispatch
}

func TestHandlerThroughWhatsmeowDispatch(t *testing.T) {
	t.Parallel()
	r, sink, dispatch := startedRunner(t, offline(t))
	ctx := t.Context()

	text := &events.Message{Info: dmInfo(), Message: &waE2E.Message{Conversation: proto.String("hello")}}
	if !dispatch(text) {
		t.Fatal("handler failed on a text message")
	}
	msgs := only[ports.TransportMessage](sink.all())
	if len(msgs) != 1 {
		t.Fatalf("messages = %#v", sink.all())
	}
	m := msgs[0].Message
	if m.SessionID != "s1" || m.ID != "MSG1" || m.Content.Text != "hello" || m.Sender.JID != chat.UserJID("6281111") ||
		m.Sender.LID.String() != "999@lid" || m.Sender.PushName != "Budi" || !m.Timestamp.Equal(t0) {
		t.Errorf("message = %+v", m)
	}

	// A pairing records which device the session is, then reports it.
	pn := types.JID{User: "6282222", Server: types.DefaultUserServer, Device: 9}
	if !dispatch(&events.PairSuccess{ID: pn, LID: types.NewJID("777", types.HiddenUserServer), BusinessName: "Shop", Platform: "android"}) {
		t.Fatal("handler failed on pair success")
	}
	if jid, ok, err := r.t.devices.lookup(ctx, "s1"); err != nil || !ok || jid != pn {
		t.Errorf("device link = %v %v %v", jid, ok, err)
	}
	paired := only[ports.TransportPaired](sink.all())
	if len(paired) != 1 || paired[0].Me.JID != "6282222@s.whatsapp.net" || paired[0].Me.LID != "777@lid" || paired[0].Platform != "android" {
		t.Errorf("paired = %+v", paired)
	}

	// A sink that cannot store the event gets it again, the ack waiting meanwhile.
	sink.mu.Lock()
	sink.fail = true
	sink.mu.Unlock()
	acked := make(chan bool)
	go func() { acked <- dispatch(text) }()
	for refused := 0; refused < 3; {
		select {
		case <-acked:
			t.Fatal("handler returned while the sink refused the event")
		case <-time.After(time.Millisecond):
		}
		sink.mu.Lock()
		refused = sink.refused
		sink.mu.Unlock()
	}
	sink.mu.Lock()
	sink.fail = false
	sink.mu.Unlock()
	if !<-acked || len(only[ports.TransportMessage](sink.all())) != 2 {
		t.Fatalf("after the sink recovered: messages %+v", only[ports.TransportMessage](sink.all()))
	}

	// Connection events reach the loop as signals.
	if !dispatch(&events.Disconnected{}) {
		t.Fatal("handler failed on disconnect")
	}
	if s := <-r.signals; s.kind != sigRetry || s.code != "network" {
		t.Errorf("disconnect signal = %+v", s)
	}
	dispatch(&events.StreamReplaced{})
	if s := <-r.signals; s.kind != sigStop {
		t.Errorf("replaced signal = %+v", s)
	}
	if len(only[ports.TransportReplaced](sink.all())) != 1 {
		t.Error("no TransportReplaced")
	}

	// A remote logout is reported, the link is forgotten and (by default) the loop stops.
	dispatch(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
	if s := <-r.signals; s.kind != sigStop || s.code != "logged_out" {
		t.Errorf("logout signal = %+v", s)
	}
	if _, ok, _ := r.t.devices.lookup(ctx, "s1"); ok {
		t.Error("device link survived the logout")
	}
	if lo := only[ports.TransportLoggedOut](sink.all()); len(lo) != 1 || lo[0].Reason != events.ConnectFailureLoggedOut.String() {
		t.Errorf("logged out = %+v", lo)
	}
}

// QR codes are published one by one with their lifetimes; when they run out the loop
// is told to reconnect at once for fresh ones.
func TestQRCodesRotateThenRestart(t *testing.T) {
	t.Parallel()
	cfg := offline(t)
	cfg.qrTTL = func(i int) time.Duration { return time.Duration(i+1) * time.Millisecond }
	r, sink, dispatch := startedRunner(t, cfg)
	if !dispatch(&events.QR{Codes: []string{"code-1", "code-2"}}) {
		t.Fatal("handler failed on QR")
	}
	if s := <-r.signals; s.kind != sigRestart || s.code != "qr_timeout" {
		t.Errorf("signal after the last code = %+v", s)
	}
	qrs := only[ports.TransportQR](sink.all())
	if len(qrs) != 2 || qrs[0] != (ports.TransportQR{SessionID: "s1", Code: "code-1", ExpiresIn: time.Millisecond}) ||
		qrs[1] != (ports.TransportQR{SessionID: "s1", Code: "code-2", ExpiresIn: 2 * time.Millisecond}) {
		t.Errorf("QR events = %+v", qrs)
	}
	select {
	case <-r.preLogin:
	default:
		t.Error("a shown QR code did not mark the connection ready for a pair code")
	}
}

func TestWhatsAppQRSchedule(t *testing.T) {
	t.Parallel()
	if whatsappQRTTL(0) != time.Minute || whatsappQRTTL(1) != 20*time.Second || whatsappQRTTL(5) != 20*time.Second {
		t.Error("QR lifetimes differ from WhatsApp's 60 s then 20 s")
	}
}

// A poll vote is decrypted in the adapter; unknown polls report option hashes.
func TestVoteNamesFromKnownPollsElseHashes(t *testing.T) {
	t.Parallel()
	hashes := hashPollOptions([]string{"yes", "no"})
	v := view{vote: &waE2E.PollVoteMessage{SelectedOptions: [][]byte{hashes[1]}}}
	if got := v.voteNames("P1"); len(got) != 1 || len(got[0]) != 64 {
		t.Errorf("unknown poll: %v", got)
	}
	book := newPollBook()
	book.remember("P1", []string{"yes", "no"})
	v.pollOptions = book.options
	if got := v.voteNames("P1"); len(got) != 1 || got[0] != "no" {
		t.Errorf("known poll: %v", got)
	}
}
