package sandbox

import (
	"github.com/warest-go/warest/ports"
)

// Undecryptable delivers a message from a virtual person that the session fails
// to decrypt, directly or in a group both are in. Only this session gets it, and
// it is not logged: there is no content anyone could act on.
func (n *Network) Undecryptable(sessionID string, u ports.SandboxUndecryptable) (string, error) {
	digits, err := parsePhone(u.From)
	if err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.paired(sessionID)
	if err != nil {
		return "", err
	}
	from, err := n.counterpart(st, digits, u.Group)
	if err != nil {
		return "", err
	}
	chatJID := u.Group
	if chatJID.IsZero() {
		chatJID = from.jid()
	}
	id := n.newMessageID()
	n.enqueue(st, ports.TransportUndecryptable{SessionID: st.id, Chat: chatJID, Sender: from.party(), ID: id, At: n.now()})
	return id, nil
}
