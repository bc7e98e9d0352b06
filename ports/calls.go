package ports

import (
	"context"

	"github.com/warest-go/warest/domain/chat"
)

// Calls answers incoming WhatsApp calls. There is no media: a call can only be
// turned down.
type Calls interface {
	// RejectCall declines a ringing call from the caller.
	RejectCall(ctx context.Context, sessionID string, from chat.JID, callID string) error
}
