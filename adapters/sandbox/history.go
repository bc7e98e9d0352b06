package sandbox

import (
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// HistorySync delivers old messages to the session in one chunk, as its phone does
// after pairing. They are logged as carried and delivered, so later reactions,
// replies and read receipts can refer to them; nothing is handed out again. Either
// every message is valid and the chunk goes out, or nothing changes.
func (n *Network) HistorySync(sessionID string, h ports.SandboxHistory) ([]string, error) {
	if h.Progress < 0 || h.Progress > 100 {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "progress is a percentage, got %d", h.Progress)
	}
	for _, m := range h.Messages {
		if err := validateInbound(m.Content); err != nil {
			return nil, err
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.paired(sessionID)
	if err != nil {
		return nil, err
	}
	type old struct {
		author *person
		cv     conv
	}
	resolved := make([]old, len(h.Messages))
	for i, m := range h.Messages {
		if resolved[i].author, resolved[i].cv, err = n.oldChat(st, m); err != nil {
			return nil, err
		}
	}
	now := n.now()
	out, ids := make([]message.Inbound, len(h.Messages)), make([]string, len(h.Messages))
	for i, m := range h.Messages {
		author, cv := resolved[i].author, resolved[i].cv
		id, at := m.ID, now
		if id == "" {
			id = n.newMessageID()
		}
		if !m.At.IsZero() {
			at = m.At.UTC()
		}
		rec := n.logMessage(author, cv, id, m.Content, at)
		for _, p := range cv.members() {
			rec.markDelivered(p)
		}
		out[i] = message.Inbound{ID: id, SessionID: st.id, Chat: cv.chatFor(st.me), Sender: author.party(), FromMe: m.FromMe,
			Content: n.view(m.Content, st.me, cv, id), Timestamp: at, History: true}
		ids[i] = id
	}
	n.enqueue(st, ports.TransportHistorySync{SessionID: st.id, Messages: out, Progress: h.Progress})
	return ids, nil
}

// oldChat resolves the author and chat of an old message. Caller holds n.mu.
func (n *Network) oldChat(st *sessionState, m ports.SandboxHistoryMessage) (*person, conv, error) {
	if m.FromMe && !m.Group.IsZero() {
		g, err := n.memberGroup(st.me, m.Group)
		return st.me, conv{group: g, actor: st.me}, err
	}
	digits, err := parsePhone(m.Peer)
	if err != nil {
		return nil, conv{}, err
	}
	peer, err := n.counterpart(st, digits, m.Group)
	if err != nil {
		return nil, conv{}, err
	}
	author, to := peer, m.Group
	if m.FromMe {
		author, to = st.me, peer.jid()
	} else if to.IsZero() {
		to = st.me.jid()
	}
	cv, err := n.conversation(author, to)
	return author, cv, err
}
