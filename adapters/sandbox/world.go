package sandbox

import (
	"slices"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Contact is a virtual person on the network.
type Contact struct {
	Phone string
	Name  string
}

// AddContact names a virtual person; an invalid phone is ignored. Every phone is
// reachable whether or not it was added: contacts only supply names.
func (n *Network) AddContact(phone, name string) {
	digits, err := parsePhone(phone)
	if err != nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.contacts[digits] = name
}

// Contacts lists the virtual contacts by phone.
func (n *Network) Contacts() []Contact {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Contact, 0, len(n.contacts))
	for phone, name := range n.contacts {
		out = append(out, Contact{Phone: phone, Name: name})
	}
	slices.SortFunc(out, func(a, b Contact) int { return strings.Compare(a.Phone, b.Phone) })
	return out
}

// InjectText delivers a text from fromPhone to a paired session, as if a virtual
// person wrote it. A stopped session gets it when it starts again. pushName
// defaults to the contact's name.
func (n *Network) InjectText(sessionID, fromPhone, pushName, text string) (string, error) {
	digits, err := parsePhone(fromPhone)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(text) == "" {
		return "", fault.Invalid(fault.ReasonMissingParameter, "text is required")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, ok := n.sessions[sessionID]
	if !ok || st.account == nil {
		return "", fault.FailedPrecondition(fault.ReasonSessionNotOpen, "session %s is not paired", sessionID)
	}
	if pushName == "" {
		pushName = n.contacts[digits]
	}
	sender := chat.UserJID(digits)
	in := message.Inbound{
		ID:        newMessageID(),
		SessionID: sessionID,
		Chat:      sender,
		Sender:    chat.Party{JID: sender, LID: lidFor(digits), PushName: pushName},
		Content:   message.TextContent(text),
		Timestamp: n.clock.Now().UTC(),
	}
	n.enqueue(st, ports.TransportMessage{Message: in})
	return in.ID, nil
}

// Disconnect simulates a dropped connection: TransportDisconnected now, then
// TransportConnected after Config.ReconnectDelay. Sends fail in between.
func (n *Network) Disconnect(sessionID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, ok := n.sessions[sessionID]
	if !ok || st.client == nil || st.account == nil || !st.connected {
		return fault.FailedPrecondition(fault.ReasonSessionNotOpen, "session %s is not connected", sessionID)
	}
	st.connected = false
	n.enqueue(st, ports.TransportDisconnected{SessionID: sessionID, Reason: "sandbox: simulated connection loss", Attempt: 1})
	c := st.client
	time.AfterFunc(n.cfg.ReconnectDelay, func() { n.reconnect(st, c) })
	return nil
}

func (n *Network) reconnect(st *sessionState, c *client) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st.client == c && c.conn.Err() == nil && st.account != nil && !st.connected {
		n.connect(st)
	}
}

// RemoteLogout simulates the phone unlinking the device: credentials are purged,
// TransportLoggedOut is delivered after anything already queued, and the client
// ends. A stopped session learns it when it starts again.
func (n *Network) RemoteLogout(sessionID, reason string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, ok := n.sessions[sessionID]
	if !ok || st.account == nil {
		return fault.FailedPrecondition(fault.ReasonInvalidState, "session %s is not paired", sessionID)
	}
	if reason == "" {
		reason = "sandbox: logged out from phone"
	}
	n.unpair(st)
	n.enqueue(st, ports.TransportLoggedOut{SessionID: sessionID, Reason: reason})
	if c := st.client; c != nil {
		c.disconnect()
		c.drainUntil = st.nextSeq
		st.client = nil
		c.wake()
	}
	return nil
}
