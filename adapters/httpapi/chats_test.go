package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

var chatPaths = []string{"/api/v1/chats", "/api/v1/chats/{chatId}/messages", "/api/v1/chats/{chatId}/read",
	"/api/v1/chats/{chatId}/pin", "/api/v1/chats/{chatId}/messages/{messageId}/pin"}

func init() {
	for _, p := range chatPaths {
		implemented[p] = true
	}
}

// chatResult decodes the `result` object of the chat routes' envelope.
func chatResult(t *testing.T, r response, v any) {
	t.Helper()
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(r.body, &env); err != nil || len(env.Result) == 0 {
		t.Fatalf("no result in %s (%v)", r.body, err)
	}
	if err := json.Unmarshal(env.Result, v); err != nil {
		t.Fatalf("result: %v in %s", err, r.body)
	}
}

type chatView struct {
	JID         string  `json:"jid"`
	Name        string  `json:"name"`
	UnreadCount int     `json:"unreadCount"`
	LastMessage *string `json:"lastMessage"`
	Pinned      bool    `json:"pinned"`
}

type chatListView struct {
	Phone      string     `json:"phone"`
	Data       []chatView `json:"data"`
	Pagination struct {
		Total int `json:"total"`
	} `json:"pagination"`
}

type chatMessageView struct {
	ID      string `json:"id"`
	Details struct {
		StarredAt int64            `json:"starredAt"`
		Receipts  map[string]int64 `json:"receipts"`
	} `json:"messageTypeDetails"`
	FromMe    bool    `json:"fromMe"`
	Body      *string `json:"body"`
	IsMedia   bool    `json:"isMedia"`
	IsRead    bool    `json:"isRead"`
	SenderJID string  `json:"senderJid"`
	Reactions []struct {
		From  string `json:"from"`
		Emoji string `json:"emoji"`
	} `json:"reactions"`
}

type chatMessagesView struct {
	Data       []chatMessageView `json:"data"`
	Pagination struct {
		Total      int     `json:"total"`
		NextCursor *string `json:"nextCursor"`
	} `json:"pagination"`
	ChatInfo *chatView `json:"chatInfo"`
}

func (w *groupsWorld) chats(params ...string) chatListView {
	w.t.Helper()
	r := w.get("/api/v1/chats", w.alice, q(append([]string{"sessionId", "g1"}, params...)...))
	w.router(r, 200)
	var v chatListView
	chatResult(w.t, r, &v)
	return v
}

func (w *groupsWorld) chatMessages(c string, params ...string) chatMessagesView {
	w.t.Helper()
	r := w.get("/api/v1/chats/"+url.PathEscape(c)+"/messages", w.alice, q(append([]string{"sessionId", "g1"}, params...)...))
	w.router(r, 200)
	var v chatMessagesView
	chatResult(w.t, r, &v)
	return v
}

func bodies(ms []chatMessageView) []string {
	out := []string{}
	for _, m := range ms {
		b := ""
		if m.Body != nil {
			b = *m.Body
		}
		out = append(out, b)
	}
	return out
}

func jids(cs []chatView) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.JID)
	}
	return out
}

// inject delivers a message from a virtual person and waits until the history has
// it. WhatsApp's times are whole seconds, so history orders a second's messages by
// arrival: the app's clock then moves on a millisecond, to keep arrivals apart.
func (w *groupsWorld) inject(from string, c message.Content) string {
	w.t.Helper()
	id, err := w.net.Inject("g1", ports.SandboxInbound{From: from, Content: c})
	if err != nil {
		w.t.Fatal(err)
	}
	waitFor(w.t, "message "+id+" in the history", func() bool {
		_, err := w.store.Inbound().Get(context.Background(), "g1", id)
		return err == nil
	})
	w.clock.Advance(time.Millisecond)
	return id
}

// TestChatsScenario drives the five Chats operations over HTTP on the sandbox:
// history of received and sent messages, filters, the stable cursor, reads, pins,
// and checks each answer against the reference contract.
func TestChatsScenario(t *testing.T) {
	t.Parallel()
	w := newGroupsWorld(t, func(*command.Config) {})
	check := w.router
	budiJID, citraJID := chat.UserJID(budi).String(), chat.UserJID(citra).String()

	first := w.inject(budi, message.TextContent("hello 1"))
	w.inject(budi, message.TextContent("hello 2"))
	w.inject(budi, message.TextContent("hello 3"))
	w.inject(citra, message.Content{Kind: message.KindDocument, Text: "the invoice",
		Media: &message.Media{MIME: "application/pdf", FileName: "inv.pdf", Size: 3}})
	check(w.send(http.MethodPost, "/api/v1/messages/send/text", w.alice, map[string]any{"sessionId": "g1", "to": budi, "message": "hi budi"}), 200)
	if _, err := w.net.Inject("g1", ports.SandboxInbound{From: budi, Content: message.Content{Kind: message.KindReaction, Emoji: "👍",
		Target: &message.Reference{ID: first}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reply and the reaction in the history", func() bool {
		m, err := w.store.Inbound().Get(context.Background(), "g1", first)
		return err == nil && len(m.Reactions) == 1 && w.chatMessages(budi).Pagination.Total == 4
	})

	list := w.chats()
	if list.Phone != "6281200000001" || !slices.Equal(jids(list.Data), []string{budiJID, citraJID}) ||
		list.Data[0].UnreadCount != 3 || *list.Data[0].LastMessage != "hi budi" || list.Data[1].UnreadCount != 1 {
		t.Fatalf("chats %+v", list)
	}
	if got := jids(w.chats("hasMedia", "true").Data); !slices.Equal(got, []string{citraJID}) {
		t.Fatalf("chats with media %v", got)
	}
	if got := jids(w.chats("sortBy", "lastMessage", "sortOrder", "asc").Data); !slices.Equal(got, []string{citraJID, budiJID}) {
		t.Fatalf("chats oldest first %v", got)
	}
	if got := jids(w.chats("search", citra[len(citra)-4:]).Data); !slices.Equal(got, []string{citraJID}) {
		t.Fatalf("chats matching citra's number %v", got)
	}
	if got := w.chats("limit", "1", "offset", "1"); !slices.Equal(jids(got.Data), []string{citraJID}) || got.Pagination.Total != 2 {
		t.Fatalf("second page of one chat %+v", got)
	}

	// Newest first; the cursor page does not shift when a new message arrives.
	page := w.chatMessages(budi, "limit", "2")
	if !slices.Equal(bodies(page.Data), []string{"hi budi", "hello 3"}) || !page.Data[0].FromMe || page.Pagination.NextCursor == nil ||
		page.ChatInfo == nil || page.ChatInfo.UnreadCount != 3 {
		t.Fatalf("first page %v %+v %+v", bodies(page.Data), page, page.ChatInfo)
	}
	// budi reads our reply; we star his first message: both show in the history.
	if err := w.net.ContactRead("g1", budi, []string{page.Data[0].ID}, false); err != nil {
		t.Fatal(err)
	}
	check(w.send(http.MethodPost, "/api/v1/messages/"+first+"/action/star", w.alice, map[string]any{"sessionId": "g1"}), 200)
	waitFor(t, "budi's read receipt", func() bool { return w.chatMessages(budi, "limit", "1").Data[0].Details.Receipts["read"] > 0 })
	if got := w.chatMessages(budi, "search", "hello 1").Data[0]; got.Details.StarredAt == 0 {
		t.Fatalf("starred message %+v", got)
	}

	w.inject(budi, message.TextContent("hello 4"))
	waitFor(t, "hello 4", func() bool { return w.chatMessages(budi).Pagination.Total == 5 })
	next := w.chatMessages(budi, "limit", "2", "cursor", *page.Pagination.NextCursor)
	if !slices.Equal(bodies(next.Data), []string{"hello 2", "hello 1"}) || len(next.Data[1].Reactions) != 1 || next.Data[1].Reactions[0].Emoji != "👍" {
		t.Fatalf("cursor page %+v", next)
	}
	if got := bodies(w.chatMessages(budi, "isFromMe", "true").Data); !slices.Equal(got, []string{"hi budi"}) {
		t.Fatalf("isFromMe=true %v", got)
	}
	if got := bodies(w.chatMessages(budi, "isFromMe", "false", "search", "HELLO 1").Data); !slices.Equal(got, []string{"hello 1"}) {
		t.Fatalf("isFromMe=false search %v", got)
	}
	if got := w.chatMessages(citra, "mediaOnly", "true").Data; len(got) != 1 || !got[0].IsMedia {
		t.Fatalf("media only %+v", got)
	}

	// Read: every unread message of the last day, then nothing is left.
	r := w.send(http.MethodPost, "/api/v1/chats/"+budi+"/read", w.alice, map[string]any{"sessionId": "g1"})
	check(r, 200)
	var read struct {
		TotalMarked int    `json:"totalMarked"`
		Mode        string `json:"mode"`
	}
	if chatResult(t, r, &read); read.TotalMarked != 4 || read.Mode != "by_days" {
		t.Fatalf("read %s", r.body)
	}
	if got := w.chats().Data[0]; got.UnreadCount != 0 {
		t.Fatalf("unread after read %+v", got)
	}
	if got := w.chatMessages(budi, "isFromMe", "false").Data; !got[0].IsRead {
		t.Fatalf("not marked read %+v", got)
	}
	expect(t, w.send(http.MethodPost, "/api/v1/chats/"+budi+"/read", w.alice, map[string]any{"sessionId": "g1"}), 404, 2601)
	expect(t, w.send(http.MethodPost, "/api/v1/chats/"+citra+"/read", w.alice, map[string]any{"sessionId": "g1", "messages": 501}), 400, 2002)

	// Pin the chat: on the account and in the list.
	r = w.send(http.MethodPost, "/api/v1/chats/"+citra+"/pin", w.alice, map[string]any{"sessionId": "g1", "pin": true})
	check(r, 200)
	st, err := w.net.AccountState("g1")
	if err != nil || len(st.Chats) != 1 || !st.Chats[0].Pinned || st.Chats[0].Chat.String() != citraJID {
		t.Fatalf("account state %+v %v", st, err)
	}
	if got := w.chats("search", citra); !got.Data[0].Pinned {
		t.Fatalf("pinned chat %+v", got)
	}
	expect(t, w.send(http.MethodPost, "/api/v1/chats/"+citra+"/pin", w.alice, map[string]any{"sessionId": "g1"}), 400, 2001)

	// Pin a message: a pin message goes to the chat.
	r = w.send(http.MethodPost, "/api/v1/chats/"+budi+"/messages/"+first+"/pin", w.alice, map[string]any{"sessionId": "g1", "pin": true})
	check(r, 200)
	waitFor(t, "the pin message", func() bool {
		for _, m := range w.net.Sent("g1") {
			if m.Content.Kind == message.KindPin && m.Content.Target.ID == first && !m.Content.Unpin {
				return true
			}
		}
		return false
	})
	expect(t, w.send(http.MethodPost, "/api/v1/chats/"+citra+"/messages/"+first+"/pin", w.alice,
		map[string]any{"sessionId": "g1", "pin": true}), 404, 2601)

	// Ours: the session's own history retention.
	r = w.send(http.MethodPost, "/api/v1/chats/retention", w.alice, map[string]any{"sessionId": "g1", "days": 30})
	expect(t, r, 200, 1000)
	sess, err := w.q.Sessions.Session(context.Background(), w.admin, "g1")
	if err != nil || sess.HistoryRetention() != 30*24*time.Hour {
		t.Fatalf("retention %v, %v; want 30 days", sess.HistoryRetention(), err)
	}
}

// TestChatsRefuseOthersAndBadInput: another tenant reads no chat and changes none;
// bad parameters are 400 with the reference's codes.
func TestChatsRefuseOthersAndBadInput(t *testing.T) {
	t.Parallel()
	w := newGroupsWorld(t, func(*command.Config) {})
	id := w.inject(budi, message.TextContent("private"))
	waitFor(t, "the message", func() bool { return len(w.chatMessages(budi).Data) == 1 })

	for _, r := range []response{
		w.get("/api/v1/chats", w.bob, q("sessionId", "g1")),
		w.get("/api/v1/chats/"+budi+"/messages", w.bob, q("sessionId", "g1")),
		w.send(http.MethodPost, "/api/v1/chats/"+budi+"/read", w.bob, map[string]any{"sessionId": "g1"}),
		w.send(http.MethodPost, "/api/v1/chats/"+budi+"/pin", w.bob, map[string]any{"sessionId": "g1", "pin": true}),
		w.send(http.MethodPost, "/api/v1/chats/"+budi+"/messages/"+id+"/pin", w.bob, map[string]any{"sessionId": "g1", "pin": true}),
	} {
		expect(t, r, 403, 2201)
		w.router(r, 403)
	}
	expect(t, w.send(http.MethodPost, "/api/v1/chats/retention", w.bob, map[string]any{"sessionId": "g1", "days": 1}), 403, 2201)
	expect(t, w.send(http.MethodPost, "/api/v1/chats/retention", w.alice, map[string]any{"sessionId": "g1", "days": -1}), 400, 2002)
	expect(t, w.send(http.MethodPost, "/api/v1/chats/retention", w.alice, map[string]any{"sessionId": "g1"}), 400, 2001)
	if sess, _ := w.q.Sessions.Session(context.Background(), w.admin, "g1"); sess.HistoryRetention() != 0 {
		t.Fatalf("a refused retention change went through: %v", sess.HistoryRetention())
	}
	if got := w.chatMessages(budi).Data; got[0].IsRead {
		t.Fatalf("another tenant's read went through: %+v", got)
	}
	if st, _ := w.net.AccountState("g1"); len(st.Chats) != 0 {
		t.Fatalf("another tenant's pin went through: %+v", st)
	}

	for _, c := range []struct {
		path   string
		params url.Values
		code   int
	}{
		{"/api/v1/chats", q("sessionId", "g1", "limit", "0"), 2002},
		{"/api/v1/chats", q("sessionId", "g1", "sortBy", "size"), 2002},
		{"/api/v1/chats", q("limit", "5"), 1100},
		{"/api/v1/chats", q("sessionId", "nope"), 1101},
		{"/api/v1/chats/" + budi + "/messages", q("sessionId", "g1", "cursor", "bogus"), 2002},
		{"/api/v1/chats/" + budi + "/messages", q("sessionId", "g1", "isFromMe", "maybe"), 2002},
		{"/api/v1/chats/" + budi + "/messages", q("sessionId", "g1", "startTime", "2000", "endTime", "1000"), 2002},
		{"/api/v1/chats/12/messages", q("sessionId", "g1"), 2002},
	} {
		r := w.get(c.path, w.alice, c.params)
		if r.code != 400 && r.code != 404 {
			t.Fatalf("%s?%s: HTTP %d %s", c.path, c.params.Encode(), r.code, r.body)
		}
		expect(t, r, r.code, c.code)
		w.router(r, r.code)
	}
}
