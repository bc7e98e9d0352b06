package message

import (
	"strings"
	"time"

	"github.com/warest-go/warest/domain/chat"
)

// Received is an inbound message as the gateway keeps it: what arrived, and what
// happened to it since. Chat history, media download and message actions read it.
type Received struct {
	Inbound
	ReceivedAt time.Time
	EditedAt   time.Time // zero: never edited
	RevokedAt  time.Time // zero: not deleted for everyone (its content is then forgotten)
	ReadAt     time.Time // zero: not (yet) read by this account
	// Receipts of the peers, for messages from this account: the first delivery
	// and the first read (or play); zero when none came.
	DeliveredAt, SeenAt time.Time
	StarredAt           time.Time  // zero: not starred
	Reactions           []Reaction // each person's current reaction, oldest first
}

// Reaction is one person's current reaction to a message.
type Reaction struct {
	By    chat.JID
	Emoji string
	At    time.Time
}

// Revoked reports whether the sender deleted the message for everyone.
func (r Received) Revoked() bool { return !r.RevokedAt.IsZero() }

// StorableText is s as any database text column takes it: valid UTF-8 without NUL
// (PostgreSQL refuses both), each offending byte becoming U+FFFD. A message's exact
// text stays in its content.
func StorableText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
