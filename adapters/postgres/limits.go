package postgres

import (
	"context"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
)

type inbound struct{ r *repos }

func (i inbound) FindReceived(ctx context.Context, sessionID, messageID string) (event.Envelope, error) {
	row, err := i.r.q.FindReceivedMessage(ctx, db.FindReceivedMessageParams{SessionID: sessionID, MessageID: messageID})
	if err != nil {
		return event.Envelope{}, notFound(err, fault.ReasonMessageNotFound, "message "+messageID)
	}
	return eventToDomain(row), nil
}

func wrapIf(err error, what string) error {
	if err != nil {
		return wrap(err, what)
	}
	return nil
}
