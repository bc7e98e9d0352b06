package command

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Chats changes chats as the chat history shows them: marks them read and pins
// chats and messages, on WhatsApp and in the history.
type Chats struct {
	store     ports.Store
	transport ports.Transport
	clock     ports.Clock
	actions   *MessageActions // pins go as chat changes and pin messages
}

// ChatReadInput marks a chat's unread received messages read: the newest Messages
// of them, or with Messages 0 those of the last Days days.
type ChatReadInput struct {
	SessionID string
	Chat      string
	Messages  int // 0 to MaxChatRead
	Days      int // 0 means DefaultReadDays; at most MaxReadDays
}

// Read bounds (WAREST's, with a smaller cap: one call marks at most MaxChatRead).
const (
	MaxChatRead     = 500
	DefaultReadDays = 1
	MaxReadDays     = 365
)

// ChatReadResult is what MarkRead marked.
type ChatReadResult struct {
	SessionID, Phone string
	Chat             chat.JID
	Messages, Days   int                // the request, defaults applied
	Marked           []message.Received // newest first
	Capped           bool               // more were unread than one call marks
}

// MarkRead sends read receipts for a chat's unread messages and records them read.
// Nothing unread is 404.
func (c *Chats) MarkRead(ctx context.Context, p account.Principal, in ChatReadInput) (ChatReadResult, error) {
	if in.Days == 0 {
		in.Days = DefaultReadDays
	}
	if in.Messages < 0 || in.Messages > MaxChatRead {
		return ChatReadResult{}, fault.Invalid(fault.ReasonInvalidParameter, "messages must be between 0 and %d", MaxChatRead)
	}
	if in.Days < 0 || in.Days > MaxReadDays {
		return ChatReadResult{}, fault.Invalid(fault.ReasonInvalidParameter, "days must be between 1 and %d", MaxReadDays)
	}
	s, target, err := c.open(ctx, p, in.SessionID, in.Chat)
	if err != nil {
		return ChatReadResult{}, err
	}
	sess, now := s.ID(), c.clock.Now()
	q := message.HistoryQuery{SessionID: sess, Chat: target, Filter: message.HistoryFilter{UnreadOnly: true}, Limit: in.Messages}
	if in.Messages == 0 {
		q.Filter.From, q.Limit = now.Add(-time.Duration(in.Days)*24*time.Hour), MaxChatRead+1
	}
	page, err := c.store.Inbound().History(ctx, q)
	if err != nil {
		return ChatReadResult{}, err
	}
	out := ChatReadResult{SessionID: sess, Phone: ownerPhone(s), Chat: target, Messages: in.Messages, Days: in.Days, Marked: page.Messages}
	if len(out.Marked) > MaxChatRead {
		out.Marked, out.Capped = out.Marked[:MaxChatRead], true
	}
	if len(out.Marked) == 0 {
		return ChatReadResult{}, fault.NotFound(fault.ReasonMessageNotFound, "no unread messages to mark in chat %s", target)
	}
	// WhatsApp takes read receipts per sender (a group has many).
	bySender := map[chat.JID][]string{}
	var senders []chat.JID
	for _, m := range out.Marked {
		by := m.Sender.Best()
		if _, ok := bySender[by]; !ok {
			senders = append(senders, by)
		}
		bySender[by] = append(bySender[by], m.ID)
	}
	for _, by := range senders {
		if err := c.actions.transportFailed(c.transport.MarkRead(ctx, sess, target, by, bySender[by], now)); err != nil {
			return ChatReadResult{}, err
		}
		if err := c.store.Inbound().MarkRead(ctx, sess, bySender[by], now); err != nil {
			return ChatReadResult{}, err
		}
	}
	return out, nil
}

// ChatPinResult is a chat or message pinned or unpinned.
type ChatPinResult struct {
	SessionID, Phone string
	Chat             chat.JID
	MessageID        string // "" for a chat
	Pinned           bool
	At               time.Time
}

// PinChat pins or unpins a chat in the account's chat list.
func (c *Chats) PinChat(ctx context.Context, p account.Principal, sessionID, chatID string, pin bool) (ChatPinResult, error) {
	change := map[bool]ports.ChatChangeKind{true: ports.ChatPin, false: ports.ChatUnpin}[pin]
	done, err := c.actions.ActOnChat(ctx, p, ChatActionInput{SessionID: sessionID, To: []string{chatID}, Change: change})
	if err != nil {
		return ChatPinResult{}, err
	}
	res := ChatPinResult{SessionID: done[0].SessionID, Phone: done[0].OwnerPhone, Chat: done[0].Target.Chat, Pinned: pin, At: c.clock.Now()}
	return res, c.store.Inbound().PinChat(ctx, res.SessionID, res.Chat, pin, res.At)
}

// PinMessage pins or unpins a message of the chat for everyone in it (a pin
// message). A message the history places in another chat is 404.
func (c *Chats) PinMessage(ctx context.Context, p account.Principal, sessionID, chatID, messageID string, pin bool) (ChatPinResult, error) {
	sess, target, err := c.open(ctx, p, sessionID, chatID)
	if err != nil {
		return ChatPinResult{}, err
	}
	if m, err := c.store.Inbound().Get(ctx, sess.ID(), messageID); err == nil && m.Chat != target {
		return ChatPinResult{}, fault.NotFound(fault.ReasonMessageNotFound, "message %s is not in chat %s", messageID, target)
	}
	action := map[bool]MessageAction{true: ActionPin, false: ActionUnpin}[pin]
	done, err := c.actions.ActOnMessage(ctx, p, MessageActionInput{SessionID: sessionID, MessageID: messageID,
		To: []string{target.String()}, Action: action})
	if err != nil {
		return ChatPinResult{}, err
	}
	return ChatPinResult{SessionID: done.SessionID, Phone: done.OwnerPhone, Chat: done.Target.Chat, MessageID: done.Target.ID,
		Pinned: pin, At: c.clock.Now()}, nil
}

// open checks the caller may use the session, that it is open (these are WhatsApp
// calls) and parses the chat.
func (c *Chats) open(ctx context.Context, p account.Principal, sessionID, chatID string) (*session.Session, chat.JID, error) {
	snd := c.actions.send.senders
	sess, err := snd.session(ctx, p, sessionID, "")
	if err != nil {
		return nil, chat.JID{}, err
	}
	target, err := snd.addresses.Normalize(chatID)
	return sess, target, err
}

// SetHistoryRetention makes the session keep its chat history days days (0: the
// server's default, WAREST_HISTORY_RETENTION_DAYS); it returns the days set.
func (c *Chats) SetHistoryRetention(ctx context.Context, p account.Principal, sessionID string, days int) (int, error) {
	if _, err := ownedSession(ctx, c.store, p, sessionID); err != nil {
		return 0, err
	}
	sess, err := c.store.Sessions().Update(ctx, sessionID, func(x *session.Session) error {
		return x.SetHistoryRetention(days, c.clock.Now())
	})
	if err != nil {
		return 0, err
	}
	return int(sess.HistoryRetention() / (24 * time.Hour)), nil
}
