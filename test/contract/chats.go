package contract

import (
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// chatTests check the chat history reads: pages newest first, their filters, the
// keyset cursor, the chat list with unread counts and pins, and retention.
var chatTests = []struct {
	name string
	run  func(t *testing.T, s ports.Store)
}{
	{"chats/history pages newest first and a cursor page ignores newer messages", chatHistoryCursor},
	{"chats/history filters by time, media, direction, text and unread", chatHistoryFilters},
	{"chats/the chat list counts unread messages, names the peer and keeps pins", chatSummaries},
	{"chats/forget deletes old messages in bounded batches with their reactions", chatForget},
	{"chats/receipts keep the first delivery and read, stars set and clear", chatReceiptsAndStars},
}

var (
	alice = chat.UserJID("6281111111111")
	bob   = chat.UserJID("6282222222222")
)

// chatMessage is a text message of chat c at second sec; fromMe ones are ours.
func chatMessage(sessionID, id string, c chat.JID, sec int, text string, fromMe bool) message.Inbound {
	m := message.Inbound{ID: id, SessionID: sessionID, Chat: c, FromMe: fromMe, Timestamp: at(sec),
		Content: message.Content{Kind: message.KindText, Text: text}}
	if !fromMe {
		m.Sender = chat.Party{JID: c, PushName: "Peer " + c.User}
	}
	return m
}

func saveAll(t *testing.T, s ports.Store, ms ...message.Inbound) {
	t.Helper()
	for _, m := range ms {
		must(t, s.Inbound().Save(t.Context(), m, m.Timestamp))
	}
}

func historyIDs(t *testing.T, s ports.Store, q message.HistoryQuery) ([]string, int) {
	t.Helper()
	page, err := s.Inbound().History(t.Context(), q)
	must(t, err)
	ids := []string{}
	for _, m := range page.Messages {
		ids = append(ids, m.ID)
	}
	return ids, page.Total
}

func chatHistoryCursor(t *testing.T, s ports.Store) {
	createSession(t, s, "s1", "OWNER")
	createSession(t, s, "s2", "OWNER")
	// m2 and m3 share a timestamp: the id breaks the tie.
	saveAll(t, s, chatMessage("s1", "m1", alice, 1, "one", false), chatMessage("s1", "m2", alice, 2, "two", true),
		chatMessage("s1", "m3", alice, 2, "three", false), chatMessage("s1", "m4", alice, 3, "four", false),
		chatMessage("s1", "b1", bob, 4, "other chat", false), chatMessage("s2", "x1", alice, 5, "other session", false))
	q := message.HistoryQuery{SessionID: "s1", Chat: alice, Limit: 2}
	ids, total := historyIDs(t, s, q)
	equal(t, ids, []string{"m4", "m3"})
	equal(t, total, 4)

	page, err := s.Inbound().History(t.Context(), q)
	must(t, err)
	cursor := message.CursorAfter(page.Messages[1])
	saveAll(t, s, chatMessage("s1", "m5", alice, 9, "newer", false))
	q.Cursor = &cursor
	ids, total = historyIDs(t, s, q)
	equal(t, ids, []string{"m2", "m1"})
	equal(t, total, 5)

	q.Cursor, q.Offset = nil, 4
	ids, _ = historyIDs(t, s, q)
	equal(t, ids, []string{"m1"})

	page, err = s.Inbound().History(t.Context(), message.HistoryQuery{SessionID: "s1", Chat: alice, Limit: 1})
	must(t, err)
	got := normReceived(page.Messages[0])
	equal(t, got.Content.Text, "newer")
	equal(t, got.Sender.PushName, "Peer 6281111111111")
	equal(t, got.Timestamp, ms(at(9)))
}

func chatHistoryFilters(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "OWNER")
	doc := received("d1") // a document with text "invoice é 👋", in a group, at(1)
	group := doc.Chat
	saveAll(t, s, doc, chatMessage("s1", "t1", group, 2, "Hello World", false), chatMessage("s1", "t2", group, 3, "hello again", true),
		chatMessage("s1", "t3", group, 4, "bye", false))
	all := func(f message.HistoryFilter) []string {
		ids, total := historyIDs(t, s, message.HistoryQuery{SessionID: "s1", Chat: group, Filter: f, Limit: 10})
		equal(t, total, len(ids))
		return ids
	}
	equal(t, all(message.HistoryFilter{}), []string{"t3", "t2", "t1", "d1"})
	equal(t, all(message.HistoryFilter{From: at(2), Until: at(3)}), []string{"t2", "t1"})
	equal(t, all(message.HistoryFilter{MediaOnly: true}), []string{"d1"})
	equal(t, all(message.HistoryFilter{FromMe: ptr(true)}), []string{"t2"})
	equal(t, all(message.HistoryFilter{FromMe: ptr(false)}), []string{"t3", "t1", "d1"})
	equal(t, all(message.HistoryFilter{Search: "HELLO"}), []string{"t2", "t1"})
	equal(t, all(message.HistoryFilter{Search: "INVOICE É"}), []string{"d1"}) // folded alike in every store
	equal(t, all(message.HistoryFilter{Search: "nothing"}), []string{})
	equal(t, all(message.HistoryFilter{Search: "voice é"}), []string{"d1"})

	must(t, s.Inbound().MarkRead(ctx, "s1", []string{"t1", "missing"}, at(10)))
	must(t, s.Inbound().Revoke(ctx, "s1", "t3", at(11)))
	equal(t, all(message.HistoryFilter{UnreadOnly: true}), []string{"d1"})
	m, err := s.Inbound().Get(ctx, "s1", "t1")
	must(t, err)
	equal(t, ms(m.ReadAt), ms(at(10)))
}

func chatSummaries(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "OWNER")
	createSession(t, s, "s2", "OWNER")
	saveAll(t, s, chatMessage("s1", "a1", alice, 1, "hi", false), chatMessage("s1", "a2", alice, 2, "hi back", true),
		chatMessage("s1", "a3", alice, 3, "how are you", false), chatMessage("s1", "b1", bob, 5, "yo", true),
		chatMessage("s2", "x1", alice, 6, "other session", false))
	must(t, s.Inbound().MarkRead(ctx, "s1", []string{"a1"}, at(4)))
	must(t, s.Inbound().PinChat(ctx, "s1", bob, true, at(6)))
	must(t, s.Inbound().PinChat(ctx, "s2", alice, true, at(6)))

	byChat := func(sessionID string) map[chat.JID]message.ChatSummary {
		list, err := s.Inbound().Chats(ctx, sessionID)
		must(t, err)
		out := map[chat.JID]message.ChatSummary{}
		for _, c := range list {
			c.FirstAt, c.LastAt = ms(c.FirstAt), ms(c.LastAt)
			out[c.Chat] = c
		}
		return out
	}
	equal(t, byChat("s1"), map[chat.JID]message.ChatSummary{
		alice: {Chat: alice, Name: "Peer 6281111111111", Messages: 3, Unread: 1, LastText: "how are you", FirstAt: ms(at(1)), LastAt: ms(at(3))},
		bob:   {Chat: bob, Messages: 1, LastText: "yo", FirstAt: ms(at(5)), LastAt: ms(at(5)), Pinned: true},
	})
	must(t, s.Inbound().PinChat(ctx, "s1", bob, false, at(7)))
	equal(t, byChat("s1")[bob].Pinned, false)
	equal(t, byChat("s2")[alice].Pinned, true)
	equal(t, byChat("nobody"), map[chat.JID]message.ChatSummary{})
}

func chatForget(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "OWNER")
	createSession(t, s, "s2", "OWNER")
	saveAll(t, s, chatMessage("s1", "o1", alice, 1, "old", false), chatMessage("s1", "o2", alice, 2, "old", false),
		chatMessage("s1", "o3", alice, 3, "old", false), chatMessage("s1", "n1", alice, 10, "new", false),
		chatMessage("s2", "o1", alice, 1, "other session", false))
	must(t, s.Inbound().React(ctx, "s1", "o1", bob, "👍", at(4)))
	must(t, s.Inbound().React(ctx, "s1", "n1", bob, "👍", at(11)))

	n, err := s.Inbound().Forget(ctx, "s1", at(5), 2)
	must(t, err)
	equal(t, n, 2)
	ids, _ := historyIDs(t, s, message.HistoryQuery{SessionID: "s1", Chat: alice, Limit: 10})
	equal(t, ids, []string{"n1", "o3"})
	n, err = s.Inbound().Forget(ctx, "s1", at(5), 2)
	must(t, err)
	equal(t, n, 1)
	n, err = s.Inbound().Forget(ctx, "s1", at(5), 2)
	must(t, err)
	equal(t, n, 0)

	// The reaction to a forgotten message goes with it: a new message under its id starts clean.
	saveAll(t, s, chatMessage("s1", "o1", alice, 12, "reused id", false))
	m, err := s.Inbound().Get(ctx, "s1", "o1")
	must(t, err)
	equal(t, len(m.Reactions), 0)
	m, err = s.Inbound().Get(ctx, "s1", "n1")
	must(t, err)
	equal(t, len(m.Reactions), 1)
	ids, _ = historyIDs(t, s, message.HistoryQuery{SessionID: "s2", Chat: alice, Limit: 10})
	equal(t, ids, []string{"o1"})
}

func chatReceiptsAndStars(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "OWNER")
	saveAll(t, s, chatMessage("s1", "mine", alice, 1, "sent", true))
	must(t, s.Inbound().Receipt(ctx, "s1", "mine", message.StatusDelivered, at(2)))
	must(t, s.Inbound().Receipt(ctx, "s1", "mine", message.StatusDelivered, at(3)))
	must(t, s.Inbound().Receipt(ctx, "s1", "mine", message.StatusRead, at(4)))
	must(t, s.Inbound().Receipt(ctx, "s1", "mine", message.StatusPlayed, at(5)))
	must(t, s.Inbound().Receipt(ctx, "s1", "unknown", message.StatusRead, at(5)))
	must(t, s.Inbound().Star(ctx, "s1", "mine", true, at(6)))
	m, err := s.Inbound().Get(ctx, "s1", "mine")
	must(t, err)
	equal(t, []time.Time{ms(m.DeliveredAt), ms(m.SeenAt), ms(m.StarredAt)}, []time.Time{ms(at(2)), ms(at(4)), ms(at(6))})

	must(t, s.Inbound().Star(ctx, "s1", "mine", false, at(7)))
	saveAll(t, s, chatMessage("s1", "theirs", alice, 8, "read at once", false))
	must(t, s.Inbound().Receipt(ctx, "s1", "theirs", message.StatusRead, at(9))) // read implies delivered
	m, err = s.Inbound().Get(ctx, "s1", "mine")
	must(t, err)
	equal(t, m.StarredAt.IsZero(), true)
	m, err = s.Inbound().Get(ctx, "s1", "theirs")
	must(t, err)
	equal(t, []time.Time{ms(m.DeliveredAt), ms(m.SeenAt)}, []time.Time{ms(at(9)), ms(at(9))})
}
