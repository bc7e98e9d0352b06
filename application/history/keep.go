// Package history keeps the chat history: every message a session received or
// sent, and what happened to it since. Ingest and the send queue record through
// Keep, in the transaction of the message's event.
package history

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Keep records m, or what it does to the message it is about: a reaction, an edit,
// a deletion for everyone. Doing it again (a message delivered twice) changes
// nothing more.
func Keep(ctx context.Context, r ports.Repositories, m message.Inbound, at time.Time) error {
	c := m.Content
	if c.Target == nil {
		return r.Inbound().Save(ctx, m, at)
	}
	var err error
	switch c.Kind {
	case message.KindReaction:
		return r.Inbound().React(ctx, m.SessionID, c.Target.ID, m.Sender.Best(), c.Emoji, m.Timestamp)
	case message.KindEdit:
		err = r.Inbound().Edit(ctx, m.SessionID, c.Target.ID, c.Text, m.Timestamp)
	case message.KindRevoke:
		err = r.Inbound().Revoke(ctx, m.SessionID, c.Target.ID, m.Timestamp)
	default:
		return r.Inbound().Save(ctx, m, at)
	}
	if fault.Is(err, fault.KindNotFound) {
		return nil // about a message not recorded here: older than the table
	}
	return err
}

// Sent records a message the session sent, from its own account, when it went out.
func Sent(ctx context.Context, r ports.Repositories, m message.Outbound) error {
	sess, err := r.Sessions().Get(ctx, m.SessionID)
	if err != nil {
		return err
	}
	var me chat.Party
	if id := sess.Me(); id != nil {
		me.JID, _ = chat.ParseJID(id.JID) // unparsable: unknown, as before login
		me.LID, _ = chat.ParseJID(id.LID)
		me.PushName = id.Name
	}
	return Keep(ctx, r, message.Inbound{ID: m.ID, SessionID: m.SessionID, Chat: m.To, Sender: me, FromMe: true,
		Content: m.Content, Timestamp: m.UpdatedAt}, m.UpdatedAt)
}
