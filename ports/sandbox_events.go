package ports

import (
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// SandboxCall is a virtual person calling the session. Then lists what follows the
// offer, in order: accept (answered on the phone), reject or terminate; empty leaves
// the call ringing.
type SandboxCall struct {
	From  string // phone digits
	Video bool
	Group chat.JID // a group call in this group; zero for a direct call
	Then  []CallState
}

// SandboxHistory is one history-sync chunk; Progress is the percentage synced.
type SandboxHistory struct {
	Messages []SandboxHistoryMessage
	Progress int
}

// SandboxHistoryMessage is an old message between the session and a virtual person.
type SandboxHistoryMessage struct {
	Peer    string    // phone digits: the other side of a direct chat, or the author in a group
	Group   chat.JID  // zero for the direct chat with Peer
	FromMe  bool      // the session wrote it (to Peer, or into Group)
	ID      string    // defaults to a fresh id
	At      time.Time // defaults to now
	Content message.Content
}

// SandboxUndecryptable is a message from a virtual person the session cannot read.
type SandboxUndecryptable struct {
	From  string   // phone digits
	Group chat.JID // zero for a direct message
}
