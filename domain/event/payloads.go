package event

import (
	"time"

	"github.com/warest-go/warest/domain/message"
)

// Payload shapes of the events, as WAREST receivers read them in the webhook `data`.
// `id` is the session id (WAREST puts it in every payload); sessionId is added on delivery.

// Me is the linked account in session events.
type Me struct {
	ID   string `json:"id"`
	LID  string `json:"lid,omitempty"`
	Name string `json:"name,omitempty"`
}

// SessionStatusData is the `session_status` payload.
type SessionStatusData struct {
	ID         string `json:"id"`
	Tags       string `json:"tags,omitempty"`   // create, close, qr, connecting, delete
	Status     string `json:"status,omitempty"` // open, reconnecting, logged_out, replaced, stopped
	QR         string `json:"qr,omitempty"`
	QRString   string `json:"qrString,omitempty"`
	QRDuration int    `json:"qrDuration,omitempty"` // seconds
	Me         *Me    `json:"me,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Attempts   int    `json:"attempts,omitempty"`
}

// MessageKey identifies a WhatsApp message the way WAREST (Baileys) does.
type MessageKey struct {
	RemoteJID   string `json:"remoteJid"`
	FromMe      bool   `json:"fromMe"`
	ID          string `json:"id"`
	Participant string `json:"participant,omitempty"`
}

// Sender describes who sent an inbound message; both phone JID and LID when known.
type Sender struct {
	ChatID    string `json:"chatId"`
	FromMe    bool   `json:"fromMe"`
	IsGroup   bool   `json:"isGroup"`
	AuthorJID string `json:"authorJid"`
	AuthorLID string `json:"authorLid,omitempty"`
	PushName  string `json:"pushName,omitempty"`
}

// WAMessage is the subset of a WhatsApp message object WAREST receivers read.
type WAMessage struct {
	Key              MessageKey     `json:"key"`
	MessageTimestamp int64          `json:"messageTimestamp"`
	PushName         string         `json:"pushName,omitempty"`
	Message          map[string]any `json:"message"`
}

// MessageReceivedData is the `message_received` payload.
type MessageReceivedData struct {
	ID          string    `json:"id"`
	Tags        string    `json:"tags"`
	Message     WAMessage `json:"message"`
	Text        string    `json:"text"`
	ContentType string    `json:"contentType"`
	Sender      Sender    `json:"sender"`
	Mentions    []string  `json:"mentions"`
	Type        string    `json:"type"`
}

// MessageStatusData is the `message_status` payload (an event WAREST lacks).
type MessageStatusData struct {
	ID        string `json:"id"`
	MessageID string `json:"messageId"`
	To        string `json:"to"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	Timestamp int64  `json:"timestamp"`
}

// MessageStatusOf is the status event payload of an outbound message.
func MessageStatusOf(m message.Outbound, now time.Time) MessageStatusData {
	return MessageStatusData{ID: m.SessionID, MessageID: m.ID, To: m.To.String(), Status: string(m.Status),
		Reason: m.FailReason, Timestamp: now.Unix()}
}
