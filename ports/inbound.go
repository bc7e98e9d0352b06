package ports

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// InboundMessages keeps the messages sessions received (live or from history) or
// sent, and what happened to them since: edits, deletion for everyone, reactions,
// reads. It is the chat history. Ingest writes it in the transaction of the
// message's event, the send queue in the one recording the message sent.
type InboundMessages interface {
	// Save records a received message; one already recorded under its session and
	// id is kept as it is (the network delivers a message again after a lost ack).
	Save(ctx context.Context, m message.Inbound, receivedAt time.Time) error
	// Edit replaces the text of a recorded message; fault.KindNotFound when it is
	// not recorded.
	Edit(ctx context.Context, sessionID, id, text string, at time.Time) error
	// Revoke marks a recorded message deleted for everyone and forgets its content;
	// fault.KindNotFound when it is not recorded.
	Revoke(ctx context.Context, sessionID, id string, at time.Time) error
	// React records by's reaction to a message, recorded or not (our own messages
	// get reactions too); an empty emoji removes it.
	React(ctx context.Context, sessionID, messageID string, by chat.JID, emoji string, at time.Time) error
	// Get returns a recorded message with its reactions; fault.KindNotFound
	// (ReasonMessageNotFound) when there is none.
	Get(ctx context.Context, sessionID, id string) (message.Received, error)

	// History returns a page of one chat's history with each message's reactions.
	History(ctx context.Context, q message.HistoryQuery) (message.HistoryPage, error)
	// Chats summarises every chat of the session that has history, in no order.
	Chats(ctx context.Context, sessionID string) ([]message.ChatSummary, error)
	// MarkRead records that this account read the messages; ones already read or
	// not recorded are left as they are.
	MarkRead(ctx context.Context, sessionID string, ids []string, at time.Time) error
	// Receipt records a peer's receipt (delivered, read or played) for a message;
	// the first of each kind stays. Messages not recorded are left alone.
	Receipt(ctx context.Context, sessionID, id string, status message.Status, at time.Time) error
	// Star stars or unstars a recorded message; one not recorded is left alone.
	Star(ctx context.Context, sessionID, id string, starred bool, at time.Time) error
	// PinChat pins or unpins a chat in the session's chat list.
	PinChat(ctx context.Context, sessionID string, c chat.JID, pinned bool, at time.Time) error
	// Forget deletes at most limit of the session's messages sent before before,
	// oldest first, with the reactions left without a message; it returns how many
	// messages it deleted (retention).
	Forget(ctx context.Context, sessionID string, before time.Time, limit int) (int, error)
}
