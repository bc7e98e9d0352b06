package ports

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// Transport is a WhatsApp network: the real one (whatsmeow) or the sandbox.
// Connection changes and inbound traffic come back through the TransportSink given
// to Start; the sink returns only after the event is durably stored, so a transport
// must not acknowledge anything to the network before Handle returns nil.
// The ctx of each call bounds that call only; a started session outlives it.
type Transport interface {
	// Start connects a session's client. An unpaired session emits TransportQR events.
	// Starting an already running session is a no-op.
	Start(ctx context.Context, sessionID string, sink TransportSink) error
	// PairPhone asks for an 8-character pair code ("ABCD-EFGH") for the given phone digits.
	PairPhone(ctx context.Context, sessionID, phone string) (string, error)
	// Running reports whether this process (the ctx's client on a shared sandbox)
	// runs the session's client: started and not stopped, replaced or ended.
	Running(ctx context.Context, sessionID string) bool
	// Stop disconnects the client but keeps its credentials.
	Stop(ctx context.Context, sessionID string) error
	// Logout unlinks the device and purges its credentials.
	Logout(ctx context.Context, sessionID string) error
	// Device describes the linked device, if any.
	Device(ctx context.Context, sessionID string) (DeviceInfo, error)

	// Send delivers one message (any content kind, including reactions, edits and
	// revokes) with its client-chosen id. Sending the same id twice must not produce
	// two messages on the recipient's phone where the network allows it.
	// Its errors carry the fault kind the send queue acts on (message.ClassifySend):
	// unavailable (disconnected, timed out) or failed precondition session_not_open
	// (runtime not running) wait for the session; not_paired, not_on_whatsapp,
	// recipient_invalid, group_not_found and other invalid, not-found or forbidden
	// refusals fail the message at once; errors without a kind are retried a few times.
	Send(ctx context.Context, sessionID string, m message.Outbound) (SendReceipt, error)
	// MarkRead sends read receipts for messages of one sender in a chat.
	MarkRead(ctx context.Context, sessionID string, chat, sender chat.JID, ids []string, at time.Time) error
	// SetPresence announces the account as available or unavailable.
	SetPresence(ctx context.Context, sessionID string, available bool) error
	// SetChatPresence shows typing or recording in a chat, or clears it (paused).
	SetChatPresence(ctx context.Context, sessionID string, chat chat.JID, state ChatState) error
	// ChangeMessage stars, unstars or deletes (for me) a message; these are account
	// state, not messages to the peer.
	ChangeMessage(ctx context.Context, sessionID string, target message.Reference, change MessageChange) error
	// ChangeChat mutes, archives, pins or clears a chat (account state).
	ChangeChat(ctx context.Context, sessionID string, chat chat.JID, change ChatChange) error
}

// ChatState is what a chat shows about the account.
type ChatState string

const (
	ChatComposing ChatState = "composing"
	ChatRecording ChatState = "recording"
	ChatPaused    ChatState = "paused"
)

// MessageChange is an account-state change of one message.
type MessageChange string

const (
	MessageStar        MessageChange = "star"
	MessageUnstar      MessageChange = "unstar"
	MessageDeleteForMe MessageChange = "delete_for_me"
)

// ChatChange is an account-state change of one chat.
type ChatChange struct {
	Kind      ChatChangeKind
	MuteUntil time.Time // for mute; zero means forever
}

// ChatChangeKind names the chat change.
type ChatChangeKind string

const (
	ChatMute      ChatChangeKind = "mute"
	ChatUnmute    ChatChangeKind = "unmute"
	ChatArchive   ChatChangeKind = "archive"
	ChatUnarchive ChatChangeKind = "unarchive"
	ChatPin       ChatChangeKind = "pin"
	ChatUnpin     ChatChangeKind = "unpin"
	ChatClear     ChatChangeKind = "clear"
)

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
