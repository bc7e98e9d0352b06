package ports

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
)

// TransportSink receives what a transport observes, in order per session.
type TransportSink interface {
	Handle(ctx context.Context, e TransportEvent) error
}

// TransportEvent is one observation: one of the typed variants below. Every variant
// names its session; those about people carry the phone JID and the LID when known.
type TransportEvent interface{ transportEvent() }

// TransportQR is a fresh login QR code; the previous one is void.
type TransportQR struct {
	SessionID string
	Code      string
	ExpiresIn time.Duration
}

// TransportPaired reports a successful QR scan or pair code, before the first connection.
type TransportPaired struct {
	SessionID string
	Me        session.Identity
	Platform  string
}

// TransportConnected reports a logged-in, open connection.
type TransportConnected struct {
	SessionID string
	Me        session.Identity
}

// TransportDisconnected reports a lost connection the transport is retrying.
type TransportDisconnected struct {
	SessionID string
	Reason    string // human readable
	Code      string // stable reason code, e.g. "network", "keepalive_timeout"
	Attempt   int
	RetryIn   time.Duration
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

// TransportMessage is an inbound message of any content kind, including reactions,
// edits, revokes and pins (message.Content says which).
type TransportMessage struct {
	Message message.Inbound
}

// TransportReceipt reports that messages were delivered, read or played by a peer.
// For our own outbound messages it advances their status.
type TransportReceipt struct {
	SessionID string
	Chat      chat.JID
	Sender    chat.Party // who delivered/read
	IDs       []string
	Status    message.Status // delivered, read or played
	At        time.Time
}

// TransportPresence is a contact going online or offline.
type TransportPresence struct {
	SessionID string
	From      chat.Party
	Available bool
	LastSeen  time.Time // zero when unknown
}

// TransportChatPresence is a contact typing, recording or pausing in a chat.
type TransportChatPresence struct {
	SessionID string
	Chat      chat.JID
	From      chat.Party
	State     ChatState
}

// GroupAction is a change of group membership or rank.
type GroupAction string

const (
	GroupAdd     GroupAction = "add"
	GroupRemove  GroupAction = "remove"
	GroupPromote GroupAction = "promote"
	GroupDemote  GroupAction = "demote"
)

// TransportGroupParticipants reports members added, removed, promoted or demoted.
type TransportGroupParticipants struct {
	SessionID    string
	Group        chat.JID
	Action       GroupAction
	Participants []chat.Party
	By           chat.Party // zero when unknown
	At           time.Time
}

// TransportGroupUpdate reports changed group settings; nil fields did not change.
type TransportGroupUpdate struct {
	SessionID string
	Group     chat.JID
	By        chat.Party
	Name      *string
	Topic     *string
	Locked    *bool // only admins edit info
	Announce  *bool // only admins send
	At        time.Time
}

// TransportJoinedGroup reports the account was added to (or created) a group.
type TransportJoinedGroup struct {
	SessionID    string
	Group        chat.JID
	Name         string
	Participants []chat.Party
	At           time.Time
}

// TransportGroupJoinRequest reports someone asking to join a group the account
// administers (a group that approves joins).
type TransportGroupJoinRequest struct {
	SessionID string
	Group     chat.JID
	Who       chat.Party
	Method    string // how they asked: invite_link, or what WhatsApp names
	At        time.Time
}

// CallState is the phase of a call.
type CallState string

const (
	CallOffer     CallState = "offer"
	CallAccept    CallState = "accept"
	CallReject    CallState = "reject"
	CallTerminate CallState = "terminate"
)

// TransportCall reports an incoming call and its progress.
type TransportCall struct {
	SessionID string
	CallID    string
	From      chat.Party
	State     CallState
	Video     bool
	Group     bool
	At        time.Time
}

// TransportHistorySync delivers a chunk of old messages after pairing.
type TransportHistorySync struct {
	SessionID string
	Messages  []message.Inbound
	Progress  int // percent, when known
}

// TransportUndecryptable reports a message that could not be decrypted.
type TransportUndecryptable struct {
	SessionID string
	Chat      chat.JID
	Sender    chat.Party
	ID        string
	At        time.Time
}

func (TransportQR) transportEvent()                {}
func (TransportPaired) transportEvent()            {}
func (TransportConnected) transportEvent()         {}
func (TransportDisconnected) transportEvent()      {}
func (TransportLoggedOut) transportEvent()         {}
func (TransportReplaced) transportEvent()          {}
func (TransportMessage) transportEvent()           {}
func (TransportReceipt) transportEvent()           {}
func (TransportPresence) transportEvent()          {}
func (TransportChatPresence) transportEvent()      {}
func (TransportGroupParticipants) transportEvent() {}
func (TransportGroupUpdate) transportEvent()       {}
func (TransportJoinedGroup) transportEvent()       {}
func (TransportGroupJoinRequest) transportEvent()  {}
func (TransportCall) transportEvent()              {}
func (TransportHistorySync) transportEvent()       {}
func (TransportUndecryptable) transportEvent()     {}
