package sandbox

import (
	"context"
	"strings"

	"github.com/warest-go/warest/domain/chat"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// ContactCall makes a virtual person call the session, directly or in a group both
// are in: an offer, then each state of c.Then at the same moment. There is no
// media to simulate, so the call is only its events. A stopped session gets them
// when it starts again.
func (n *Network) ContactCall(sessionID string, c ports.SandboxCall) (string, error) {
	digits, err := parsePhone(c.From)
	if err != nil {
		return "", err
	}
	if err := validCallStates(c.Then); err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.paired(sessionID)
	if err != nil {
		return "", err
	}
	from, err := n.counterpart(st, digits, c.Group)
	if err != nil {
		return "", err
	}
	id, now := n.newCallID(), n.now()
	n.calls[id] = &call{session: st, from: from, ended: len(c.Then) > 0}
	for _, state := range append([]ports.CallState{ports.CallOffer}, c.Then...) {
		n.enqueue(st, ports.TransportCall{SessionID: st.id, CallID: id, From: from.party(), State: state, Video: c.Video,
			Group: !c.Group.IsZero(), At: now})
	}
	return id, nil
}

// validCallStates accepts what may follow an offer: accept (answered on the phone)
// and then terminate, or a lone reject or terminate (missed).
func validCallStates(then []ports.CallState) error {
	for i, s := range then {
		last := i == len(then)-1
		switch {
		case s == ports.CallAccept && i == 0:
		case s == ports.CallReject && i == 0 && last:
		case s == ports.CallTerminate && last:
		default:
			return fault.Invalid(fault.ReasonInvalidParameter, "after an offer may come accept, then terminate; or reject or terminate alone; got %v", then)
		}
	}
	return nil
}

// newCallID looks like a WhatsApp call id: 32 upper-case hex digits.
func (n *Network) newCallID() string { return strings.ToUpper(n.randomHex(16)) }

// call is a call offered to a session; it rings until answered, rejected or missed.
type call struct {
	session *sessionState
	from    *person
	ended   bool // no longer ringing
}

// RejectCall declines a call still ringing for the session.
func (n *Network) RejectCall(ctx context.Context, sessionID string, from chat.JID, callID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.connectedLocked(ctx, sessionID)
	if err != nil {
		return err
	}
	c, ok := n.calls[callID]
	if !ok || c.session != st || (from != c.from.jid() && from != c.from.lid) {
		return fault.NotFound(fault.ReasonCallNotFound, "no call %s from %s", callID, from)
	}
	if c.ended {
		return fault.Conflict(fault.ReasonInvalidState, "call %s has already ended", callID)
	}
	c.ended = true
	return nil
}
