package ports

import "context"

// DeviceLinks records which WhatsApp device each session is linked as; the
// transport's own device store keeps the device (keys, identity) itself. A session's
// link goes with the session.
type DeviceLinks interface {
	// LinkedDevice returns the device JID of the session, ok false when it has none.
	LinkedDevice(ctx context.Context, sessionID string) (jid string, ok bool, err error)
	// LinkDevice records jid as the session's device, replacing any earlier one.
	LinkDevice(ctx context.Context, sessionID, jid string) error
	// UnlinkDevice forgets the session's device; forgetting none is no error.
	UnlinkDevice(ctx context.Context, sessionID string) error
}
