package ports

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
)

// Transport is a WhatsApp network: the real one (whatsmeow) or the sandbox.
// Connection changes and inbound traffic come back through the TransportSink given
// to Start; the sink returns only after the event is durably stored, so a transport
// must not acknowledge anything to the network before Handle returns nil.
type Transport interface {
	// Start connects a session's client. An unpaired session emits TransportQR events.
	// Starting an already running session is a no-op.
	Start(ctx context.Context, sessionID string, sink TransportSink) error
	// PairPhone asks for an 8-character pair code ("ABCD-EFGH") for the given phone digits.
	PairPhone(ctx context.Context, sessionID, phone string) (string, error)
	// Stop disconnects the client but keeps its credentials.
	Stop(ctx context.Context, sessionID string) error
	// Logout unlinks the device and purges its credentials.
	Logout(ctx context.Context, sessionID string) error
	// Send delivers one message with its client-chosen id. Sending the same id twice
	// must not produce two messages on the recipient's phone where the network allows.
	Send(ctx context.Context, sessionID string, m message.Outbound) (SendReceipt, error)
	// Device describes the linked device, if any.
	Device(ctx context.Context, sessionID string) (DeviceInfo, error)
}

// SendReceipt is the network's answer to a send.
type SendReceipt struct {
	ID        string
	Timestamp time.Time
}

// DeviceInfo summarises the linked device.
type DeviceInfo struct {
	Name     string // push name, "" when not linked
	Phone    string // digits, "" when not linked
	Platform string // e.g. "android"; "" when unknown
}

// TransportSink receives what a transport observes, in order per session.
type TransportSink interface {
	Handle(ctx context.Context, e TransportEvent) error
}

// TransportEvent is one observation; exactly one of the typed variants below.
type TransportEvent interface{ transportEvent() }

// TransportQR is a fresh login QR code; the previous one is void.
type TransportQR struct {
	SessionID string
	Code      string
	ExpiresIn time.Duration
}

// TransportConnected reports a logged-in, open connection.
type TransportConnected struct {
	SessionID string
	Me        session.Identity
}

// TransportDisconnected reports a lost connection the transport is retrying.
type TransportDisconnected struct {
	SessionID string
	Reason    string
	Attempt   int
}

// TransportLoggedOut reports the device was unlinked remotely; credentials are gone.
type TransportLoggedOut struct {
	SessionID string
	Reason    string
}

// TransportReplaced reports another client took over the stream; no reconnect follows.
type TransportReplaced struct {
	SessionID string
}

// TransportMessage is an inbound message.
type TransportMessage struct {
	Message message.Inbound
}

// TransportAck reports progress of an outbound message.
type TransportAck struct {
	SessionID string
	MessageID string
	Chat      chat.JID
	Status    message.Status // delivered or read
	At        time.Time
}

func (TransportQR) transportEvent()           {}
func (TransportConnected) transportEvent()    {}
func (TransportDisconnected) transportEvent() {}
func (TransportLoggedOut) transportEvent()    {}
func (TransportReplaced) transportEvent()     {}
func (TransportMessage) transportEvent()      {}
func (TransportAck) transportEvent()          {}
