package command

import (
	"context"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// MessageAction is what to do with an existing message.
type MessageAction string

const (
	ActionStar       MessageAction = "star"
	ActionUnstar     MessageAction = "unstar"
	ActionReact      MessageAction = "reaction"
	ActionUnreact    MessageAction = "unreaction"
	ActionDelete     MessageAction = "delete" // for me
	ActionRevoke     MessageAction = "revoke" // for everyone
	ActionEdit       MessageAction = "edit"
	ActionMarkAsRead MessageAction = "mark-as-read"
	ActionPin        MessageAction = "pin" // for everyone in the chat
	ActionUnpin      MessageAction = "unpin"
)

// MessageActionInput addresses a message by id; To (its chat) is needed only for a
// message we have neither sent nor received (see resolveTarget).
type MessageActionInput struct {
	SessionID   string
	Phone       string
	MessageID   string
	To          []string
	Action      MessageAction
	Emoji       string // reaction
	Text        string // edit
	DeleteForMe bool   // revoke: also delete it for this account
}

// ActionResult is the outcome of a message or chat action.
type ActionResult struct {
	SessionID  string
	OwnerPhone string
	Target     message.Reference
	// Message is the queued message of actions WhatsApp carries as messages
	// (reaction, edit, revoke); nil for account-state changes.
	Message *message.Outbound
}

// ActOnMessage runs a message action. Star, unstar, delete-for-me and read receipts
// are account state and go straight to the transport; reactions, edits and revokes
// are messages and go through Send (queue, idempotent ids).
func (s *MessageActions) ActOnMessage(ctx context.Context, p account.Principal, in MessageActionInput) (ActionResult, error) {
	sess, err := s.send.senders.session(ctx, p, in.SessionID, in.Phone)
	if err != nil {
		return ActionResult{}, err
	}
	ref, err := s.resolveTarget(ctx, sess, strings.TrimSpace(in.MessageID), in.To, in.Action == ActionRevoke)
	if err != nil {
		return ActionResult{}, err
	}
	res := ActionResult{SessionID: sess.ID(), OwnerPhone: ownerPhone(sess), Target: ref}
	now := s.clock.Now()
	switch in.Action {
	case ActionStar, ActionUnstar, ActionDelete:
		change := map[MessageAction]ports.MessageChange{ActionStar: ports.MessageStar, ActionUnstar: ports.MessageUnstar,
			ActionDelete: ports.MessageDeleteForMe}[in.Action]
		if err := s.transportFailed(s.transport.ChangeMessage(ctx, sess.ID(), ref, change)); err != nil || in.Action == ActionDelete {
			return res, err
		}
		return res, s.store.Inbound().Star(ctx, sess.ID(), ref.ID, in.Action == ActionStar, now)
	case ActionMarkAsRead:
		return res, s.transportFailed(s.transport.MarkRead(ctx, sess.ID(), ref.Chat, ref.Sender, []string{ref.ID}, now))
	}
	c := message.Content{Target: &ref}
	switch in.Action {
	case ActionReact, ActionUnreact:
		c.Kind = message.KindReaction
		if in.Action == ActionReact {
			if c.Emoji = strings.TrimSpace(in.Emoji); c.Emoji == "" {
				return ActionResult{}, fault.Invalid(fault.ReasonMissingParameter, "emoji is required")
			}
		}
	case ActionEdit:
		if !ref.FromMe {
			return ActionResult{}, fault.Forbidden("only messages sent by this account can be edited")
		}
		c.Kind, c.Text = message.KindEdit, in.Text
	case ActionRevoke:
		c.Kind = message.KindRevoke
	case ActionPin, ActionUnpin:
		c.Kind, c.Unpin = message.KindPin, in.Action == ActionUnpin
	default:
		return ActionResult{}, fault.Invalid(fault.ReasonInvalidParameter, "unknown action %q", in.Action)
	}
	sent, err := s.send.Send(ctx, p, SendInput{SessionID: sess.ID(), To: []string{ref.Chat.String()}, Content: c})
	if err != nil {
		return ActionResult{}, err
	}
	res.Message = &sent[0].Message
	if in.Action == ActionRevoke && in.DeleteForMe {
		return res, s.transportFailed(s.transport.ChangeMessage(ctx, sess.ID(), ref, ports.MessageDeleteForMe))
	}
	return res, nil
}

// transportFailed marks a transport error as a failed send (502) unless it already
// has a kind (a session that is not open, an invalid request).
func (s *MessageActions) transportFailed(err error) error {
	if err == nil || fault.KindOf(err) != fault.KindUnknown {
		return err
	}
	return fault.Wrap(err, fault.KindUnavailable, fault.ReasonSendFailed, "WhatsApp refused the action")
}
