package sandbox

import (
	"context"
	"slices"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Send records m in the network log once per message id, hands it to the
// recipient when the recipient is a sandbox session, and acks it as delivered.
// A repeated id returns the first receipt and changes nothing.
func (n *Network) Send(ctx context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	if err := ctx.Err(); err != nil {
		return ports.SendReceipt{}, err
	}
	if m.ID == "" {
		return ports.SendReceipt{}, fault.Invalid(fault.ReasonMissingParameter, "message id is required")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.connectedLocked(sessionID)
	if err != nil {
		return ports.SendReceipt{}, err
	}
	if r, dup := st.receipts[m.ID]; dup {
		return r, nil
	}
	now := n.clock.Now().UTC()
	receipt := ports.SendReceipt{ID: m.ID, Timestamp: now}
	st.receipts[m.ID] = receipt
	st.sent = append(st.sent, m)
	if to := n.recipient(m.To); to != nil {
		n.enqueue(to, ports.TransportMessage{Message: inboundFrom(st, to, m, now)})
	}
	n.enqueue(st, ports.TransportReceipt{SessionID: sessionID, IDs: []string{m.ID}, Chat: m.To,
		Sender: chat.Party{JID: m.To}, Status: message.StatusDelivered, At: now})
	return receipt, nil
}

// Sent returns the messages a session sent, oldest first.
func (n *Network) Sent(sessionID string) []message.Outbound {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st, ok := n.sessions[sessionID]; ok {
		return slices.Clone(st.sent)
	}
	return nil
}

// recipient finds the paired session a JID addresses, if any. Caller holds n.mu.
func (n *Network) recipient(to chat.JID) *sessionState {
	switch to.Kind() {
	case chat.KindUser:
		return n.byPhone[to.User]
	case chat.KindLID:
		for _, st := range n.byPhone {
			if st.account.lid() == to {
				return st
			}
		}
	}
	return nil
}

// inboundFrom is m as the recipient's phone sees it: same id, chat with the sender.
func inboundFrom(from, to *sessionState, m message.Outbound, at time.Time) message.Inbound {
	return message.Inbound{
		ID:        m.ID,
		SessionID: to.id,
		Chat:      from.account.jid(),
		Sender:    chat.Party{JID: from.account.jid(), LID: from.account.lid(), PushName: from.account.name},
		FromMe:    from == to,
		Content:   m.Content,
		Timestamp: at,
	}
}

// connected checks the session can talk to the network now.
func (n *Network) connected(sessionID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, err := n.connectedLocked(sessionID)
	return err
}

// connectedLocked returns the session's state if it is started, paired and
// connected. Caller holds n.mu.
func (n *Network) connectedLocked(sessionID string) (*sessionState, error) {
	st, ok := n.sessions[sessionID]
	switch {
	case !ok || st.client == nil:
		return nil, fault.FailedPrecondition(fault.ReasonSessionNotOpen, "session %s is not started", sessionID)
	case st.account == nil:
		return nil, fault.FailedPrecondition(fault.ReasonSessionNotOpen, "session %s is not paired", sessionID)
	case !st.connected:
		return nil, fault.New(fault.KindUnavailable, fault.ReasonSessionNotOpen, "session %s is reconnecting", sessionID)
	}
	return st, nil
}
