package waserver_test

import (
	"errors"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/warest-go/warest/test/waserver"
)

func TestGroupMessagesBothWaysWithReceipts(t *testing.T) {
	srv := waserver.New(t)
	phone := waserver.NewPhone("15550001111", "100200300")
	a1, a2 := newPeer(t, srv, phone, "Alice"), newPeer(t, srv, phone, "Alice")
	b, c := bob(t, srv), carol(t, srv)
	g := createGroup(t, a1, "Chat", b, c)
	awaitThat(t, b.evts, "Bob joining", func(e *events.JoinedGroup) bool { return e.JID == g.JID })

	sent := send(t, a1, g.JID, text("hello group"))
	for _, p := range []*peer{b, c} {
		got := awaitText(t, p, "hello group")
		if got.Info.Chat != g.JID || got.Info.ID != sent.ID || got.Info.Sender.User != phone.LIDUser ||
			got.Info.Sender.Device != a1.jid.Device || got.Info.SenderAlt.User != phone.User || got.Info.IsFromMe {
			t.Errorf("%s got %+v, want %s in the group from Alice's first device", p.phone.User, got.Info, sent.ID)
		}
	}
	mine := awaitText(t, a2, "hello group")
	if !mine.Info.IsFromMe || mine.Info.Chat != g.JID {
		t.Errorf("Alice's other device got %+v, want her own group message", mine.Info)
	}
	attempts := srv.AttemptsOf(sent.ID)
	if len(attempts) != 1 || attempts[0].Recipient != g.JID || len(attempts[0].Devices) != 3 {
		t.Fatalf("attempts %+v, want one to the group carrying keys for Bob, Carol and Alice's other device", attempts)
	}
	delivered := awaitReceipt(t, a1, types.ReceiptTypeDelivered, sent.ID)
	if delivered.Chat != g.JID || delivered.Sender.User != b.phone.LIDUser && delivered.Sender.User != c.phone.LIDUser {
		t.Errorf("receipt %+v, want a member's delivery in the group", delivered)
	}

	// The sender key is in place now; the reply creates Bob's own.
	reply := send(t, b, g.JID, text("hi all"))
	got := awaitText(t, a1, "hi all")
	if got.Info.Sender.User != b.phone.LIDUser || got.Info.Chat != g.JID {
		t.Errorf("Alice got %+v, want Bob in the group", got.Info)
	}
	awaitText(t, c, "hi all")
	if err := a1.cli.MarkRead(t.Context(), []types.MessageID{reply.ID}, got.Info.Timestamp, g.JID, got.Info.Sender); err != nil {
		t.Fatal(err)
	}
	read := awaitReceipt(t, b, types.ReceiptTypeRead, reply.ID)
	if read.Chat != g.JID || read.Sender.User != phone.LIDUser {
		t.Errorf("read receipt %+v, want Alice's in the group", read)
	}
	again := send(t, a1, g.JID, text("second"))
	awaitText(t, b, "second")
	awaitText(t, c, "second")
	awaitReceipt(t, a1, types.ReceiptTypeDelivered, again.ID)
	eventually(t, "every outbox acknowledged", func() bool {
		return srv.Pending(a1.jid)+srv.Pending(a2.jid)+srv.Pending(b.jid)+srv.Pending(c.jid) == 0
	})
}

func TestGroupMessageFromALeaverGoesNowhere(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	g := createGroup(t, a, "Gone", b)
	send(t, b, g.JID, text("before")) // Bob's client caches the member list
	awaitText(t, a, "before")
	if _, err := a.cli.UpdateGroupParticipants(t.Context(), g.JID, []types.JID{b.pn()}, "remove"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Alice acknowledged everything", func() bool { return srv.Pending(a.jid) == 0 })
	// Bob's client has taken in his removal (whatsmeow updates its member cache on a
	// goroutine of its own, unsynchronised with SendMessage: sending earlier races inside whatsmeow).
	groupChange(t, b, g.JID, "Bob's removal", func(e *events.GroupInfo) bool { return len(e.Leave) > 0 })
	a.cli.Disconnect() // so anything relayed to her stays queued
	if _, err := b.cli.SendMessage(t.Context(), g.JID, text("after")); !errors.Is(err, whatsmeow.ErrServerReturnedError) {
		t.Errorf("a removed member's message: %v, want the server's error", err)
	}
	if n := srv.Pending(a.jid); n != 0 {
		t.Errorf("queued for Alice %d, want nothing relayed", n)
	}
}

func TestGroupRetryGoesToTheAskingDeviceOnly(t *testing.T) {
	srv := waserver.New(t)
	a, b, c := alice(t, srv), bob(t, srv), carol(t, srv)
	g := createGroup(t, a, "Retry", b, c)
	id := a.cli.GenerateMessageID()
	srv.CorruptNext(id) // copies go out in member order: Bob's is damaged
	send(t, a, g.JID, text("garbled for Bob"), whatsmeow.SendRequestExtra{ID: id})
	awaitText(t, c, "garbled for Bob")
	awaitThat(t, b.evts, "Bob's undecryptable copy", func(u *events.UndecryptableMessage) bool { return u.Info.ID == id })
	got := awaitText(t, b, "garbled for Bob")
	if got.RetryCount != 1 || got.Info.Chat != g.JID || got.Info.Sender.User != a.phone.LIDUser {
		t.Errorf("after the retry %+v (retry %d), want Alice's group message at retry 1", got.Info, got.RetryCount)
	}
	attempts := srv.AttemptsOf(id)
	if len(attempts) != 2 || !attempts[1].Retry || len(attempts[1].Devices) != 1 || attempts[1].Devices[0].User != b.phone.LIDUser {
		t.Fatalf("attempts %+v, want the first try then a retry for Bob's device only", attempts)
	}
	eventually(t, "Carol got it once", func() bool { return srv.Pending(c.jid) == 0 })
	for len(c.evts) > 0 {
		if m, ok := (<-c.evts).(*events.Message); ok && m.Info.ID == id {
			t.Errorf("Carol got %s again: the retry reached her", id)
		}
	}
}
