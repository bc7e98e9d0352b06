package sandbox

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func text(sessionID, toPhone, body string) message.Outbound {
	return message.Outbound{ID: nextMessageID(), SessionID: sessionID, To: chat.UserJID(toPhone),
		Content: message.TextContent(body), Status: message.StatusQueued}
}

// The kinds and reasons of send failures tell the send queue what to do: a session
// not running or reconnecting may come back (wait); not paired may not (fail).
func TestSendBeforePairingFails(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	if _, err := n.Send(context.Background(), "s1", text("s1", "628999999999", "hi")); !isReason(err, fault.KindFailedPrecondition, fault.ReasonSessionNotOpen) {
		t.Fatalf("Send to a session never started = %v", err)
	}
	_ = n.Start(context.Background(), "s1", &recordingSink{})
	if _, err := n.Send(context.Background(), "s1", text("s1", "628999999999", "hi")); !isReason(err, fault.KindFailedPrecondition, fault.ReasonNotPaired) {
		t.Fatalf("Send from an unpaired session = %v", err)
	}
	if len(n.Sent("s1")) != 0 || len(n.Attempts("s1")) != 0 {
		t.Fatal("failed sends were recorded")
	}
}

func TestSendIsIdempotentOnMessageID(t *testing.T) {
	t.Parallel()
	n, clock := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	m := text("s1", "628999999999", "once")

	first, err := n.Send(context.Background(), "s1", m)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != m.ID || !first.Timestamp.Equal(clock.Now()) {
		t.Fatalf("receipt = %+v", first)
	}
	clock.Advance(1)
	again, err := n.Send(context.Background(), "s1", m)
	if err != nil || again != first {
		t.Fatalf("repeat send = %+v, %v; want the first receipt", again, err)
	}
	if sent := n.Sent("s1"); len(sent) != 1 || sent[0].Content.Text != "once" {
		t.Fatalf("Sent = %+v", sent)
	}
	// The repeat is dropped for the recipient but stays visible in the attempts log.
	want := []ports.SandboxSendAttempt{{ID: m.ID, At: first.Timestamp}, {ID: m.ID, At: clock.Now(), Repeat: true}}
	if got := n.Attempts("s1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("Attempts = %+v, want %+v", got, want)
	}
	ack := waitFor[ports.TransportReceipt](t, sink, 1)[0]
	if !slices.Equal(ack.IDs, []string{m.ID}) || ack.Status != message.StatusDelivered || ack.Chat != m.To || ack.SessionID != "s1" ||
		ack.Sender != (chat.Party{JID: m.To, LID: lidFor("628999999999")}) {
		t.Fatalf("ack = %+v", ack)
	}
	// A later event proves no second ack was queued behind the first.
	if _, err := n.InjectText("s1", "628999999999", "", "marker"); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportMessage](t, sink, 1)
	if acks := only[ports.TransportReceipt](sink.snapshot()); len(acks) != 1 {
		t.Fatalf("%d acks for one message", len(acks))
	}
}

func TestSessionToSessionDelivery(t *testing.T) {
	t.Parallel()
	n, clock := newTestNetwork(t, Config{})
	alice := startPaired(t, n, "alice", "628111111111")
	bob := startPaired(t, n, "bob", "628222222222")

	m := text("alice", "628222222222", "hello bob")
	if _, err := n.Send(context.Background(), "alice", m); err != nil {
		t.Fatal(err)
	}
	in := waitFor[ports.TransportMessage](t, bob, 1)[0].Message
	want := message.Inbound{ID: m.ID, SessionID: "bob", Chat: chat.UserJID("628111111111"),
		Sender:  chat.Party{JID: chat.UserJID("628111111111"), LID: lidFor("628111111111"), PushName: "User 628111111111"},
		Content: message.TextContent("hello bob"), Timestamp: clock.Now()}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("bob got %+v\nwant %+v", in, want)
	}
	waitFor[ports.TransportReceipt](t, alice, 1)
	if got := only[ports.TransportMessage](alice.snapshot()); len(got) != 0 {
		t.Fatal("sender received its own message")
	}

	// Addressing bob by LID reaches him too.
	byLID := text("alice", "", "via lid")
	byLID.To = lidFor("628222222222")
	if _, err := n.Send(context.Background(), "alice", byLID); err != nil {
		t.Fatal(err)
	}
	if got := waitFor[ports.TransportMessage](t, bob, 2)[1].Message; got.Content.Text != "via lid" {
		t.Fatalf("bob got %+v", got)
	}
}

func TestMessageToStoppedSessionArrivesOnRestart(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "alice", "628111111111")
	startPaired(t, n, "bob", "628222222222")
	_ = n.Stop(context.Background(), "bob")

	if _, err := n.Send(context.Background(), "alice", text("alice", "628222222222", "while away")); err != nil {
		t.Fatal(err)
	}
	bob := &recordingSink{}
	_ = n.Start(context.Background(), "bob", bob)
	waitFor[ports.TransportMessage](t, bob, 1)
	evs := bob.snapshot()
	if _, ok := evs[0].(ports.TransportConnected); !ok {
		t.Fatalf("first event after restart = %T, want TransportConnected", evs[0])
	}
}

func TestTypedButtonsAndListsWithHeaderImagesAreRecordedAndDelivered(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "alice", "628111111111")
	bob := startPaired(t, n, "bob", "628222222222")
	img := &message.Media{MIME: "image/png", Size: 67, BlobKey: "outbound/h.png"}
	buttons := message.Outbound{ID: nextMessageID(), SessionID: "alice", To: chat.UserJID("628222222222"), Status: message.StatusQueued,
		Content: message.Content{Kind: message.KindButtons, Text: "Pick", Buttons: &message.Buttons{Footer: "f", Image: img, Buttons: []message.Button{
			{Kind: message.ButtonReply, ID: "yes", Text: "Yes"},
			{Kind: message.ButtonURL, Text: "Site", URL: "https://x.id"},
			{Kind: message.ButtonCall, Text: "Call", Phone: "+62812"},
			{Kind: message.ButtonCopy, Text: "Code", CopyCode: "SAVE20"}}}}}
	list := message.Outbound{ID: nextMessageID(), SessionID: "alice", To: chat.UserJID("628222222222"), Status: message.StatusQueued,
		Content: message.Content{Kind: message.KindList, Text: "Menu", List: &message.List{ButtonText: "Open", Image: img,
			Sections: []message.ListSection{{Title: "S", Rows: []message.ListRow{{ID: "r1", Title: "One"}}}}}}}
	for _, m := range []message.Outbound{buttons, list} {
		if _, err := n.Send(context.Background(), "alice", m); err != nil {
			t.Fatalf("%s: %v", m.Content.Kind, err)
		}
	}
	sent := n.Sent("alice")
	if len(sent) != 2 || !reflect.DeepEqual(sent[0].Content, buttons.Content) || !reflect.DeepEqual(sent[1].Content, list.Content) {
		t.Fatalf("recorded %+v", sent)
	}
	got := waitFor[ports.TransportMessage](t, bob, 2)
	b, l := got[0].Message.Content, got[1].Message.Content
	if !reflect.DeepEqual(b.Buttons.Buttons, buttons.Content.Buttons.Buttons) || b.Buttons.Image.BlobKey != "" ||
		b.Buttons.Image.DirectPath != "/v/sandbox/"+buttons.ID || b.Buttons.Image.MIME != "image/png" {
		t.Fatalf("bob got buttons %+v image %+v", b.Buttons, b.Buttons.Image)
	}
	if l.List.Image.BlobKey != "" || l.List.Image.DirectPath != "/v/sandbox/"+list.ID || l.List.Sections[0].Rows[0].ID != "r1" {
		t.Fatalf("bob got list %+v image %+v", l.List, l.List.Image)
	}
	// The sender's record keeps its blob key: the peer's view is a copy.
	if n.Sent("alice")[0].Content.Buttons.Image.BlobKey != "outbound/h.png" {
		t.Fatal("the peer's view changed the sender's record")
	}
	// Invalid typed buttons are refused like any invalid content.
	bad := buttons
	bad.ID = nextMessageID()
	bad.Content.Buttons = &message.Buttons{Buttons: []message.Button{{Kind: message.ButtonURL, Text: "Site", URL: "ftp://x"}}}
	if _, err := n.Send(context.Background(), "alice", bad); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("bad url button: %v", err)
	}
}

func TestSendFailureReasons(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{ReconnectDelay: time.Hour})
	startPaired(t, n, "s1", "628111111111")
	if _, err := n.AddContact(ports.SandboxContact{Phone: "628999999999", Unregistered: true}); err != nil {
		t.Fatal(err)
	}
	to := func(jid string) message.Outbound {
		j, err := chat.ParseJID(jid)
		if err != nil {
			t.Fatal(err)
		}
		return message.Outbound{ID: nextMessageID(), SessionID: "s1", To: j, Content: message.TextContent("x"), Status: message.StatusQueued}
	}
	tests := []struct {
		to     string
		kind   fault.Kind
		reason fault.Reason
	}{
		{"628999999999@s.whatsapp.net", fault.KindNotFound, fault.ReasonNotOnWhatsApp},
		{"100000000000001@lid", fault.KindNotFound, fault.ReasonNotOnWhatsApp},
		{"120363000000000001@g.us", fault.KindNotFound, fault.ReasonGroupNotFound},
		{"120363999999999999@newsletter", fault.KindInvalid, fault.ReasonRecipientInvalid},
	}
	for _, tt := range tests {
		if _, err := n.Send(context.Background(), "s1", to(tt.to)); !isReason(err, tt.kind, tt.reason) {
			t.Errorf("send to %s = %v, want kind %v reason %s", tt.to, err, tt.kind, tt.reason)
		}
	}
	if err := n.Disconnect("s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Send(context.Background(), "s1", text("s1", "628222222222", "x")); !isReason(err, fault.KindUnavailable, fault.ReasonSessionNotOpen) {
		t.Fatalf("send while reconnecting = %v", err)
	}
	if len(n.Sent("s1")) != 0 {
		t.Fatal("failed sends were recorded")
	}
}
