package command

import (
	"context"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Calls turns down incoming calls, on request or by the session's call policy.
type Calls struct {
	store     ports.Store
	calls     ports.Calls
	clock     ports.Clock
	queue     *Sending // a Sending that queues without waiting: the ingest must not wait for a send
	addresses chat.Normalizer
}

// SetCallPolicy changes whether the session turns calls down by itself, and what it
// tells the caller.
func (s *Calls) SetCallPolicy(ctx context.Context, p account.Principal, sessionID string, policy session.CallPolicy) (session.CallPolicy, error) {
	if _, err := ownedSession(ctx, s.store, p, sessionID); err != nil {
		return session.CallPolicy{}, err
	}
	policy.Message = strings.TrimSpace(policy.Message)
	sess, err := s.store.Sessions().Update(ctx, sessionID, func(x *session.Session) error {
		return x.SetCallPolicy(policy, s.clock.Now())
	})
	if err != nil {
		return session.CallPolicy{}, err
	}
	return sess.Calls(), nil
}

// CallPolicy reads the session's call policy.
func (s *Calls) CallPolicy(ctx context.Context, p account.Principal, sessionID string) (session.CallPolicy, error) {
	sess, err := ownedSession(ctx, s.store, p, sessionID)
	if err != nil {
		return session.CallPolicy{}, err
	}
	return sess.Calls(), nil
}

// Screen turns down a call offered to a session whose policy says so, then queues
// the policy's message to the caller (once per call, however often the offer is
// delivered). It runs after the call's event is stored, so webhooks see every call.
func (s *Calls) Screen(ctx context.Context, sessionID string, from chat.Party, callID string) error {
	sess, err := s.store.Sessions().Get(ctx, sessionID)
	if err != nil || !sess.Calls().Reject {
		return err
	}
	caller := from.JID
	if caller.IsZero() {
		caller = from.LID
	}
	if err := s.calls.RejectCall(ctx, sessionID, caller, callID); err != nil {
		return err
	}
	if sess.Calls().Message == "" {
		return nil
	}
	owner, err := s.store.Users().GetByRegistry(ctx, sess.Owner())
	if err != nil {
		return err
	}
	_, err = s.queue.Send(ctx, account.Principal{User: owner, KeyID: "call-policy:" + sessionID}, SendInput{SessionID: sessionID,
		To: []string{caller.String()}, Content: message.TextContent(sess.Calls().Message),
		IdempotencyKey: "call-rejected:" + callID})
	return err
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
