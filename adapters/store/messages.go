package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Messages() ports.MessageRepository { return messages{r} }

type messages struct{ r *Repos }

func (m messages) Create(ctx context.Context, msg message.Outbound, announce ...event.Envelope) error {
	row, err := toMessageRow(msg)
	if err != nil {
		return err
	}
	if len(announce) == 1 && m.r.Q.CreateMessageWithEvent != nil {
		e := announce[0]
		n, err := m.r.Q.CreateMessageWithEvent(ctx, MessageEventRow{MessageRow: row, EventID: e.ID, EventType: string(e.Type),
			EventSessionID: e.SessionID, OccurredAt: e.OccurredAt, Payload: e.Payload})
		if err := m.created(msg, n.Messages, err); err != nil {
			return err
		}
		if n.Events == 0 {
			return eventExists(e.ID)
		}
		return nil
	}
	n, err := m.r.Q.CreateMessage(ctx, row)
	if err := m.created(msg, n, err); err != nil {
		return err
	}
	for _, e := range announce {
		if _, err := m.r.Events().Append(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// created is the outcome of inserting msg: n rows, or err.
func (m messages) created(msg message.Outbound, n int64, err error) error {
	if m.r.D.ForeignKeyViolation(err) {
		return SessionGone(msg.SessionID)
	}
	if err != nil {
		return m.r.D.Wrap(err, "create message")
	}
	if n == 0 {
		return fault.Conflict("", "message %s already exists in session %s", msg.ID, msg.SessionID)
	}
	return nil
}

func (m messages) Get(ctx context.Context, sessionID, id string) (message.Outbound, error) {
	row, err := m.r.Q.GetMessage(ctx, MessageRow{SessionID: sessionID, ID: id})
	if err != nil {
		return message.Outbound{}, m.r.D.NotFound(err, fault.ReasonMessageNotFound, "message "+id)
	}
	return messageToDomain(row)
}

// Update writes back under the original keys: fn may not move a message elsewhere.
func (m messages) Update(ctx context.Context, sessionID, id string, fn func(*message.Outbound) error) (message.Outbound, error) {
	var out message.Outbound
	err := m.r.Atomic(ctx, func(r *Repos) error {
		row, err := r.Q.GetMessageForUpdate(ctx, MessageRow{SessionID: sessionID, ID: id})
		if err != nil {
			return r.D.NotFound(err, fault.ReasonMessageNotFound, "message "+id)
		}
		msg, err := messageToDomain(row)
		if err != nil {
			return err
		}
		if err := fn(&msg); err != nil {
			return err
		}
		msg.SessionID, msg.ID = sessionID, id
		if row, err = toMessageRow(msg); err != nil {
			return err
		}
		if _, err := r.Q.UpdateMessage(ctx, row); err != nil {
			return r.D.Wrap(err, "update message")
		}
		out = msg
		return nil
	})
	return out, err
}

func (m messages) ListQueued(ctx context.Context, sessionID string, limit int) ([]message.Outbound, error) {
	rows, err := m.r.Q.ListQueuedMessages(ctx, ListArg{SessionID: sessionID, Lim: Limit(limit)})
	if err != nil {
		return nil, m.r.D.Wrap(err, "list queued messages")
	}
	return messagesToDomain(rows)
}

func (m messages) ListExpired(ctx context.Context, sessionID string, now time.Time, limit int) ([]message.Outbound, error) {
	rows, err := m.r.Q.ListExpiredQueuedMessages(ctx, ListArg{SessionID: sessionID, Now: now, Lim: Limit(limit)})
	if err != nil {
		return nil, m.r.D.Wrap(err, "list expired messages")
	}
	return messagesToDomain(rows)
}

func (m messages) SessionsWithQueued(ctx context.Context) ([]string, error) {
	ids, err := m.r.Q.SessionsWithQueuedMessages(ctx)
	if err != nil {
		return nil, m.r.D.Wrap(err, "list sessions with queued messages")
	}
	return ids, nil
}

func (m messages) ListSpentBlobs(ctx context.Context, before time.Time, limit int) ([]string, error) {
	keys, err := m.r.Q.ListSpentMessageBlobs(ctx, ListArg{Before: before, Lim: Limit(limit)})
	if err != nil {
		return nil, m.r.D.Wrap(err, "list spent blobs")
	}
	return keys, nil
}

func (m messages) MarkBlobDeleted(ctx context.Context, key string) error {
	return m.r.D.Wrap(m.r.Q.MarkMessageBlobDeleted(ctx, key), "mark blob deleted")
}

func (m messages) ListSessionBlobs(ctx context.Context, sessionID string) ([]string, error) {
	keys, err := m.r.Q.ListSessionMessageBlobs(ctx, sessionID)
	if err != nil {
		return nil, m.r.D.Wrap(err, "list blobs of session")
	}
	return keys, nil
}

func messagesToDomain(rows []MessageRow) ([]message.Outbound, error) {
	out := make([]message.Outbound, 0, len(rows))
	for _, row := range rows {
		msg, err := messageToDomain(row)
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	return out, nil
}

func toMessageRow(m message.Outbound) (MessageRow, error) {
	content, err := json.Marshal(m.Content)
	if err != nil {
		return MessageRow{}, fmt.Errorf("encode message content: %w", err)
	}
	row := MessageRow{
		SessionID: m.SessionID, ID: m.ID, ToJid: m.To.String(), Kind: string(m.Content.Kind), Content: string(content),
		BlobKey: m.Content.BlobKey(), Status: string(m.Status), FailReason: m.FailReason, FailCode: string(m.FailCode),
		Attempts: m.Attempts, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
	if !m.ExpiresAt.IsZero() { // the domain's "zero time means none" is NULL
		row.ExpiresAt = &m.ExpiresAt
	}
	return row, nil
}

func messageToDomain(row MessageRow) (message.Outbound, error) {
	var c message.Content
	if err := json.Unmarshal([]byte(row.Content), &c); err != nil {
		return message.Outbound{}, fmt.Errorf("decode content of message %s: %w", row.ID, err)
	}
	m := message.Outbound{
		ID: row.ID, SessionID: row.SessionID, To: jidToDomain(row.ToJid), Content: c, Status: message.Status(row.Status),
		FailReason: row.FailReason, FailCode: fault.Reason(row.FailCode), Attempts: row.Attempts,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	if row.ExpiresAt != nil {
		m.ExpiresAt = *row.ExpiresAt
	}
	return m, nil
}

// jidToDomain inverts chat.JID.String without validating again: the JID was valid
// when written, and a stored row must stay readable if the parsing rules change.
func jidToDomain(s string) chat.JID {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return chat.JID{Server: s}
	}
	return chat.JID{User: s[:at], Server: s[at+1:]}
}
