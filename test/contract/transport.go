package contract

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// TransportHarness gives the transport suite a fresh network per test: the
// Transport the gateway drives and the World outside it. A sandbox harness builds
// both from one virtual network; a live harness would use a pre-paired phone.
type TransportHarness struct {
	New func(t *testing.T) (ports.Transport, TransportWorld)
	// Excluded names cases (by the name's prefix, e.g. "groups/") that this
	// harness cannot run yet, each with the reason; they are reported as skipped
	// with that reason, never left out silently.
	Excluded map[string]string
}

// TransportWorld plays the phones around the gateway.
type TransportWorld interface {
	// Scan links a session by scanning its QR with the phone of that number.
	Scan(t *testing.T, sessionID, qr, phone string)
	// ConfirmPairCode enters the session's pair code on the phone of that number,
	// the one it was issued for.
	ConfirmPairCode(t *testing.T, sessionID, code, phone string)
	// Peer returns someone on the network to chat with, with that number.
	Peer(t *testing.T, phone string) TransportPeer
	// Phones are the numbers the suite links its sessions to and chats with.
	Phones() Phones
	// Drop cuts the session's connection as a network failure does; the
	// transport must reconnect by itself.
	Drop(t *testing.T, sessionID string)
	// Replace makes another client take over the session's stream.
	Replace(t *testing.T, sessionID string)
	// RemoteLogout unlinks the session's device from its phone.
	RemoteLogout(t *testing.T, sessionID string)
}

// Phones are a world's two numbers (digits only): Own for the session under test,
// Peer for the one it chats with.
type Phones struct{ Own, Peer string }

// TransportPeer is a person the session chats with.
type TransportPeer interface {
	// Party is the peer's phone JID and LID.
	Party() chat.Party
	// Send sends c to the account with JID to and returns the message id. A
	// reaction, edit or revoke names its target by id only.
	Send(t *testing.T, to chat.JID, c message.Content) string
	// Read marks messages the account with JID from sent as read.
	Read(t *testing.T, from chat.JID, ids []string)
	// Received returns what the peer got, oldest first.
	Received(t *testing.T) []message.Inbound
}

// RunTransport checks a ports.Transport.
func RunTransport(t *testing.T, h TransportHarness) {
	tests := []struct {
		name string
		run  func(t *testing.T, tr ports.Transport, w TransportWorld)
	}{
		{"pair/start shows a QR and a scan links and connects with phone JID and LID", transportQRPairing},
		{"pair/a pair code links the phone it was issued for", transportPairCode},
		{"send/text is acked delivered then read, in order", transportTextReceipts},
		{"send/every outbound content kind is accepted and arrives as that kind", transportEveryKind},
		{"send/the same id twice reaches the peer once", transportDuplicateID},
		{"receive/inbound text reaches the sink with phone JID and LID", transportInbound},
		{"receive/a failing sink gets the event again, nothing lost or reordered", transportRedelivery},
		{"actions/reaction edit and revoke round-trip both ways", transportActions},
		{"actions/editing someone else's message is refused", transportEditOthers},
		{"lifecycle/stop and start keeps the pairing", transportStopStart},
		{"lifecycle/logout purges the pairing", transportLogout},
		{"faults/a dropped connection reconnects by itself and loses nothing", transportReconnect},
		{"faults/a replaced stream ends the session until it is started again", transportReplaced},
		{"faults/a remote logout purges the pairing and shows a fresh QR", transportRemoteLogout},
	}
	for _, tc := range groupCases {
		tests = append(tests, struct {
			name string
			run  func(t *testing.T, tr ports.Transport, w TransportWorld)
		}{tc.name, func(t *testing.T, tr ports.Transport, w TransportWorld) { runGroupCase(t, tr, w, tc.run) }})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			skipExcluded(t, tc.name, h.Excluded)
			tr, w := h.New(t)
			tc.run(t, tr, w)
		})
	}
}

// skipExcluded skips, loudly and with the reason, a case the harness excludes by
// a prefix of its name.
func skipExcluded(t *testing.T, name string, excluded map[string]string) {
	t.Helper()
	for prefix, why := range excluded {
		if strings.HasPrefix(name, prefix) {
			t.Skip("!!! NOT RUN on this harness: " + why)
		}
	}
}

// TransportSink records what a transport delivered; Fail, when set, may refuse
// an event, which the transport must offer again.
type TransportSink struct {
	mu     sync.Mutex
	events []ports.TransportEvent
	Fail   func(ev ports.TransportEvent) error
}

func (s *TransportSink) Handle(_ context.Context, ev ports.TransportEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		if err := s.Fail(ev); err != nil {
			return err
		}
	}
	s.events = append(s.events, ev)
	return nil
}

// Events returns what the sink accepted.
func (s *TransportSink) Events() []ports.TransportEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// WaitFor polls until the sink accepted n events of type T matching keep, and
// returns all of those.
func WaitFor[T ports.TransportEvent](t *testing.T, s *TransportSink, n int, keep func(T) bool) []T {
	t.Helper()
	var got []T
	poll(t, fmt.Sprintf("%d %T", n, *new(T)), func() bool {
		got = nil
		for _, ev := range s.Events() {
			if e, ok := ev.(T); ok && (keep == nil || keep(e)) {
				got = append(got, e)
			}
		}
		return len(got) >= n
	})
	return got
}

// poll waits for cond without asserting any duration: the deadline only keeps a
// broken transport from hanging the run.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// trOpen starts a session and links it to phone.
func trOpen(t *testing.T, tr ports.Transport, w TransportWorld, sessionID, phone string) *TransportSink {
	t.Helper()
	sink := &TransportSink{}
	must(t, tr.Start(t.Context(), sessionID, sink))
	qr := WaitFor[ports.TransportQR](t, sink, 1, nil)[0]
	w.Scan(t, sessionID, qr.Code, phone)
	WaitFor[ports.TransportConnected](t, sink, 1, nil)
	return sink
}

var trIDs = struct {
	sync.Mutex
	run string
	n   int
}{run: fmt.Sprintf("%08X", rand.Uint32())}

// trID returns a new client-chosen message id, unique across runs too: a real
// network drops an id it has already seen.
func trID() string {
	trIDs.Lock()
	defer trIDs.Unlock()
	trIDs.n++
	return fmt.Sprintf("3EB0%s%08d", trIDs.run, trIDs.n)
}

func trSend(t *testing.T, tr ports.Transport, sessionID string, to chat.JID, c message.Content) message.Outbound {
	t.Helper()
	m := message.Outbound{ID: trID(), SessionID: sessionID, To: to, Content: c, Status: message.StatusQueued}
	r, err := tr.Send(t.Context(), sessionID, m)
	if err != nil {
		t.Fatalf("Send %s: %v", c.Kind, err)
	}
	if r.ID != m.ID || r.Timestamp.IsZero() {
		t.Fatalf("receipt %+v for %s", r, m.ID)
	}
	return m
}

// trArrived waits until the peer received n messages and returns them.
func trArrived(t *testing.T, p TransportPeer, n int) []message.Inbound {
	t.Helper()
	var got []message.Inbound
	poll(t, fmt.Sprintf("%d messages at the peer", n), func() bool { got = p.Received(t); return len(got) >= n })
	return got
}

func transportQRPairing(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := &TransportSink{}
	must(t, tr.Start(t.Context(), "s1", sink))
	qr := WaitFor[ports.TransportQR](t, sink, 1, nil)[0]
	if qr.Code == "" || qr.ExpiresIn <= 0 || qr.SessionID != "s1" {
		t.Fatalf("QR %+v", qr)
	}
	must(t, tr.Start(t.Context(), "s1", sink)) // a running session: no-op
	w.Scan(t, "s1", qr.Code, w.Phones().Own)
	me := WaitFor[ports.TransportConnected](t, sink, 1, nil)[0].Me
	if me.JID != w.Phones().Own+"@s.whatsapp.net" || !regexp.MustCompile(`^\d+@lid$`).MatchString(me.LID) {
		t.Fatalf("identity %+v", me)
	}
	dev, err := tr.Device(t.Context(), "s1")
	must(t, err)
	if dev.Phone != w.Phones().Own {
		t.Fatalf("device %+v", dev)
	}
}

func transportPairCode(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := &TransportSink{}
	must(t, tr.Start(t.Context(), "s1", sink))
	WaitFor[ports.TransportQR](t, sink, 1, nil)
	code, err := tr.PairPhone(t.Context(), "s1", w.Phones().Own)
	must(t, err)
	if !regexp.MustCompile(`^[A-Z0-9]{4}-[A-Z0-9]{4}$`).MatchString(code) {
		t.Fatalf("pair code %q", code)
	}
	w.ConfirmPairCode(t, "s1", code, w.Phones().Own)
	if me := WaitFor[ports.TransportConnected](t, sink, 1, nil)[0].Me; me.JID != w.Phones().Own+"@s.whatsapp.net" {
		t.Fatalf("identity %+v", me)
	}
}

func transportTextReceipts(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	m := trSend(t, tr, "s1", peer.Party().JID, message.TextContent("hello"))
	got := trArrived(t, peer, 1)[0]
	if got.ID != m.ID || got.Content.Text != "hello" || got.Sender.JID != chat.UserJID(w.Phones().Own) || got.Sender.LID.IsZero() {
		t.Fatalf("peer got %+v", got)
	}
	peer.Read(t, chat.UserJID(w.Phones().Own), []string{m.ID})
	mine := func(r ports.TransportReceipt) bool { return slices.Contains(r.IDs, m.ID) }
	receipts := WaitFor(t, sink, 2, mine)
	if receipts[0].Status != message.StatusDelivered || receipts[1].Status != message.StatusRead {
		t.Fatalf("receipts %+v", receipts)
	}
	if r := receipts[1]; r.Chat != peer.Party().JID || r.Sender.JID != peer.Party().JID || r.SessionID != "s1" {
		t.Fatalf("read receipt %+v", r)
	}
}

// trContents is one valid outbound content of every kind a client may send.
func trContents() []message.Content {
	media := func(k message.Kind, mime string) message.Content {
		return message.Content{Kind: k, Media: &message.Media{MIME: mime, BlobKey: "blob-" + string(k), Size: 10, PTT: k == message.KindAudio}}
	}
	return []message.Content{
		message.TextContent("text"),
		media(message.KindImage, "image/jpeg"), media(message.KindVideo, "video/mp4"), media(message.KindAudio, "audio/ogg"),
		media(message.KindDocument, "application/pdf"), media(message.KindSticker, "image/webp"),
		{Kind: message.KindLocation, Location: &message.Location{Latitude: -6.2, Longitude: 106.8, Name: "Monas"}},
		{Kind: message.KindContact, Contacts: []message.Contact{{DisplayName: "Budi", VCard: "BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nEND:VCARD"}}},
		{Kind: message.KindPoll, Poll: &message.Poll{Question: "Lunch?", Options: []string{"yes", "no"}}},
		{Kind: message.KindButtons, Text: "pick", Buttons: &message.Buttons{Buttons: []message.Button{{ID: "a", Text: "A"}}}},
		{Kind: message.KindList, Text: "menu", List: &message.List{ButtonText: "open",
			Sections: []message.ListSection{{Title: "s", Rows: []message.ListRow{{ID: "r1", Title: "one"}}}}}},
	}
}

// TransportBlobs are the media the suite's messages name by blob key, for a
// transport that reads attachments from a BlobStore.
func TransportBlobs() map[string][]byte {
	out := map[string][]byte{}
	for _, c := range trContents() {
		if c.Media != nil {
			out[c.Media.BlobKey] = []byte(fmt.Sprintf("%-*s", c.Media.Size, c.Kind))
		}
	}
	return out
}

func transportEveryKind(t *testing.T, tr ports.Transport, w TransportWorld) {
	trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	to := peer.Party().JID
	contents := trContents()
	for _, c := range contents {
		trSend(t, tr, "s1", to, c)
	}
	first := trSend(t, tr, "s1", to, message.TextContent("target"))
	target := &message.Reference{Chat: to, ID: first.ID, FromMe: true}
	actions := []message.Content{
		{Kind: message.KindReaction, Target: target, Emoji: "👍"},
		{Kind: message.KindPin, Target: target},
		{Kind: message.KindEdit, Target: target, Text: "edited"},
		{Kind: message.KindRevoke, Target: target},
	}
	for _, c := range actions {
		trSend(t, tr, "s1", to, c)
	}
	all := append(append(contents, message.TextContent("target")), actions...)
	got := trArrived(t, peer, len(all))
	for i, c := range all {
		if got[i].Content.Kind != c.Kind {
			t.Fatalf("message %d arrived as %s, want %s", i, got[i].Content.Kind, c.Kind)
		}
	}
}

func transportDuplicateID(t *testing.T, tr ports.Transport, w TransportWorld) {
	trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	m := trSend(t, tr, "s1", peer.Party().JID, message.TextContent("once"))
	again, err := tr.Send(t.Context(), "s1", m)
	if err != nil || again.ID != m.ID {
		t.Fatalf("repeat send = %+v, %v", again, err)
	}
	marker := trSend(t, tr, "s1", peer.Party().JID, message.TextContent("marker"))
	got := trArrived(t, peer, 2)
	if len(got) != 2 || got[0].ID != m.ID || got[1].ID != marker.ID {
		t.Fatalf("peer got %+v", got)
	}
}

func transportInbound(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	id := peer.Send(t, chat.UserJID(w.Phones().Own), message.TextContent("hi there"))
	in := WaitFor[ports.TransportMessage](t, sink, 1, nil)[0].Message
	p := peer.Party()
	if in.ID != id || in.SessionID != "s1" || in.Chat != p.JID || in.Sender.JID != p.JID || in.Sender.LID != p.LID ||
		p.LID.Kind() != chat.KindLID || in.FromMe || in.Content.Kind != message.KindText || in.Content.Text != "hi there" || in.Timestamp.IsZero() {
		t.Fatalf("inbound %+v, peer %+v", in, p)
	}
}

func transportRedelivery(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	failures := 0
	sink.mu.Lock()
	sink.Fail = func(ev ports.TransportEvent) error {
		if m, ok := ev.(ports.TransportMessage); ok && m.Message.Content.Text == "first" && failures < 3 {
			failures++
			return errors.New("store busy")
		}
		return nil
	}
	sink.mu.Unlock()
	first := peer.Send(t, chat.UserJID(w.Phones().Own), message.TextContent("first"))
	second := peer.Send(t, chat.UserJID(w.Phones().Own), message.TextContent("second"))
	got := WaitFor[ports.TransportMessage](t, sink, 2, nil)
	if len(got) != 2 || got[0].Message.ID != first || got[1].Message.ID != second {
		t.Fatalf("got %+v", got)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if failures != 3 {
		t.Fatalf("sink refused %d times, want 3", failures)
	}
}

func transportActions(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	me, them := chat.UserJID(w.Phones().Own), peer.Party().JID

	// The peer reacts to, and the account edits and revokes, the account's message.
	mine := trSend(t, tr, "s1", them, message.TextContent("draft"))
	trArrived(t, peer, 1)
	react := peer.Send(t, me, message.Content{Kind: message.KindReaction, Target: &message.Reference{ID: mine.ID}, Emoji: "❤️"})
	in := WaitFor(t, sink, 1, func(m ports.TransportMessage) bool { return m.Message.ID == react })[0].Message
	if c := in.Content; c.Kind != message.KindReaction || c.Emoji != "❤️" || c.Target == nil || c.Target.ID != mine.ID || !c.Target.FromMe {
		t.Fatalf("reaction %+v", c)
	}
	ref := &message.Reference{Chat: them, ID: mine.ID, FromMe: true}
	trSend(t, tr, "s1", them, message.Content{Kind: message.KindEdit, Target: ref, Text: "final"})
	trSend(t, tr, "s1", them, message.Content{Kind: message.KindRevoke, Target: ref})
	got := trArrived(t, peer, 3)
	for i, k := range []message.Kind{message.KindEdit, message.KindRevoke} {
		c := got[i+1].Content
		if c.Kind != k || c.Target == nil || c.Target.ID != mine.ID || c.Target.FromMe || c.Target.Sender != me {
			t.Fatalf("peer got %s %+v", k, c)
		}
	}
	if got[1].Content.Text != "final" {
		t.Fatalf("edit text %q", got[1].Content.Text)
	}

	// The peer edits and revokes its own message.
	theirs := peer.Send(t, me, message.TextContent("oops"))
	edit := peer.Send(t, me, message.Content{Kind: message.KindEdit, Target: &message.Reference{ID: theirs}, Text: "fixed"})
	revoke := peer.Send(t, me, message.Content{Kind: message.KindRevoke, Target: &message.Reference{ID: theirs}})
	for _, id := range []string{edit, revoke} {
		in := WaitFor(t, sink, 1, func(m ports.TransportMessage) bool { return m.Message.ID == id })[0].Message
		if c := in.Content; c.Target == nil || c.Target.ID != theirs || c.Target.FromMe || c.Target.Sender != them {
			t.Fatalf("peer action %+v target %+v", c, c.Target)
		}
	}
}

func transportEditOthers(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	theirs := peer.Send(t, chat.UserJID(w.Phones().Own), message.TextContent("theirs"))
	WaitFor[ports.TransportMessage](t, sink, 1, nil)
	m := message.Outbound{ID: trID(), SessionID: "s1", To: peer.Party().JID, Status: message.StatusQueued,
		Content: message.Content{Kind: message.KindEdit, Text: "mine now", Target: &message.Reference{Chat: peer.Party().JID, ID: theirs}}}
	if _, err := tr.Send(t.Context(), "s1", m); err == nil {
		t.Fatal("edited the peer's message")
	}
}

func transportStopStart(t *testing.T, tr ports.Transport, w TransportWorld) {
	if tr.Running(t.Context(), "s1") {
		t.Fatal("a session never started is running")
	}
	trOpen(t, tr, w, "s1", w.Phones().Own)
	if !tr.Running(t.Context(), "s1") {
		t.Fatal("an open session is not running")
	}
	must(t, tr.Stop(t.Context(), "s1"))
	if tr.Running(t.Context(), "s1") {
		t.Fatal("a stopped session is running")
	}
	if _, err := tr.Send(t.Context(), "s1", message.Outbound{ID: trID(), To: chat.UserJID(w.Phones().Peer),
		Content: message.TextContent("x")}); err == nil {
		t.Fatal("sent from a stopped session")
	}
	sink := &TransportSink{}
	must(t, tr.Start(t.Context(), "s1", sink))
	me := WaitFor[ports.TransportConnected](t, sink, 1, nil)[0].Me
	if me.JID != w.Phones().Own+"@s.whatsapp.net" {
		t.Fatalf("identity after restart %+v", me)
	}
	if !tr.Running(t.Context(), "s1") {
		t.Fatal("a session started again is not running")
	}
	for _, ev := range sink.Events() {
		if _, ok := ev.(ports.TransportQR); ok {
			t.Fatal("a paired session showed a QR after restart")
		}
	}
}

func transportLogout(t *testing.T, tr ports.Transport, w TransportWorld) {
	trOpen(t, tr, w, "s1", w.Phones().Own)
	must(t, tr.Logout(t.Context(), "s1"))
	dev, err := tr.Device(t.Context(), "s1")
	must(t, err)
	if dev != (ports.DeviceInfo{}) {
		t.Fatalf("device after logout %+v", dev)
	}
	sink := &TransportSink{}
	must(t, tr.Start(t.Context(), "s1", sink))
	WaitFor[ports.TransportQR](t, sink, 1, nil)
	for _, ev := range sink.Events() {
		if _, ok := ev.(ports.TransportConnected); ok {
			t.Fatal("a logged-out session connected without pairing")
		}
	}
}
