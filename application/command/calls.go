package command

import (
	"context"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Calls turns down incoming calls.
type Calls struct {
	store     ports.Store
	calls     ports.Calls
	addresses chat.Normalizer
}

// RejectCall declines a ringing call; from is the caller as the call event named them.
func (s *Calls) RejectCall(ctx context.Context, p account.Principal, sessionID, callID, from string) error {
	sess, err := ownedSession(ctx, s.store, p, sessionID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(callID) == "" {
		return fault.Invalid(fault.ReasonMissingParameter, "callId is required")
	}
	caller, err := s.addresses.Normalize(from)
	if err != nil {
		return err
	}
	if k := caller.Kind(); k != chat.KindUser && k != chat.KindLID {
		return fault.Invalid(fault.ReasonInvalidParameter, "a call comes from a person, not %s", caller)
	}
	return s.calls.RejectCall(ctx, sess.ID(), caller, callID)
}
