package sandbox

import (
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func TestHistorySync(t *testing.T) {
	t.Parallel()
	n, clock := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	g, err := n.CreateVirtualGroup("s1", ports.SandboxGroup{Owner: "628333333333", Name: "Club"})
	if err != nil {
		t.Fatal(err)
	}
	carol := chat.UserJID("628333333333")
	yesterday := clock.Now().Add(-24 * time.Hour)
	ids, err := n.HistorySync("s1", ports.SandboxHistory{Progress: 40, Messages: []ports.SandboxHistoryMessage{
		{Peer: "628333333333", ID: "3EB0OLD1", At: yesterday, Content: message.TextContent("old hi")},
		{Peer: "628333333333", FromMe: true, Content: message.Content{Kind: message.KindImage, Media: &message.Media{MIME: "image/png"}}},
		{Group: g.JID, FromMe: true, Content: message.TextContent("old group note")},
		{Peer: "628333333333", Group: g.JID, Content: message.Content{Kind: message.KindReaction, Emoji: "👍",
			Target: &message.Reference{ID: "3EB0OLD1"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := waitFor[ports.TransportHistorySync](t, sink, 1)[0]
	if h.SessionID != "s1" || h.Progress != 40 || len(h.Messages) != 4 || len(ids) != 4 || ids[1] != h.Messages[1].ID {
		t.Fatalf("got %+v", h)
	}
	old, mine, note := h.Messages[0], h.Messages[1], h.Messages[2]
	if old.ID != "3EB0OLD1" || old.Chat != carol || old.Sender.JID != carol || old.FromMe || !old.Timestamp.Equal(yesterday) || !old.History {
		t.Fatalf("old %+v", old)
	}
	if !mine.FromMe || mine.Chat != carol || mine.Sender.JID != chat.UserJID("628111111111") || mine.Content.Media.DirectPath == "" {
		t.Fatalf("mine %+v", mine)
	}
	if note.Chat != g.JID || !note.FromMe || !note.Timestamp.Equal(clock.Now()) {
		t.Fatalf("group note %+v", note)
	}
	if len(only[ports.TransportMessage](sink.snapshot())) != 0 {
		t.Fatal("history was also delivered as live messages")
	}

	// Old messages are known: a contact replies to one, and reading one the
	// session sent gives a read receipt only (it was delivered long ago).
	reply := message.TextContent("about that")
	reply.Reply = &message.Reference{ID: "3EB0OLD1"}
	if _, err := n.Inject("s1", ports.SandboxInbound{From: "628333333333", Content: reply}); err != nil {
		t.Fatal(err)
	}
	if r := waitFor[ports.TransportMessage](t, sink, 1)[0].Message.Content.Reply; r == nil || r.Sender != carol || r.Chat != carol {
		t.Fatalf("reply to history %+v", r)
	}
	if err := n.ContactRead("s1", "628333333333", []string{mine.ID}, false); err != nil {
		t.Fatal(err)
	}
	if r := waitFor[ports.TransportReceipt](t, sink, 1); r[0].Status != message.StatusRead {
		t.Fatalf("receipts %+v", r)
	}
}

func TestHistorySyncIsAllOrNothing(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	ok := ports.SandboxHistoryMessage{Peer: "628333333333", ID: "3EB0KEPT", Content: message.TextContent("x")}
	for _, c := range []struct {
		h    ports.SandboxHistory
		kind fault.Kind
	}{
		{ports.SandboxHistory{Progress: 101}, fault.KindInvalid},
		{ports.SandboxHistory{Messages: []ports.SandboxHistoryMessage{ok, {Peer: "12", Content: message.TextContent("x")}}}, fault.KindInvalid},
		{ports.SandboxHistory{Messages: []ports.SandboxHistoryMessage{ok, {Peer: "628333333333", Content: message.Content{Kind: message.KindImage}}}},
			fault.KindInvalid},
		{ports.SandboxHistory{Messages: []ports.SandboxHistoryMessage{ok, {Group: chat.JID{User: "1203630", Server: chat.ServerGroup}, FromMe: true,
			Content: message.TextContent("x")}}}, fault.KindNotFound},
	} {
		if _, err := n.HistorySync("s1", c.h); !fault.Is(err, c.kind) {
			t.Fatalf("%+v = %v, want kind %v", c.h, err, c.kind)
		}
	}
	if err := n.ContactRead("s1", "628333333333", []string{"3EB0KEPT"}, false); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("a refused chunk left its messages behind: %v", err)
	}
	if _, err := n.HistorySync("s1", ports.SandboxHistory{Progress: 100}); err != nil {
		t.Fatal(err)
	}
	if h := waitFor[ports.TransportHistorySync](t, sink, 1)[0]; h.Progress != 100 || len(h.Messages) != 0 {
		t.Fatalf("progress-only chunk %+v", h)
	}
}
