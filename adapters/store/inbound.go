package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Inbound() ports.InboundMessages { return inbound{r} }

type inbound struct{ r *Repos }

func (i inbound) Save(ctx context.Context, m message.Inbound, receivedAt time.Time) error {
	row := InboundRow{SessionID: m.SessionID, ID: m.ID, Chat: m.Chat.String(), SenderJid: m.Sender.JID.String(),
		SenderLid: m.Sender.LID.String(), PushName: message.StorableText(m.Sender.PushName), FromMe: m.FromMe, History: m.History,
		Kind: string(m.Content.Kind), SentAt: m.Timestamp, ReceivedAt: receivedAt}
	if err := setContent(&row, m.Content); err != nil {
		return err
	}
	_, err := i.r.Q.SaveInboundMessage(ctx, row)
	if i.r.D.ForeignKeyViolation(err) {
		return SessionGone(m.SessionID)
	}
	return i.r.D.Wrap(err, "save inbound message")
}

func (i inbound) Edit(ctx context.Context, sessionID, id, text string, at time.Time) error {
	return i.update(ctx, sessionID, id, func(row *InboundRow, c *message.Content) {
		c.Text = text
		row.EditedAt = &at
	})
}

func (i inbound) Revoke(ctx context.Context, sessionID, id string, at time.Time) error {
	return i.update(ctx, sessionID, id, func(row *InboundRow, c *message.Content) {
		*c = message.Content{Kind: c.Kind}
		row.RevokedAt = &at
	})
}

// update changes a recorded message's content and times; callers run it in their
// transaction (ingest does), so the read and the write see the same row.
func (i inbound) update(ctx context.Context, sessionID, id string, change func(*InboundRow, *message.Content)) error {
	row, err := i.r.Q.GetInboundMessage(ctx, InboundRow{SessionID: sessionID, ID: id})
	if err != nil {
		return i.r.D.NotFound(err, fault.ReasonMessageNotFound, "message "+id)
	}
	var c message.Content
	if err := json.Unmarshal(row.Content, &c); err != nil {
		return fmt.Errorf("decode content of inbound message %s: %w", id, err)
	}
	change(&row, &c)
	if err := setContent(&row, c); err != nil {
		return err
	}
	_, err = i.r.Q.UpdateInboundMessage(ctx, row)
	return i.r.D.Wrap(err, "update inbound message")
}

func (i inbound) React(ctx context.Context, sessionID, messageID string, by chat.JID, emoji string, at time.Time) error {
	row := ReactionRow{SessionID: sessionID, MessageID: messageID, Reactor: by.String(), Emoji: message.StorableText(emoji), ReactedAt: at}
	var err error
	if emoji == "" {
		err = i.r.Q.DeleteInboundReaction(ctx, row)
	} else {
		err = i.r.Q.PutInboundReaction(ctx, row)
	}
	if i.r.D.ForeignKeyViolation(err) {
		return SessionGone(sessionID)
	}
	return i.r.D.Wrap(err, "record reaction")
}

func (i inbound) Get(ctx context.Context, sessionID, id string) (message.Received, error) {
	row, err := i.r.Q.GetInboundMessage(ctx, InboundRow{SessionID: sessionID, ID: id})
	if err != nil {
		return message.Received{}, i.r.D.NotFound(err, fault.ReasonMessageNotFound, "message "+id)
	}
	return i.received(ctx, row)
}

// received is a row as the domain's message, with its reactions.
func (i inbound) received(ctx context.Context, row InboundRow) (message.Received, error) {
	var c message.Content
	if err := json.Unmarshal(row.Content, &c); err != nil {
		return message.Received{}, fmt.Errorf("decode content of inbound message %s: %w", row.ID, err)
	}
	reactions, err := i.r.Q.ListInboundReactions(ctx, ReactionRow{SessionID: row.SessionID, MessageID: row.ID})
	if err != nil {
		return message.Received{}, i.r.D.Wrap(err, "list reactions")
	}
	out := message.Received{Inbound: message.Inbound{ID: row.ID, SessionID: row.SessionID, Chat: jidToDomain(row.Chat),
		Sender: chat.Party{JID: jidToDomain(row.SenderJid), LID: jidToDomain(row.SenderLid), PushName: row.PushName},
		FromMe: row.FromMe, Content: c, Timestamp: row.SentAt, History: row.History}, ReceivedAt: row.ReceivedAt,
		EditedAt: orZero(row.EditedAt), RevokedAt: orZero(row.RevokedAt), ReadAt: orZero(row.ReadAt),
		DeliveredAt: orZero(row.DeliveredAt), SeenAt: orZero(row.SeenAt), StarredAt: orZero(row.StarredAt)}
	for _, r := range reactions {
		out.Reactions = append(out.Reactions, message.Reaction{By: jidToDomain(r.Reactor), Emoji: r.Emoji, At: r.ReactedAt})
	}
	return out, nil
}

// orZero is a nullable time column as a domain time: zero for NULL.
func orZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// endOfTime bounds the open ends of a history query, in a range both dialects
// store (unix ms and timestamptz).
var endOfTime = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func (i inbound) History(ctx context.Context, q message.HistoryQuery) (message.HistoryPage, error) {
	f := q.Filter
	arg := HistoryArg{SessionID: q.SessionID, Chat: q.Chat.String(), FromAt: time.UnixMilli(0), UntilAt: endOfTime,
		BeforeAt: endOfTime, BeforeReceivedAt: endOfTime, MediaOnly: f.MediaOnly, UnreadOnly: f.UnreadOnly, Search: message.SearchText(f.Search),
		Off: int64(q.Offset), Lim: int64(q.Limit)}
	if !f.From.IsZero() {
		arg.FromAt = f.From
	}
	if !f.Until.IsZero() {
		arg.UntilAt = f.Until
	}
	if f.FromMe != nil {
		arg.FilterFromMe, arg.FromMe = true, *f.FromMe
	}
	if q.Cursor != nil {
		arg.BeforeAt, arg.BeforeReceivedAt, arg.BeforeID = q.Cursor.At, q.Cursor.ReceivedAt, q.Cursor.ID
	}
	total, err := i.r.Q.CountChatHistory(ctx, arg)
	if err != nil {
		return message.HistoryPage{}, i.r.D.Wrap(err, "count chat history")
	}
	rows, err := i.r.Q.ListChatHistory(ctx, arg)
	if err != nil {
		return message.HistoryPage{}, i.r.D.Wrap(err, "list chat history")
	}
	page := message.HistoryPage{Total: int(total), Messages: make([]message.Received, 0, len(rows))}
	for _, row := range rows {
		m, err := i.received(ctx, row)
		if err != nil {
			return message.HistoryPage{}, err
		}
		page.Messages = append(page.Messages, m)
	}
	return page, nil
}

func (i inbound) Chats(ctx context.Context, sessionID string) ([]message.ChatSummary, error) {
	rows, err := i.r.Q.ListChatSummaries(ctx, sessionID)
	if err != nil {
		return nil, i.r.D.Wrap(err, "list chats")
	}
	out := make([]message.ChatSummary, len(rows))
	for n, row := range rows {
		out[n] = message.ChatSummary{Chat: jidToDomain(row.Chat), Name: row.Name, Messages: int(row.Messages),
			Unread: int(row.Unread), Media: int(row.Media), LastText: row.LastText, FirstAt: row.FirstAt,
			LastAt: row.LastAt, Pinned: row.Pinned}
	}
	return out, nil
}

func (i inbound) MarkRead(ctx context.Context, sessionID string, ids []string, at time.Time) error {
	for _, id := range ids {
		if _, err := i.r.Q.MarkInboundRead(ctx, InboundRow{SessionID: sessionID, ID: id, ReadAt: &at}); err != nil {
			return i.r.D.Wrap(err, "mark message read")
		}
	}
	return nil
}

func (i inbound) Receipt(ctx context.Context, sessionID, id string, status message.Status, at time.Time) error {
	row := InboundRow{SessionID: sessionID, ID: id}
	switch status {
	case message.StatusDelivered:
		row.DeliveredAt = &at
	case message.StatusRead, message.StatusPlayed:
		row.DeliveredAt, row.SeenAt = &at, &at // read implies delivered
	default:
		return nil
	}
	return i.r.D.Wrap(i.r.Q.MarkInboundReceipt(ctx, row), "record receipt")
}

func (i inbound) Star(ctx context.Context, sessionID, id string, starred bool, at time.Time) error {
	row := InboundRow{SessionID: sessionID, ID: id}
	if starred {
		row.StarredAt = &at
	}
	return i.r.D.Wrap(i.r.Q.StarInboundMessage(ctx, row), "star message")
}

func (i inbound) PinChat(ctx context.Context, sessionID string, c chat.JID, pinned bool, at time.Time) error {
	row := ChatPinRow{SessionID: sessionID, Chat: c.String(), PinnedAt: at}
	var err error
	if pinned {
		err = i.r.Q.PutChatPin(ctx, row)
	} else {
		err = i.r.Q.DeleteChatPin(ctx, row)
	}
	if i.r.D.ForeignKeyViolation(err) {
		return SessionGone(sessionID)
	}
	return i.r.D.Wrap(err, "pin chat")
}

func (i inbound) Forget(ctx context.Context, sessionID string, before time.Time, limit int) (int, error) {
	arg := HistoryArg{SessionID: sessionID, BeforeAt: before, Lim: int64(limit)}
	n, err := i.r.Q.DeleteOldHistory(ctx, arg)
	if err != nil {
		return 0, i.r.D.Wrap(err, "delete old history")
	}
	return int(n), i.r.D.Wrap(i.r.Q.DeleteOrphanReactions(ctx, arg), "delete old reactions")
}

// setContent writes c (as JSON, exact) and the columns read from it: text, its
// search form and media metadata.
func setContent(row *InboundRow, c message.Content) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode content of inbound message %s: %w", row.ID, err)
	}
	row.Content, row.Text = raw, message.StorableText(c.Text)
	row.SearchText = message.SearchText(row.Text)
	row.MediaMime, row.MediaSize, row.MediaName = "", 0, ""
	if m := c.Media; m != nil {
		row.MediaMime, row.MediaSize, row.MediaName = message.StorableText(m.MIME), m.Size, message.StorableText(m.FileName)
	}
	return nil
}
