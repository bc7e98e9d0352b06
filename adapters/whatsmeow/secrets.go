package whatsmeow

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

var _ ports.MessageSecrets = (*Transport)(nil)

// MessageSecret reads a message's secret from the session's device store, where
// whatsmeow keeps those of the polls the account sent and received.
func (t *Transport) MessageSecret(ctx context.Context, sessionID, chat, sender, messageID string) ([]byte, error) {
	dev, err := t.storedDevice(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if dev == nil {
		return nil, fault.FailedPrecondition(fault.ReasonNotPaired, "session %s has no linked WhatsApp account", sessionID)
	}
	chatJID, err := types.ParseJID(chat)
	if err != nil {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "invalid chat JID %q", chat)
	}
	senderJID, err := types.ParseJID(sender)
	if err != nil {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "invalid sender JID %q", sender)
	}
	secret, _, err := dev.MsgSecrets.GetMessageSecret(ctx, chatJID, senderJID, messageID)
	if err != nil {
		return nil, fmt.Errorf("whatsmeow: message secret: %w", err)
	}
	if secret == nil {
		return nil, fault.NotFound(fault.ReasonMessageNotFound, "the session's device has no secret for poll %s: pass pollEncKey", messageID)
	}
	return secret, nil
}
