package waserver_test

import (
	"context"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/test/waserver"
)

// peer is one paired whatsmeow client and the account it is linked to.
type peer struct {
	cli   *whatsmeow.Client
	evts  <-chan any
	phone *waserver.Phone
	jid   types.JID
}

// pn is the account's phone-number JID, as users address it.
func (p *peer) pn() types.JID { return types.NewJID(p.phone.User, types.DefaultUserServer) }

func newPeer(t *testing.T, srv *waserver.Server, phone *waserver.Phone, name string) *peer {
	t.Helper()
	phone.Name = name // the client learns it by app state
	cli, evts := clientOn(t, srv, newContainer(t).NewDevice())
	return &peer{cli: cli, evts: evts, phone: phone, jid: pair(t, srv, cli, evts, phone)}
}

func alice(t *testing.T, srv *waserver.Server) *peer {
	return newPeer(t, srv, waserver.NewPhone("15550001111", "100200300"), "Alice")
}

func bob(t *testing.T, srv *waserver.Server) *peer {
	return newPeer(t, srv, waserver.NewPhone("15550002222", "100200400"), "Bob")
}

// awaitThat returns the first event of type T that ok accepts, failing after 30 s.
func awaitThat[T any](t *testing.T, evts <-chan any, what string, ok func(T) bool) T {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e := <-evts:
			if v, is := e.(T); is && ok(v) {
				return v
			}
		case <-timeout:
			t.Fatalf("no %s within 30 s", what)
		}
	}
}

func awaitText(t *testing.T, p *peer, text string) *events.Message {
	t.Helper()
	return awaitThat(t, p.evts, "message "+text, func(m *events.Message) bool { return m.Message.GetConversation() == text })
}

func awaitReceipt(t *testing.T, p *peer, typ types.ReceiptType, id types.MessageID) *events.Receipt {
	t.Helper()
	return awaitThat(t, p.evts, "receipt "+string(typ)+" for "+id, func(r *events.Receipt) bool {
		return r.Type == typ && len(r.MessageIDs) > 0 && r.MessageIDs[0] == id
	})
}

func send(t *testing.T, from *peer, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) whatsmeow.SendResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	resp, err := from.cli.SendMessage(ctx, to, msg, extra...)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return resp
}

func text(s string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(s)} }

func TestTextBothWaysWithDeliveryAndReadReceipts(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	bobKeys := srv.PrekeyCount(b.jid)
	if err := a.cli.SendPresence(t.Context(), types.PresenceAvailable); err != nil { // tells the server her push name
		t.Fatal(err)
	}

	sent := send(t, a, b.pn(), text("hello Bob"))
	got := awaitText(t, b, "hello Bob")
	if got.Info.ID != sent.ID || got.Info.Sender.User != a.phone.LIDUser || got.Info.Sender.Device != a.jid.Device ||
		got.Info.SenderAlt.User != a.phone.User || got.Info.IsFromMe || got.Info.PushName != "Alice" {
		t.Errorf("Bob got %+v, want id %s from Alice's LID device with her phone number alongside", got.Info, sent.ID)
	}
	if n := srv.PrekeyCount(b.jid); n != bobKeys-1 {
		t.Errorf("Bob's prekeys = %d after one bundle fetch, want %d", n, bobKeys-1)
	}
	awaitReceipt(t, a, types.ReceiptTypeDelivered, sent.ID)

	if err := b.cli.MarkRead(t.Context(), []types.MessageID{got.Info.ID}, time.Now(), got.Info.Chat, got.Info.Sender); err != nil {
		t.Fatal(err)
	}
	read := awaitReceipt(t, a, types.ReceiptTypeRead, sent.ID)
	if read.Sender.User != b.phone.LIDUser {
		t.Errorf("read receipt from %v, want Bob's LID", read.Sender)
	}

	reply := send(t, b, a.pn(), text("hi Alice"))
	if back := awaitText(t, a, "hi Alice"); back.Info.Sender.User != b.phone.LIDUser || back.Info.SenderAlt.User != b.phone.User {
		t.Errorf("Alice got the reply from %v / %v, want Bob", back.Info.Sender, back.Info.SenderAlt)
	}
	awaitReceipt(t, b, types.ReceiptTypeDelivered, reply.ID)

	attempts := srv.AttemptsOf(sent.ID)
	if len(attempts) != 1 || attempts[0].Retry || attempts[0].Sender != a.jid || attempts[0].Recipient != b.pn() {
		t.Errorf("attempts of %s = %+v, want one first try from %v to %v", sent.ID, attempts, a.jid, b.pn())
	}
	eventually(t, "both outboxes acknowledged", func() bool { return srv.Pending(a.jid) == 0 && srv.Pending(b.jid) == 0 })
}

func TestOfflineRecipientGetsMessageOnLogin(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	send(t, a, b.pn(), text("first")) // sessions and device lists in place
	awaitText(t, b, "first")
	eventually(t, "Bob acknowledged the first message", func() bool { return srv.Pending(b.jid) == 0 })

	b.cli.Disconnect()
	first := send(t, a, b.pn(), text("while you were away"))
	second := send(t, a, b.pn(), text("and this too"))
	if n := srv.Pending(b.jid); n != 2 {
		t.Fatalf("queued for offline Bob = %d, want 2", n)
	}
	if err := b.cli.Connect(); err != nil {
		t.Fatal(err)
	}
	if m := awaitThat(t, b.evts, "a queued message", func(*events.Message) bool { return true }); m.Info.ID != first.ID {
		t.Errorf("first message after login = %s, want %s (in order)", m.Info.ID, first.ID)
	}
	awaitThat(t, b.evts, "the second queued message", func(m *events.Message) bool { return m.Info.ID == second.ID })
	awaitReceipt(t, a, types.ReceiptTypeDelivered, second.ID)
	eventually(t, "Bob acknowledged both", func() bool { return srv.Pending(b.jid) == 0 })
}

func TestMessageLostWithTheConnectionArrivesAfterReconnect(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	id := a.cli.GenerateMessageID()
	srv.LoseNext(id)
	send(t, a, b.pn(), text("cut off"), whatsmeow.SendRequestExtra{ID: id})
	awaitThat(t, b.evts, "Bob's connection dropping", func(*events.Disconnected) bool { return true })
	// whatsmeow reconnects by itself; the server sends what Bob never acknowledged.
	got := awaitText(t, b, "cut off")
	if got.Info.ID != id {
		t.Errorf("Bob got %s, want %s", got.Info.ID, id)
	}
	if n := len(srv.AttemptsOf(id)); n != 1 {
		t.Errorf("attempts = %d, want 1: the server redelivers, Alice does not resend", n)
	}
	eventually(t, "Bob acknowledged it", func() bool { return srv.Pending(b.jid) == 0 })
}

func TestSameIDSentTwiceIsTwoAttempts(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	id := a.cli.GenerateMessageID()
	send(t, a, b.pn(), text("once"), whatsmeow.SendRequestExtra{ID: id})
	awaitText(t, b, "once")
	send(t, a, b.pn(), text("once"), whatsmeow.SendRequestExtra{ID: id})
	attempts := srv.AttemptsOf(id)
	if len(attempts) != 2 || attempts[0].Retry || attempts[1].Retry {
		t.Fatalf("attempts of %s = %+v, want two first tries", id, attempts)
	}
	// The server relays the duplicate: deduplicating by id is the receiving client's business.
	awaitText(t, b, "once")
	eventually(t, "Bob acknowledged both copies", func() bool { return srv.Pending(b.jid) == 0 })
}

func TestRetryReceiptMakesSenderResend(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	id := a.cli.GenerateMessageID()
	srv.CorruptNext(id)
	send(t, a, b.pn(), text("garbled on the way"), whatsmeow.SendRequestExtra{ID: id})
	awaitThat(t, b.evts, "the undecryptable copy", func(u *events.UndecryptableMessage) bool { return u.Info.ID == id })
	got := awaitText(t, b, "garbled on the way")
	if got.Info.ID != id || got.RetryCount != 1 {
		t.Errorf("Bob decrypted %s at retry %d, want %s at retry 1", got.Info.ID, got.RetryCount, id)
	}
	attempts := srv.AttemptsOf(id)
	if len(attempts) != 2 || attempts[0].Retry || !attempts[1].Retry {
		t.Fatalf("attempts of %s = %+v, want the first try then a retry", id, attempts)
	}
	if devs := attempts[1].Devices; len(devs) != 1 || devs[0].User != b.phone.LIDUser || devs[0].Device != b.jid.Device {
		t.Errorf("retry went to %v, want only Bob's device", devs)
	}
}

func TestReactionEditAndRevokeArrive(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	orig := send(t, a, b.pn(), text("draft"))
	awaitText(t, b, "draft")

	send(t, a, b.pn(), a.cli.BuildReaction(b.pn(), a.pn(), orig.ID, "👍"))
	r := awaitThat(t, b.evts, "a reaction", func(m *events.Message) bool { return m.Message.GetReactionMessage() != nil })
	if rm := r.Message.GetReactionMessage(); rm.GetText() != "👍" || rm.GetKey().GetID() != orig.ID {
		t.Errorf("reaction = %v, want 👍 on %s", rm, orig.ID)
	}

	send(t, a, b.pn(), a.cli.BuildEdit(b.pn(), orig.ID, text("final")))
	e := awaitThat(t, b.evts, "an edit", func(m *events.Message) bool { return m.IsEdit })
	if pm := e.Message.GetProtocolMessage(); pm.GetType() != waE2E.ProtocolMessage_MESSAGE_EDIT ||
		pm.GetKey().GetID() != orig.ID || pm.GetEditedMessage().GetConversation() != "final" || e.Info.Edit != types.EditAttributeMessageEdit {
		t.Errorf("edit = %v (edit attribute %q), want %s edited to final", pm, e.Info.Edit, orig.ID)
	}

	send(t, a, b.pn(), a.cli.BuildRevoke(b.pn(), a.pn(), orig.ID))
	v := awaitThat(t, b.evts, "a revoke", func(m *events.Message) bool {
		return m.Message.GetProtocolMessage().GetType() == waE2E.ProtocolMessage_REVOKE
	})
	if v.Message.GetProtocolMessage().GetKey().GetID() != orig.ID || v.Info.Edit != types.EditAttributeSenderRevoke {
		t.Errorf("revoke = %v (edit attribute %q), want %s revoked by its sender", v.Message, v.Info.Edit, orig.ID)
	}
}

func TestOwnOtherDeviceGetsTheSentMessage(t *testing.T) {
	srv := waserver.New(t)
	phone := waserver.NewPhone("15550001111", "100200300")
	a1, a2 := newPeer(t, srv, phone, "Alice"), newPeer(t, srv, phone, "Alice")
	b := bob(t, srv)
	sent := send(t, a1, b.pn(), text("from my laptop"))
	awaitText(t, b, "from my laptop")
	mine := awaitText(t, a2, "from my laptop")
	if !mine.Info.IsFromMe || mine.Info.ID != sent.ID || mine.Info.Chat.User != b.phone.LIDUser || mine.Info.Sender.Device != a1.jid.Device {
		t.Errorf("Alice's other device got %+v, want her own message %s to Bob", mine.Info, sent.ID)
	}
	if devs := srv.AttemptsOf(sent.ID)[0].Devices; len(devs) != 2 {
		t.Errorf("one stanza carried ciphertext for %v, want Bob's device and Alice's other device", devs)
	}
}

func TestPresenceReachesSubscribers(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	if err := a.cli.SubscribePresence(t.Context(), b.pn()); err != nil {
		t.Fatal(err)
	}
	// The subscription is a one-way stanza: Bob's announcement may overtake it, so announce until Alice hears.
	eventually(t, "Alice hears Bob come online", func() bool {
		if err := b.cli.SendPresence(t.Context(), types.PresenceAvailable); err != nil {
			t.Fatal(err)
		}
		for {
			select {
			case e := <-a.evts:
				if p, ok := e.(*events.Presence); ok && p.From == b.pn() && !p.Unavailable {
					return true
				}
			case <-time.After(100 * time.Millisecond):
				return false
			}
		}
	})
	if err := b.cli.SendPresence(t.Context(), types.PresenceUnavailable); err != nil {
		t.Fatal(err)
	}
	off := awaitThat(t, a.evts, "Bob going offline", func(p *events.Presence) bool { return p.Unavailable })
	if off.From != b.pn() || off.LastSeen.IsZero() {
		t.Errorf("presence = %+v, want Bob unavailable with a last-seen time", off)
	}
}

func TestUsyncAnswersWhoIsOnWhatsApp(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	got, err := a.cli.IsOnWhatsApp(t.Context(), []string{"+" + b.phone.User, "+15559999999"})
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, r := range got {
		in[r.Query] = r.IsIn
		// whatsmeow asks with LID addressing: a found account answers as its LID, number alongside.
		if r.IsIn && (r.JID.Server != types.HiddenUserServer || r.PhoneNumber != b.pn()) {
			t.Errorf("Bob answered as %s / %s, want his LID and phone number", r.JID, r.PhoneNumber)
		}
	}
	if len(got) != 2 || !in["+"+b.phone.User] || in["+15559999999"] {
		t.Errorf("on WhatsApp = %+v, want Bob in and the unknown number out", got)
	}
	info, err := a.cli.GetUserInfo(t.Context(), []types.JID{b.pn(), types.NewJID("15559999999", types.DefaultUserServer)})
	if err != nil {
		t.Fatal(err)
	}
	bi, ok := info[b.pn()]
	if len(info) != 1 || !ok || bi.LID.User != b.phone.LIDUser || len(bi.Devices) != 1 || bi.Devices[0].Device != b.jid.Device {
		t.Errorf("user info = %+v, want only Bob, with his LID and his one device", info)
	}
	if _, err := a.cli.SendMessage(t.Context(), types.NewJID("15559999999", types.DefaultUserServer), text("anyone?")); err == nil {
		t.Error("sending to a number not on WhatsApp succeeded")
	}
}

func TestChatStateReachesTheAddressedAccount(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	if err := a.cli.SendChatPresence(t.Context(), b.pn(), types.ChatPresenceComposing, ""); err != nil {
		t.Fatal(err)
	}
	cs := awaitThat(t, b.evts, "Alice typing", func(*events.ChatPresence) bool { return true })
	if cs.State != types.ChatPresenceComposing || cs.Chat != a.pn() || cs.IsFromMe {
		t.Errorf("chat presence = %+v, want Alice composing in her chat", cs)
	}
}
