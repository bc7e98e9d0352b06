package ports

import (
	"context"

	"github.com/warest-go/warest/domain/chat"
)

// Contacts answers who is on WhatsApp and maps identities. It is separate from
// Transport so a transport can offer it later than messaging.
type Contacts interface {
	// IsOnWhatsApp checks phone numbers, in the order given.
	IsOnWhatsApp(ctx context.Context, sessionID string, phones []string) ([]OnWhatsApp, error)
	// Identify completes a person known by phone JID or by LID with the other.
	Identify(ctx context.Context, sessionID string, who chat.JID) (chat.Party, error)
	// Contacts lists the people the account has chats with.
	Contacts(ctx context.Context, sessionID string) ([]chat.Party, error)
	// SubscribePresence asks to be told when who goes online or offline; the
	// updates arrive as TransportPresence events.
	SubscribePresence(ctx context.Context, sessionID string, who chat.JID) error
}

// OnWhatsApp is the answer for one queried phone.
type OnWhatsApp struct {
	Query    string
	Exists   bool
	Party    chat.Party // set when Exists
	Business bool
}
