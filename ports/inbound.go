package ports

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// InboundMessages keeps the messages sessions received (live or from history) and
// what happened to them since: edits, deletion for everyone, reactions. Ingest
// writes it in the transaction of the message's event.
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
}
