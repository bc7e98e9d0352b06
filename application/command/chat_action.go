package command

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// MessageActions changes messages and chats the session already has: react, edit,
// revoke, star, read, archive, mute and the like.
type MessageActions struct {
	cfg       Config
	store     ports.Store
	transport ports.Transport
	clock     ports.Clock
	send      *Sending // edits, reactions and revokes are sent as messages
}

// ChatActionInput changes the account's state of one or more chats.
type ChatActionInput struct {
	SessionID string
	Phone     string
	To        []string
	Change    ports.ChatChangeKind
	MuteFor   time.Duration // mute only; WAREST: 1 to 43,200 minutes, default 60
}

// Mute bounds (WAREST).
const (
	MinMute     = time.Minute
	MaxMute     = 43200 * time.Minute
	DefaultMute = 60 * time.Minute
)

// ActOnChat applies the change to each chat in To, in order; it stops at the first
// failure, returning the chats done so far with the error.
func (s *MessageActions) ActOnChat(ctx context.Context, p account.Principal, in ChatActionInput) ([]ActionResult, error) {
	sess, err := s.send.senders.session(ctx, p, in.SessionID, in.Phone)
	if err != nil {
		return nil, err
	}
	chats, err := s.send.senders.addresses.NormalizeAll(in.To)
	if err != nil {
		return nil, err
	}
	if len(chats) > s.cfg.MaxRecipients {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "at most %d chats per request", s.cfg.MaxRecipients)
	}
	change := ports.ChatChange{Kind: in.Change}
	if in.Change == ports.ChatMute {
		if in.MuteFor == 0 {
			in.MuteFor = DefaultMute
		}
		if in.MuteFor < MinMute || in.MuteFor > MaxMute {
			return nil, fault.Invalid(fault.ReasonInvalidParameter, "duration must be between 1 and 43200 minutes")
		}
		change.MuteUntil = s.clock.Now().Add(in.MuteFor)
	}
	out := make([]ActionResult, 0, len(chats))
	for _, c := range chats {
		if err := s.transportFailed(s.transport.ChangeChat(ctx, sess.ID(), c, change)); err != nil {
			return out, err
		}
		out = append(out, ActionResult{SessionID: sess.ID(), OwnerPhone: ownerPhone(sess), Target: message.Reference{Chat: c}})
	}
	return out, nil
}
