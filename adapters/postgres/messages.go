package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

type messages struct{ r *repos }

func (m messages) Create(ctx context.Context, msg message.Outbound) error {
	row, err := toMessageRow(msg)
	if err != nil {
		return err
	}
	n, err := m.r.q.CreateMessage(ctx, row)
	if isForeignKeyViolation(err) {
		return sessionGone(msg.SessionID)
	}
	if err != nil {
		return wrap(err, "create message")
	}
	if n == 0 {
		return fault.Conflict("", "message %s already exists in session %s", msg.ID, msg.SessionID)
	}
	return nil
}

func (m messages) Get(ctx context.Context, sessionID, id string) (message.Outbound, error) {
	row, err := m.r.q.GetMessage(ctx, db.GetMessageParams{SessionID: sessionID, ID: id})
	if err != nil {
		return message.Outbound{}, notFound(err, fault.ReasonMessageNotFound, "message "+id)
	}
	return messageToDomain(row)
}

// Update writes back under the original keys: fn may not move a message elsewhere.
func (m messages) Update(ctx context.Context, sessionID, id string, fn func(*message.Outbound) error) (message.Outbound, error) {
	var out message.Outbound
	err := m.r.atomic(ctx, func(r *repos) error {
		row, err := r.q.GetMessageForUpdate(ctx, db.GetMessageForUpdateParams{SessionID: sessionID, ID: id})
		if err != nil {
			return notFound(err, fault.ReasonMessageNotFound, "message "+id)
		}
		msg, err := messageToDomain(row)
		if err != nil {
			return err
		}
		if err := fn(&msg); err != nil {
			return err
		}
		msg.SessionID, msg.ID = sessionID, id
		params, err := toMessageRow(msg)
		if err != nil {
			return err
		}
		if _, err := r.q.UpdateMessage(ctx, db.UpdateMessageParams(params)); err != nil {
			return wrap(err, "update message")
		}
		out = msg
		return nil
	})
	return out, err
}

func (m messages) ListQueued(ctx context.Context, sessionID string, limit int) ([]message.Outbound, error) {
	rows, err := m.r.q.ListQueuedMessages(ctx, db.ListQueuedMessagesParams{SessionID: sessionID, Lim: toLimit(limit)})
	if err != nil {
		return nil, wrap(err, "list queued messages")
	}
	return messagesToDomain(rows)
}

func (m messages) ListExpired(ctx context.Context, sessionID string, now time.Time, limit int) ([]message.Outbound, error) {
	rows, err := m.r.q.ListExpiredQueuedMessages(ctx, db.ListExpiredQueuedMessagesParams{SessionID: sessionID, Now: &now, Lim: toLimit(limit)})
	if err != nil {
		return nil, wrap(err, "list expired messages")
	}
	return messagesToDomain(rows)
}

func messagesToDomain(rows []db.Message) ([]message.Outbound, error) {
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

func (m messages) SessionsWithQueued(ctx context.Context) ([]string, error) {
	ids, err := m.r.q.SessionsWithQueuedMessages(ctx)
	if err != nil {
		return nil, wrap(err, "list sessions with queued messages")
	}
	return ids, nil
}

func toMessageRow(m message.Outbound) (db.CreateMessageParams, error) {
	content, err := json.Marshal(m.Content)
	if err != nil {
		return db.CreateMessageParams{}, fmt.Errorf("encode message content: %w", err)
	}
	return db.CreateMessageParams{
		SessionID: m.SessionID, ID: m.ID, ToJid: m.To.String(), Kind: string(m.Content.Kind), Content: string(content), BlobKey: m.Content.BlobKey(),
		Status: string(m.Status), FailReason: m.FailReason, FailCode: string(m.FailCode), Attempts: int32(m.Attempts),
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, ExpiresAt: nonZero(m.ExpiresAt),
	}, nil
}

func messageToDomain(row db.Message) (message.Outbound, error) {
	var c message.Content
	if err := json.Unmarshal([]byte(row.Content), &c); err != nil {
		return message.Outbound{}, fmt.Errorf("decode content of message %s: %w", row.ID, err)
	}
	return message.Outbound{
		ID: row.ID, SessionID: row.SessionID, To: jidToDomain(row.ToJid), Content: c, Status: message.Status(row.Status),
		FailReason: row.FailReason, FailCode: fault.Reason(row.FailCode), Attempts: int(row.Attempts),
		CreatedAt: toUTC(row.CreatedAt), UpdatedAt: toUTC(row.UpdatedAt), ExpiresAt: zeroIfNil(toUTCPtr(row.ExpiresAt)),
	}, nil
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
