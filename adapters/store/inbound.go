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
	var c message.Content
	if err := json.Unmarshal(row.Content, &c); err != nil {
		return message.Received{}, fmt.Errorf("decode content of inbound message %s: %w", id, err)
	}
	reactions, err := i.r.Q.ListInboundReactions(ctx, ReactionRow{SessionID: sessionID, MessageID: id})
	if err != nil {
		return message.Received{}, i.r.D.Wrap(err, "list reactions")
	}
	out := message.Received{Inbound: message.Inbound{ID: row.ID, SessionID: row.SessionID, Chat: jidToDomain(row.Chat),
		Sender: chat.Party{JID: jidToDomain(row.SenderJid), LID: jidToDomain(row.SenderLid), PushName: row.PushName},
		FromMe: row.FromMe, Content: c, Timestamp: row.SentAt, History: row.History}, ReceivedAt: row.ReceivedAt}
	if row.EditedAt != nil {
		out.EditedAt = *row.EditedAt
	}
	if row.RevokedAt != nil {
		out.RevokedAt = *row.RevokedAt
	}
	for _, r := range reactions {
		out.Reactions = append(out.Reactions, message.Reaction{By: jidToDomain(r.Reactor), Emoji: r.Emoji, At: r.ReactedAt})
	}
	return out, nil
}

// setContent writes c (as JSON, exact) and the columns read from it: text and
// media metadata.
func setContent(row *InboundRow, c message.Content) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode content of inbound message %s: %w", row.ID, err)
	}
	row.Content, row.Text = raw, message.StorableText(c.Text)
	row.MediaMime, row.MediaSize, row.MediaName = "", 0, ""
	if m := c.Media; m != nil {
		row.MediaMime, row.MediaSize, row.MediaName = message.StorableText(m.MIME), m.Size, message.StorableText(m.FileName)
	}
	return nil
}
