package whatsmeow

import (
	"sync"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// callBook tracks the calls offered to a session: whatsmeow's RejectCall only
// sends the rejection and never learns whether the call was still ringing, so
// unknown and ended calls are refused here. It is bounded; the oldest calls are
// forgotten first.
type callBook struct {
	mu    sync.Mutex
	calls map[string]*offeredCall
	order []string
}

type offeredCall struct {
	caller chat.Party
	ended  bool
}

const callBookSize = 256

func newCallBook() *callBook { return &callBook{calls: map[string]*offeredCall{}} }

// note follows a call through the events the session reported.
func (b *callBook) note(c ports.TransportCall) {
	b.mu.Lock()
	defer b.mu.Unlock()
	known, ok := b.calls[c.CallID]
	switch {
	case c.State == ports.CallOffer && !ok:
		b.calls[c.CallID] = &offeredCall{caller: c.From}
		b.order = append(b.order, c.CallID)
		if len(b.order) > callBookSize {
			delete(b.calls, b.order[0])
			b.order = b.order[1:]
		}
	case c.State != ports.CallOffer && ok:
		known.ended = true // answered, rejected on another device, or over
	}
}

// reject claims a call still ringing from caller (phone JID or LID).
func (b *callBook) reject(id string, caller chat.JID) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.calls[id]
	if !ok || (caller != c.caller.JID && caller != c.caller.LID) {
		return fault.NotFound(fault.ReasonCallNotFound, "no call %s from %s", id, caller)
	}
	if c.ended {
		return fault.Conflict(fault.ReasonInvalidState, "call %s has already ended", id)
	}
	c.ended = true
	return nil
}
