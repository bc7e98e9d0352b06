package query

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Chats reads a session's chat history: its chats and their messages. History is
// ours (received and sent messages as they happened), so it reads without an open
// session.
type Chats struct {
	store     ports.Store
	addresses chat.Normalizer
}

// NewChats builds the chat reads; chat ids without a server take countryCode.
func NewChats(store ports.Store, countryCode string) *Chats {
	return &Chats{store: store, addresses: chat.Normalizer{DefaultCountryCode: countryCode}}
}

// ChatRef is the session a chat read went through.
type ChatRef struct {
	SessionID string
	Phone     string // the session's own number, "" before its first login
}

// Chat list orders (WAREST's sortBy).
const (
	ByLastMessage = "lastMessage"
	ByUnread      = "unreadCount"
	ByName        = "name"
)

// ChatListInput selects a page of the chat list.
type ChatListInput struct {
	SessionID     string
	Limit, Offset int
	HasMedia      bool   // only chats with a file in their history
	SortBy        string // ByLastMessage (default), ByUnread or ByName
	Ascending     bool   // default newest, most unread, Z first
	Search        string // in the name or the JID, ignoring case
}

// ChatList is one page of chats and how many match in all.
type ChatList struct {
	ChatRef
	Chats []message.ChatSummary
	Total int
}

// List pages the session's chats.
func (q *Chats) List(ctx context.Context, p account.Principal, in ChatListInput) (ChatList, error) {
	sess, err := access.Session(ctx, q.store, p, in.SessionID)
	if err != nil {
		return ChatList{}, err
	}
	all, err := q.store.Inbound().Chats(ctx, sess.ID())
	if err != nil {
		return ChatList{}, err
	}
	search := message.SearchText(strings.TrimSpace(in.Search))
	all = slices.DeleteFunc(all, func(c message.ChatSummary) bool {
		return in.HasMedia && c.Media == 0 ||
			search != "" && !strings.Contains(message.SearchText(c.Name+" "+c.Chat.String()), search)
	})
	order, err := chatOrder(in.SortBy)
	if err != nil {
		return ChatList{}, err
	}
	slices.SortFunc(all, func(a, b message.ChatSummary) int {
		c := order(a, b)
		if !in.Ascending {
			c = -c
		}
		return cmp.Or(c, strings.Compare(a.Chat.String(), b.Chat.String()))
	})
	out := ChatList{ChatRef: ChatRef{SessionID: sess.ID(), Phone: access.Phone(sess)}, Total: len(all)}
	start := min(in.Offset, len(all))
	out.Chats = all[start:min(start+in.Limit, len(all))]
	return out, nil
}

func chatOrder(by string) (func(a, b message.ChatSummary) int, error) {
	switch by {
	case "", ByLastMessage:
		return func(a, b message.ChatSummary) int { return a.LastAt.Compare(b.LastAt) }, nil
	case ByUnread:
		return func(a, b message.ChatSummary) int { return cmp.Compare(a.Unread, b.Unread) }, nil
	case ByName:
		return func(a, b message.ChatSummary) int {
			return strings.Compare(message.SearchText(a.Name), message.SearchText(b.Name))
		}, nil
	}
	return nil, fault.Invalid(fault.ReasonInvalidParameter, "sortBy must be lastMessage, unreadCount or name")
}

// ChatMessagesInput selects a page of one chat's messages, newest first.
type ChatMessagesInput struct {
	SessionID     string
	Chat          string // a JID or a phone number
	Limit, Offset int
	Cursor        string // from the previous page's NextCursor: the page after it
	Filter        message.HistoryFilter
}

// ChatMessages is one page of a chat's messages with the chat's summary (nil when
// the chat has no history) and the cursor of the next page ("" at the end).
type ChatMessages struct {
	ChatRef
	Chat       chat.JID
	Page       message.HistoryPage
	Summary    *message.ChatSummary
	NextCursor string
}

// Messages pages one chat's history.
func (q *Chats) Messages(ctx context.Context, p account.Principal, in ChatMessagesInput) (ChatMessages, error) {
	sess, err := access.Session(ctx, q.store, p, in.SessionID)
	if err != nil {
		return ChatMessages{}, err
	}
	c, err := q.addresses.Normalize(in.Chat)
	if err != nil {
		return ChatMessages{}, err
	}
	hq := message.HistoryQuery{SessionID: sess.ID(), Chat: c, Filter: in.Filter, Offset: in.Offset, Limit: in.Limit}
	if in.Cursor != "" {
		cur, err := message.ParseCursor(in.Cursor)
		if err != nil {
			return ChatMessages{}, err
		}
		hq.Cursor = &cur
	}
	if f := in.Filter; !f.From.IsZero() && !f.Until.IsZero() && f.Until.Before(f.From) {
		return ChatMessages{}, fault.Invalid(fault.ReasonInvalidParameter, "endTime is before startTime")
	}
	page, err := q.store.Inbound().History(ctx, hq)
	if err != nil {
		return ChatMessages{}, err
	}
	out := ChatMessages{ChatRef: ChatRef{SessionID: sess.ID(), Phone: access.Phone(sess)}, Chat: c, Page: page}
	if n := len(page.Messages); n == in.Limit && n > 0 {
		out.NextCursor = message.CursorAfter(page.Messages[n-1]).String()
	}
	out.Summary, err = q.summary(ctx, sess.ID(), c)
	return out, err
}

func (q *Chats) summary(ctx context.Context, sessionID string, c chat.JID) (*message.ChatSummary, error) {
	all, err := q.store.Inbound().Chats(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.Chat == c {
			return &s, nil
		}
	}
	return nil, nil
}
