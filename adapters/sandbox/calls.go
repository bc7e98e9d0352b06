package sandbox

import (
	"strings"

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
