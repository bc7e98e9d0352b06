package ports

import (
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// SandboxNetwork is the control surface of the virtual WhatsApp network (sandbox
// transport only): it plays the phones and the people around the sessions.
type SandboxNetwork interface {
	// CurrentQR returns the session's scannable QR code, if it shows one.
	CurrentQR(sessionID string) (string, bool)
	// Scan is a phone scanning the session's QR.
	Scan(sessionID, qrCode, phone, pushName string) error
	// ConfirmPairCode is the phone entering the session's pair code.
	ConfirmPairCode(sessionID, code string) error

	// AddContact creates or updates a virtual person and returns it with its JIDs.
	AddContact(c SandboxContact) (SandboxContact, error)
	// VirtualContacts lists the added virtual people by phone.
	VirtualContacts() []SandboxContact
	// Inject delivers a message of any content kind from a virtual person to the
	// session, or into a group the session is in; it returns the message id.
	Inject(sessionID string, in SandboxInbound) (string, error)
	// ContactRead makes a virtual person read (and, for voice notes and videos,
	// play) messages the session sent them.
	ContactRead(sessionID, phone string, ids []string, played bool) error
	// ContactPresence shows a virtual person online, offline, typing or recording.
	ContactPresence(sessionID, phone string, p SandboxPresence) error
	// CreateVirtualGroup makes a group of virtual people that includes the session.
	CreateVirtualGroup(sessionID string, g SandboxGroup) (GroupInfo, error)
	// ContactJoinGroup makes a virtual person join by an invite link or code; in a
	// group that approves joins it asks instead and reports pending.
	ContactJoinGroup(phone, link string) (pending bool, err error)
	// ContactCall makes a virtual person call the session (an offer, then the
	// states in c.Then); it returns the call id.
	ContactCall(sessionID string, c SandboxCall) (string, error)
	// HistorySync delivers a chunk of old messages, as the phone does after pairing;
	// it returns their ids.
	HistorySync(sessionID string, h SandboxHistory) ([]string, error)
	// Undecryptable delivers a message from a virtual person that the session cannot
	// decrypt; it returns the message id.
	Undecryptable(sessionID string, u SandboxUndecryptable) (string, error)

	// Sent returns the messages a session sent into the network, oldest first.
	Sent(sessionID string) []message.Outbound
	// Attempts returns every send of the session that reached the network, oldest
	// first, repeats of an id included: the peer gets an id once, the log shows
	// each time the gateway sent it.
	Attempts(sessionID string) []SandboxSendAttempt
	// Connections lists the started sessions by id with the client running each.
	Connections() []SandboxConnection
	// Replacements lists, oldest first, every connection of a session's device that
	// replaced another client's; ReplaceStream's simulated ones are not listed.
	Replacements() []SandboxReplacement
	// AccountState shows the session's stars, deletions and chat settings.
	AccountState(sessionID string) (SandboxAccountState, error)

	// Disconnect drops the connection; the session reconnects by itself.
	Disconnect(sessionID string) error
	// RemoteLogout unlinks the device from the phone.
	RemoteLogout(sessionID, reason string) error
	// ReplaceStream makes another client take over the session's stream.
	ReplaceStream(sessionID string) error
	// SetFaults makes the session's sends fail at a rate and take longer.
	SetFaults(sessionID string, f SandboxFaults) error
}

// SandboxContact is a virtual person.
type SandboxContact struct {
	Phone        string
	Name         string
	About        string
	Unregistered bool // the number is not on WhatsApp
	Business     *BusinessProfile
	JID, LID     chat.JID // set by the network
}

// SandboxInbound is a message a virtual person sends. Content.Target of a
// reaction, edit, revoke or pin needs only the message id: the network knows the rest.
type SandboxInbound struct {
	From     string   // phone digits
	PushName string   // this message's sender name, the contact's own by default; the contact keeps theirs
	Group    chat.JID // zero for a direct message to the session
	Content  message.Content
	// MediaData is the media file's bytes: the session's media downloads get them.
	MediaData []byte
}

// SandboxPresence is what a virtual person shows: available or unavailable, or a
// chat state (composing, recording, paused) in their chat with the session or in Group.
type SandboxPresence struct {
	State string
	Group chat.JID
}

// SandboxGroup is a group of virtual people. Owner is the phone of the creator; an
// empty Owner means the session creates it.
type SandboxGroup struct {
	Owner        string
	Name         string
	Topic        string
	Members      []string // phones; the session is always added
	Locked       bool
	Announce     bool
	JoinApproval bool
}

// SandboxFaults are injected failures for one session's sends.
type SandboxFaults struct {
	SendFailureRate float64       // 0..1, drawn from the network's seeded randomness
	Latency         time.Duration // added to every send
}

// SandboxSendAttempt is one send of a message id into the network.
type SandboxSendAttempt struct {
	ID string
	At time.Time
	// Repeat marks an id the network had already taken: WhatsApp drops it, but a
	// gateway that resends after a crash shows up here.
	Repeat bool
	// Client is the id of the connection that sent it: a gateway process attached
	// to a shared network, "" for the process the network runs in.
	Client string
}

// SandboxConnection is a started session and the client that runs it.
type SandboxConnection struct {
	SessionID string
	Client    string
	Connected bool // paired and online, not reconnecting
}

// SandboxReplacement is a client connecting a session's device while another
// client held its connection: the other one got TransportReplaced.
type SandboxReplacement struct {
	SessionID string
	Replaced  string // the client id whose connection ended
	By        string // the client id that connected
	At        time.Time
	// Live is false when the replaced client had already gone away (a crashed
	// gateway): a takeover, not two live gateways fighting over the device.
	Live bool
}

// SandboxAccountState is the account state the session changed.
type SandboxAccountState struct {
	Starred      []message.Reference
	DeletedForMe []message.Reference
	Chats        []SandboxChat
}

// SandboxChat is one chat's settings.
type SandboxChat struct {
	Chat       chat.JID
	Muted      bool
	MutedUntil time.Time // zero: forever (when Muted)
	Archived   bool
	Pinned     bool
	ClearedAt  time.Time
}
