package sandbox

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func send(t *testing.T, n *Network, sessionID string, to chat.JID, c message.Content) (message.Outbound, error) {
	t.Helper()
	m := message.Outbound{ID: nextMessageID(), SessionID: sessionID, To: to, Content: c, Status: message.StatusQueued}
	_, err := n.Send(context.Background(), sessionID, m)
	return m, err
}

func mustSend(t *testing.T, n *Network, sessionID string, to chat.JID, c message.Content) message.Outbound {
	t.Helper()
	m, err := send(t, n, sessionID, to, c)
	if err != nil {
		t.Fatalf("send %s: %v", c.Kind, err)
	}
	return m
}

func TestEditOnlyOwnAndWithinFifteenMinutes(t *testing.T) {
	t.Parallel()
	n, clock := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	carol := chat.UserJID("628333333333")
	mine := mustSend(t, n, "s1", carol, message.TextContent("draft"))
	edit := func(id string) error {
		_, err := send(t, n, "s1", carol, message.Content{Kind: message.KindEdit, Text: "new", Target: &message.Reference{Chat: carol, ID: id}})
		return err
	}
	clock.Advance(15 * time.Minute)
	if err := edit(mine.ID); err != nil {
		t.Fatalf("edit at 15 minutes: %v", err)
	}
	clock.Advance(time.Second)
	if err := edit(mine.ID); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("edit after 15 minutes = %v", err)
	}
	theirs, _ := n.InjectText("s1", "628333333333", "", "theirs")
	if err := edit(theirs); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("edit of someone else's message = %v", err)
	}
	if err := edit("3EB0NOPE"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("edit of an unknown message = %v", err)
	}
	revoke := message.Content{Kind: message.KindRevoke, Target: &message.Reference{Chat: carol, ID: mine.ID, FromMe: true}}
	mustSend(t, n, "s1", carol, revoke)
	if err := edit(mine.ID); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("edit of a deleted message = %v", err)
	}
}

func TestContactReadsAndPlays(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	carol := chat.UserJID("628333333333")
	text := mustSend(t, n, "s1", carol, message.TextContent("hi"))
	voice := mustSend(t, n, "s1", carol, message.Content{Kind: message.KindAudio, Media: &message.Media{MIME: "audio/ogg", BlobKey: "b", PTT: true}})
	if err := n.ContactRead("s1", "628333333333", []string{text.ID, voice.ID}, true); err != nil {
		t.Fatal(err)
	}
	got := waitFor[ports.TransportReceipt](t, sink, 4)
	want := []struct {
		status message.Status
		ids    []string
	}{{message.StatusDelivered, []string{text.ID}}, {message.StatusDelivered, []string{voice.ID}},
		{message.StatusRead, []string{text.ID, voice.ID}}, {message.StatusPlayed, []string{voice.ID}}}
	for i, w := range want {
		if got[i].Status != w.status || !slices.Equal(got[i].IDs, w.ids) || got[i].Sender.JID != carol || got[i].Chat != carol {
			t.Fatalf("receipt %d = %+v, want %v %v", i, got[i], w.status, w.ids)
		}
	}
	if err := n.ContactRead("s1", "628444444444", []string{text.ID}, false); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("read by someone who never got it = %v", err)
	}
}

func TestReadReceiptsOffAreNotSent(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	alice := startPaired(t, n, "alice", "628111111111")
	startPaired(t, n, "bob", "628222222222")
	if _, err := n.SetPrivacy(context.Background(), "bob", ports.Privacy{ReadReceipts: ports.PrivacyNone}); err != nil {
		t.Fatal(err)
	}
	m := mustSend(t, n, "alice", chat.UserJID("628222222222"), message.TextContent("seen?"))
	if err := n.MarkRead(context.Background(), "bob", chat.UserJID("628111111111"), chat.UserJID("628111111111"), []string{m.ID}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportReceipt](t, alice, 1)
	marker, _ := n.InjectText("alice", "628333333333", "", "marker")
	waitFor[ports.TransportMessage](t, alice, 1)
	for _, r := range only[ports.TransportReceipt](alice.snapshot()) {
		if r.Status == message.StatusRead {
			t.Fatalf("read receipt despite privacy: %+v (marker %s)", r, marker)
		}
	}
}

func TestInjectEveryKindAndActions(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	mine := mustSend(t, n, "s1", chat.UserJID("628333333333"), message.Content{Kind: message.KindPoll,
		Poll: &message.Poll{Question: "lunch?", Options: []string{"yes", "no"}}})
	contents := []message.Content{
		message.TextContent("hello"),
		{Kind: message.KindImage, Text: "look", Media: &message.Media{MIME: "image/jpeg", Size: 3}},
		{Kind: message.KindLocation, Location: &message.Location{Latitude: 1, Longitude: 2}},
		{Kind: message.KindContact, Contacts: []message.Contact{{DisplayName: "A", VCard: "BEGIN:VCARD\nEND:VCARD"}}},
		{Kind: message.KindPoll, Poll: &message.Poll{Question: "q", Options: []string{"a", "b"}}},
		{Kind: message.KindPollVote, PollVote: &message.PollVote{Poll: message.Reference{ID: mine.ID}, Selected: []string{"yes"}}},
		{Kind: message.KindReaction, Emoji: "🔥", Target: &message.Reference{ID: mine.ID}},
		{Kind: message.KindInteractiveReply, Answer: &message.InteractiveReply{ID: "b1", Text: "Yes"}},
		{Kind: message.KindGroupInvite, Invite: &message.GroupInvite{Code: "abc", GroupName: "g"}},
	}
	for _, c := range contents {
		if _, err := n.Inject("s1", ports.SandboxInbound{From: "628333333333", Content: c}); err != nil {
			t.Fatalf("inject %s: %v", c.Kind, err)
		}
	}
	got := waitFor[ports.TransportMessage](t, sink, len(contents))
	for i, c := range contents {
		if got[i].Message.Content.Kind != c.Kind {
			t.Fatalf("message %d is %s, want %s", i, got[i].Message.Content.Kind, c.Kind)
		}
	}
	if m := got[1].Message.Content.Media; m.DirectPath == "" {
		t.Fatalf("inbound media without a download handle: %+v", m)
	}
	if ref := got[5].Message.Content.PollVote.Poll; ref.ID != mine.ID || !ref.FromMe || ref.Chat != chat.UserJID("628333333333") {
		t.Fatalf("poll vote points at %+v", ref)
	}
	if ref := got[6].Message.Content.Target; !ref.FromMe || ref.Sender != chat.UserJID("628111111111") {
		t.Fatalf("reaction points at %+v", ref)
	}
	if _, err := n.Inject("s1", ports.SandboxInbound{From: "628333333333", Content: message.Content{Kind: message.KindEdit, Text: "x",
		Target: &message.Reference{ID: mine.ID}}}); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("a contact edited the session's message: %v", err)
	}
	if _, err := n.Inject("s1", ports.SandboxInbound{From: "628333333333", Content: message.Content{Kind: message.KindImage}}); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("media without a type = %v", err)
	}
}

func TestUnregisteredNumbers(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	if _, err := n.AddContact(ports.SandboxContact{Phone: "628999999999", Unregistered: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.AddContact(ports.SandboxContact{Phone: "628111111111", Unregistered: true}); !fault.Is(err, fault.KindConflict) {
		t.Fatalf("unregistering a linked phone = %v", err)
	}
	if _, err := send(t, n, "s1", chat.UserJID("628999999999"), message.TextContent("x")); !isReason(err, fault.KindNotFound, fault.ReasonNotOnWhatsApp) {
		t.Fatalf("send to a number not on WhatsApp = %v", err)
	}
	got, err := n.IsOnWhatsApp(context.Background(), "s1", []string{"628999999999", "+62 812 0000 0002", "12"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Exists || !got[1].Exists || got[1].Party.LID != lidFor("6281200000002") || got[2].Exists || got[2].Query != "12" {
		t.Fatalf("IsOnWhatsApp = %+v", got)
	}
}

func TestPresenceAndTyping(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	alice := startPaired(t, n, "alice", "628111111111")
	bob := startPaired(t, n, "bob", "628222222222")
	ctx := context.Background()
	mustSend(t, n, "alice", chat.UserJID("628222222222"), message.TextContent("hi"))
	if err := n.SetPresence(ctx, "bob", false); err != nil {
		t.Fatal(err)
	}
	p := waitFor[ports.TransportPresence](t, alice, 1)[0]
	if p.Available || p.From.JID != chat.UserJID("628222222222") || p.From.LID != lidFor("628222222222") || p.LastSeen.IsZero() {
		t.Fatalf("presence %+v", p)
	}
	if err := n.SetChatPresence(ctx, "alice", chat.UserJID("628222222222"), ports.ChatComposing); err != nil {
		t.Fatal(err)
	}
	cp := waitFor[ports.TransportChatPresence](t, bob, 1)[0]
	if cp.Chat != chat.UserJID("628111111111") || cp.State != ports.ChatComposing || cp.From.LID != lidFor("628111111111") {
		t.Fatalf("chat presence %+v", cp)
	}
	if err := n.ContactPresence("alice", "628333333333", ports.SandboxPresence{State: "recording"}); err != nil {
		t.Fatal(err)
	}
	if cp := waitFor[ports.TransportChatPresence](t, alice, 1)[0]; cp.State != ports.ChatRecording || cp.Chat != chat.UserJID("628333333333") {
		t.Fatalf("contact typing %+v", cp)
	}
	if err := n.ContactPresence("alice", "628333333333", ports.SandboxPresence{State: "dancing"}); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("unknown state = %v", err)
	}
}

func TestAccountState(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	ctx := context.Background()
	carol := chat.UserJID("628333333333")
	m := mustSend(t, n, "s1", carol, message.TextContent("keep"))
	ref := message.Reference{Chat: carol, ID: m.ID, FromMe: true, Sender: chat.UserJID("628111111111")}
	for _, c := range []ports.MessageChange{ports.MessageStar, ports.MessageStar} {
		if err := n.ChangeMessage(ctx, "s1", message.Reference{Chat: carol, ID: m.ID, FromMe: true}, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.ChangeChat(ctx, "s1", carol, ports.ChatChange{Kind: ports.ChatArchive}); err != nil {
		t.Fatal(err)
	}
	st, _ := n.AccountState("s1")
	if !slices.Equal(st.Starred, []message.Reference{ref}) || len(st.Chats) != 1 || !st.Chats[0].Archived {
		t.Fatalf("state %+v", st)
	}
	if err := n.ChangeMessage(ctx, "s1", message.Reference{Chat: carol, ID: m.ID}, ports.MessageDeleteForMe); err != nil {
		t.Fatal(err)
	}
	st, _ = n.AccountState("s1")
	if len(st.Starred) != 0 || !slices.Equal(st.DeletedForMe, []message.Reference{ref}) {
		t.Fatalf("state after delete %+v", st)
	}
	if err := n.ChangeChat(ctx, "s1", carol, ports.ChatChange{Kind: "explode"}); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("unknown chat change = %v", err)
	}
}
