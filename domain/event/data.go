package event

import (
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// Data is the typed content of an event: what happened, in the gateway's own terms.
// It is stored in a neutral, versioned form (see Encode); the wire format receivers
// read (WAREST's Baileys-shaped JSON) is rendered from it at the edge. The session
// an event is about is the envelope's, never repeated here.
type Data interface{ eventData() }

// Identity is the linked WhatsApp account.
type Identity struct {
	JID  string `json:"jid"`
	LID  string `json:"lid,omitempty"`
	Name string `json:"name,omitempty"`
}

// SessionStatusChanged is a session_status event.
type SessionStatusChanged struct {
	Tag        string        `json:"tag,omitempty"`     // create, close, qr, connecting, delete, conflict_replaced
	Status     string        `json:"status,omitempty"`  // open, reconnecting, logged_out, replaced, stopped
	QRImage    string        `json:"qrImage,omitempty"` // the QR as a data URL
	QRCode     string        `json:"qrCode,omitempty"`  // the text the QR encodes
	QRValidFor time.Duration `json:"qrValidFor,omitempty"`
	Me         *Identity     `json:"me,omitempty"`
	Reason     string        `json:"reason,omitempty"`
	Code       string        `json:"code,omitempty"` // stable reason code of a disconnect
	Attempts   int           `json:"attempts,omitempty"`
	RetryIn    time.Duration `json:"retryIn,omitempty"` // when the next reconnect attempt runs
}

// SessionHealthChanged is a session_health event: the connection became healthy,
// degraded or down.
type SessionHealthChanged struct {
	Health   string        `json:"health"`
	Status   string        `json:"status"`
	Code     string        `json:"code,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	Attempts int           `json:"attempts,omitempty"`
	RetryIn  time.Duration `json:"retryIn,omitempty"`
}

// DeviceLinked is a creds_update event: the device was (re)linked.
type DeviceLinked struct {
	Me Identity `json:"me"`
}

// InboundMessage is a message that arrived: message_received, and (by its content's
// kind) message_reaction, message_edited and message_revoked.
type InboundMessage struct {
	ID      string          `json:"id"`
	Chat    chat.JID        `json:"chat"`
	Sender  chat.Party      `json:"sender"`
	FromMe  bool            `json:"fromMe,omitempty"` // sent by the account from another device
	Content message.Content `json:"content"`
	SentAt  time.Time       `json:"sentAt"`
	History bool            `json:"history,omitempty"` // delivered by history sync, not live
}

// InboundOf is the event value of an inbound message.
func InboundOf(m message.Inbound) InboundMessage {
	return InboundMessage{ID: m.ID, Chat: m.Chat, Sender: m.Sender, FromMe: m.FromMe, Content: m.Content, SentAt: m.Timestamp, History: m.History}
}

// CommandReceived is a message_command event: an inbound text that starts with a
// command prefix.
type CommandReceived struct {
	Message InboundMessage `json:"message"`
	Name    string         `json:"name"` // lower case
	Prefix  string         `json:"prefix"`
	Args    []string       `json:"args"`
	Text    string         `json:"text"` // the message text, trimmed
}

// HistorySynced is a history_sync event: one page of old messages.
type HistorySynced struct {
	Progress int              `json:"progress"` // percent, when known
	Messages []InboundMessage `json:"messages"`
}

// ReceiptReceived is a message_ack event: a peer's receipt for messages of a chat.
type ReceiptReceived struct {
	Chat       chat.JID       `json:"chat"`
	MessageIDs []string       `json:"messageIds"`
	Status     message.Status `json:"status"` // delivered, read or played
	By         chat.Party     `json:"by"`
	At         time.Time      `json:"at"`
}

// Undecryptable is a message_undecryptable event.
type Undecryptable struct {
	ID     string     `json:"id"`
	Chat   chat.JID   `json:"chat"`
	Sender chat.Party `json:"sender"`
	At     time.Time  `json:"at"`
}

// MessageStatusChanged is a message_status event: our outbound message moved.
type MessageStatusChanged struct {
	MessageID string         `json:"messageId"`
	To        chat.JID       `json:"to"`
	Status    message.Status `json:"status"`
	Reason    string         `json:"reason,omitempty"`
	FailCode  string         `json:"failCode,omitempty"` // why a failed message failed (not_paired, expired...)
	At        time.Time      `json:"at"`
}

// MessageStatusOf is the status event of an outbound message.
func MessageStatusOf(m message.Outbound, now time.Time) MessageStatusChanged {
	return MessageStatusChanged{MessageID: m.ID, To: m.To, Status: m.Status, Reason: m.FailReason, FailCode: string(m.FailCode), At: now}
}

// GroupMembersChanged is a group_participants, group_join or group_leave event.
type GroupMembersChanged struct {
	Group   chat.JID     `json:"group"`
	Action  string       `json:"action"` // add, remove, promote, demote; joined when the account joined
	Members []chat.Party `json:"members"`
	By      chat.Party   `json:"by,omitzero"` // zero when unknown
	At      time.Time    `json:"at"`
}

// GroupSettingsChanged is a group_update event; nil fields did not change.
type GroupSettingsChanged struct {
	Group    chat.JID   `json:"group"`
	By       chat.Party `json:"by,omitzero"`
	Name     *string    `json:"name,omitempty"`
	Topic    *string    `json:"topic,omitempty"`
	Locked   *bool      `json:"locked,omitempty"`   // only admins edit info
	Announce *bool      `json:"announce,omitempty"` // only admins send
	At       time.Time  `json:"at"`
}

// JoinRequested is a group_join_request event: Who asks to join Group, which
// admins approve joins to.
type JoinRequested struct {
	Group  chat.JID   `json:"group"`
	Who    chat.Party `json:"who"`
	Method string     `json:"method"` // invite_link, or how WhatsApp says they asked
	At     time.Time  `json:"at"`
}

// PresenceChanged is a presence_update event: a contact online or offline (Chat
// zero), or typing, recording or pausing in Chat.
type PresenceChanged struct {
	Chat     chat.JID   `json:"chat,omitzero"`
	From     chat.Party `json:"from"`
	State    string     `json:"state"` // available, unavailable, composing, recording, paused
	LastSeen time.Time  `json:"lastSeen,omitzero"`
}

// CallUpdated is a call event.
type CallUpdated struct {
	CallID string     `json:"callId"`
	From   chat.Party `json:"from"`
	State  string     `json:"state"` // offer, accept, reject, terminate
	Video  bool       `json:"video,omitempty"`
	Group  bool       `json:"group,omitempty"`
	At     time.Time  `json:"at"`
}

// SubscriptionDisabled is a webhook_disabled event.
type SubscriptionDisabled struct {
	SubscriptionID string `json:"subscriptionId"`
	URL            string `json:"url"`
	Failures       int    `json:"failures"`
	Reason         string `json:"reason"`
}

// ActionFailed is a webhook_action_failed event.
type ActionFailed struct {
	DeliveryID string `json:"deliveryId"`
	EventID    string `json:"eventId"`
	Path       string `json:"path,omitempty"` // position of the action in the answer; "" when the answer did not parse
	Action     string `json:"action,omitempty"`
	Error      string `json:"error"`
}

func (SessionStatusChanged) eventData() {}
func (SessionHealthChanged) eventData() {}
func (DeviceLinked) eventData()         {}
func (InboundMessage) eventData()       {}
func (CommandReceived) eventData()      {}
func (HistorySynced) eventData()        {}
func (ReceiptReceived) eventData()      {}
func (Undecryptable) eventData()        {}
func (MessageStatusChanged) eventData() {}
func (GroupMembersChanged) eventData()  {}
func (GroupSettingsChanged) eventData() {}
func (JoinRequested) eventData()        {}
func (PresenceChanged) eventData()      {}
func (CallUpdated) eventData()          {}
func (SubscriptionDisabled) eventData() {}
func (ActionFailed) eventData()         {}
func (Legacy) eventData()               {}

// shapes is the Data type each event type carries.
var shapes = map[Type]Data{
	SessionStatus:        SessionStatusChanged{},
	SessionHealth:        SessionHealthChanged{},
	CredsUpdate:          DeviceLinked{},
	MessageReceived:      InboundMessage{},
	MessageReaction:      InboundMessage{},
	MessageEdited:        InboundMessage{},
	MessageRevoked:       InboundMessage{},
	MessageCommand:       CommandReceived{},
	HistorySync:          HistorySynced{},
	MessageAck:           ReceiptReceived{},
	MessageUndecryptable: Undecryptable{},
	MessageStatus:        MessageStatusChanged{},
	GroupParticipants:    GroupMembersChanged{},
	GroupJoin:            GroupMembersChanged{},
	GroupLeave:           GroupMembersChanged{},
	GroupUpdate:          GroupSettingsChanged{},
	GroupJoinRequest:     JoinRequested{},
	PresenceUpdate:       PresenceChanged{},
	Call:                 CallUpdated{},
	WebhookDisabled:      SubscriptionDisabled{},
	WebhookActionFailed:  ActionFailed{},
}
