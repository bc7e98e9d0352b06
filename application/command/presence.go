package command

import (
	"context"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Presence shows the account online, offline, typing or recording, and asks to
// see others' presence.
type Presence struct {
	store     ports.Store
	transport ports.Transport
	contacts  ports.Contacts
	addresses chat.Normalizer
}

// PresenceInput is the account's own presence, or a chat state in one chat.
type PresenceInput struct {
	SessionID string
	State     string // available, unavailable, composing, recording or paused
	To        string // the chat of a composing, recording or paused state
}

// SetPresence announces the account's presence or its state in a chat.
func (s *Presence) SetPresence(ctx context.Context, p account.Principal, in PresenceInput) error {
	sess, err := ownedSession(ctx, s.store, p, in.SessionID)
	if err != nil {
		return err
	}
	switch state := ports.ChatState(in.State); state {
	case "available", "unavailable":
		return s.transport.SetPresence(ctx, sess.ID(), in.State == "available")
	case ports.ChatComposing, ports.ChatRecording, ports.ChatPaused:
		to, err := s.addresses.Normalize(in.To)
		if err != nil {
			return err
		}
		return s.transport.SetChatPresence(ctx, sess.ID(), to, state)
	case "":
		return fault.Invalid(fault.ReasonMissingParameter, "state is required")
	}
	return fault.Invalid(fault.ReasonInvalidParameter, "state must be available, unavailable, composing, recording or paused, got %q", in.State)
}

// SubscribePresence asks WhatsApp for who's presence updates; they arrive as
// presence_update events.
func (s *Presence) SubscribePresence(ctx context.Context, p account.Principal, sessionID, who string) error {
	sess, err := ownedSession(ctx, s.store, p, sessionID)
	if err != nil {
		return err
	}
	j, err := s.addresses.Normalize(who)
	if err != nil {
		return err
	}
	if k := j.Kind(); k != chat.KindUser && k != chat.KindLID {
		return fault.Invalid(fault.ReasonInvalidParameter, "presence is only shared by people, not %s", j)
	}
	return s.contacts.SubscribePresence(ctx, sess.ID(), j)
}
