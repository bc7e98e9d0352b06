package sandbox

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Account-state calls succeed for a connected session and change nothing visible yet.
// TODO(issue 4): model receipts, presence, stars and chat settings in the network.

func (n *Network) MarkRead(_ context.Context, sessionID string, _, _ chat.JID, _ []string, _ time.Time) error {
	return n.connected(sessionID)
}

func (n *Network) SetPresence(_ context.Context, sessionID string, _ bool) error {
	return n.connected(sessionID)
}

func (n *Network) SetChatPresence(_ context.Context, sessionID string, _ chat.JID, _ ports.ChatState) error {
	return n.connected(sessionID)
}

func (n *Network) ChangeMessage(_ context.Context, sessionID string, _ message.Reference, _ ports.MessageChange) error {
	return n.connected(sessionID)
}

func (n *Network) ChangeChat(_ context.Context, sessionID string, _ chat.JID, _ ports.ChatChange) error {
	return n.connected(sessionID)
}
