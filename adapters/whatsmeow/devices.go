package whatsmeow

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/ports"
)

// devices maps session ids to their linked device JIDs through the store (its sqlc
// statements on wa_session_devices); whatsmeow keeps the device itself in its own
// tables.
type devices struct{ links ports.DeviceLinks }

func (d devices) lookup(ctx context.Context, sessionID string) (types.JID, bool, error) {
	raw, ok, err := d.links.LinkedDevice(ctx, sessionID)
	if err != nil || !ok {
		return types.JID{}, false, err
	}
	jid, err := types.ParseJID(raw)
	if err != nil {
		return types.JID{}, false, fmt.Errorf("whatsmeow: stored device JID %q: %w", raw, err)
	}
	return jid, true, nil
}

func (d devices) put(ctx context.Context, sessionID string, jid types.JID) error {
	return d.links.LinkDevice(ctx, sessionID, jid.String())
}

func (d devices) remove(ctx context.Context, sessionID string) error {
	return d.links.UnlinkDevice(ctx, sessionID)
}
