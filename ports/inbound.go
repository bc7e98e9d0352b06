package ports

import (
	"context"

	"github.com/warest-go/warest/domain/event"
)

// InboundRepository finds received messages in the events log, so message actions
// can address a message by its id alone.
type InboundRepository interface {
	// FindReceived returns the newest message_received event of the session whose
	// Envelope.MessageID is messageID; fault.KindNotFound when there is none.
	FindReceived(ctx context.Context, sessionID, messageID string) (event.Envelope, error)
}
