package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Message actions (/api/v1/messages/{messageId}/action/*) and chat actions
// (/api/v1/messages/action/*). Unlike WAREST, the session's owner is checked.
func (h *handlers) registerActionRoutes() {
	const tag = "Messages - Actions"
	msg := func(id, method, action, summary string) route {
		return route{id: id, method: method, path: "/api/v1/messages/{messageId}/action/" + action, tag: tag, access: accessUser,
			summary: summary, errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusTooManyRequests, http.StatusBadGateway}}
	}
	register(h, msg("postMessagesMessageIdActionStar", http.MethodPost, "star", "Star a message"), h.messageAction(command.ActionStar))
	register(h, msg("postMessagesMessageIdActionUnstar", http.MethodPost, "unstar", "Unstar a message"), h.messageAction(command.ActionUnstar))
	register(h, msg("postMessagesMessageIdActionReaction", http.MethodPost, "reaction", "React to a message"), h.messageAction(command.ActionReact))
	register(h, msg("postMessagesMessageIdActionUnreaction", http.MethodPost, "unreaction", "Remove a reaction"), h.messageAction(command.ActionUnreact))
	register(h, msg("deleteMessagesMessageIdActionDelete", http.MethodDelete, "delete", "Delete a message for this account"), h.messageAction(command.ActionDelete))
	register(h, msg("postMessagesMessageIdActionRevoke", http.MethodPost, "revoke", "Delete a message for everyone"), h.messageAction(command.ActionRevoke))
	register(h, msg("postMessagesMessageIdActionEdit", http.MethodPost, "edit", "Edit a message sent by this account"), h.messageAction(command.ActionEdit))
	register(h, msg("postMessagesMessageIdActionMarkAsRead", http.MethodPost, "mark-as-read", "Send a read receipt"), h.messageAction(command.ActionMarkAsRead))

	chat := func(id, method, action, summary string) route {
		return route{id: id, method: method, path: "/api/v1/messages/action/" + action, tag: tag, access: accessUser,
			summary: summary, errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusTooManyRequests, http.StatusBadGateway}}
	}
	register(h, chat("postMessagesActionMute", http.MethodPost, "mute", "Mute a chat for duration minutes"), h.chatAction(ports.ChatMute))
	register(h, chat("postMessagesActionUnmute", http.MethodPost, "unmute", "Unmute a chat"), h.chatAction(ports.ChatUnmute))
	register(h, chat("postMessagesActionArchive", http.MethodPost, "archive", "Archive a chat"), h.chatAction(ports.ChatArchive))
	register(h, chat("postMessagesActionUnarchive", http.MethodPost, "unarchive", "Unarchive a chat"), h.chatAction(ports.ChatUnarchive))
	register(h, chat("deleteMessagesActionClearAll", http.MethodDelete, "clear-all", "Clear a chat's history"), h.chatAction(ports.ChatClear))
}

// actionResult is WAREST's MessageActionResult plus the queued message's state.
type actionResult struct {
	SessionID string  `json:"sessionId"`
	Phone     string  `json:"phone" doc:"digits of the session's own number"`
	To        string  `json:"to" doc:"chat without domain"`
	ToJID     string  `json:"toJid"`
	MessageID *string `json:"messageId,omitempty"`
	Status    string  `json:"status" doc:"\"<action> success\""`
	State     string  `json:"state,omitempty" enum:"queued,sent,delivered,read,played,failed" doc:"for reactions, edits and revokes: the state of the message that carries them"`
}

type messageActionInput struct {
	SessionSelector
	MessageID string `path:"messageId"`
	Body      *struct {
		_           struct{}   `additionalProperties:"true"`
		SessionID   string     `json:"sessionId,omitempty"`
		Phone       string     `json:"phone,omitempty"`
		To          Recipients `json:"to,omitempty" doc:"the message's chat; needed only for messages this gateway has not seen"`
		Emoji       string     `json:"emoji,omitempty" doc:"reaction only"`
		Message     string     `json:"message,omitempty" doc:"edit only: the new text"`
		Text        string     `json:"text,omitempty" hidden:"true"`
		DeleteForMe bool       `json:"deleteForMe,omitempty" doc:"revoke only: also delete it for this account"`
		WithMedia   *bool      `json:"withMedia,omitempty" doc:"delete only: accepted for compatibility"`
	}
}

// actionLabels are WAREST's message and status text per action.
var actionLabels = map[command.MessageAction][2]string{
	command.ActionStar:       {"Message starred", "message starred success"},
	command.ActionUnstar:     {"Message unstarred", "message unstarred success"},
	command.ActionReact:      {"Reaction applied", "reaction applied success"},
	command.ActionUnreact:    {"Reaction removed", "reaction removed success"},
	command.ActionDelete:     {"Message deleted for me", "message deleted success"},
	command.ActionRevoke:     {"Message revoked", "message revoked success"},
	command.ActionEdit:       {"Message edited", "message edited success"},
	command.ActionMarkAsRead: {"Message marked as read", "message read success"},
}

// failedReasons say why an action failed when WhatsApp refused it; they cover the
// actions that send a message, the only ones that can fail after queueing.
var failedReasons = map[command.MessageAction]fault.Reason{command.ActionReact: fault.ReasonReactionFailed,
	command.ActionUnreact: fault.ReasonReactionFailed, command.ActionRevoke: fault.ReasonRevokeFailed,
	command.ActionEdit: fault.ReasonEditNotAllowed}

func (h *handlers) messageAction(a command.MessageAction) func(context.Context, *messageActionInput) (*Response[actionResult], error) {
	return func(ctx context.Context, in *messageActionInput) (*Response[actionResult], error) {
		ai := command.MessageActionInput{SessionID: in.sessionID(), MessageID: in.MessageID, Action: a}
		if b := in.Body; b != nil {
			ai.SessionID, ai.Phone, ai.To = firstOf(b.SessionID, ai.SessionID), b.Phone, b.To
			ai.Emoji, ai.Text, ai.DeleteForMe = b.Emoji, firstOf(b.Message, b.Text), b.DeleteForMe
		}
		res, err := h.cmd.Actions.ActOnMessage(ctx, principal(ctx), ai)
		if err != nil {
			return nil, err
		}
		labels := actionLabels[a]
		out := toActionResult(res, labels[1])
		if res.Message != nil {
			switch res.Message.Status {
			case message.StatusFailed:
				return nil, fault.New(fault.KindUnavailable, failedReasons[a], "%s failed: %s", labels[0], res.Message.FailReason)
			case message.StatusQueued:
				out.Status = strings.Replace(out.Status, "success", "queued", 1)
				return reply(http.StatusAccepted, 1002, labels[0]+" (queued)", out), nil
			}
		}
		return success(labels[0], out), nil
	}
}

func toActionResult(r command.ActionResult, status string) actionResult {
	out := actionResult{SessionID: r.SessionID, Phone: r.OwnerPhone, To: r.Target.Chat.User, ToJID: r.Target.Chat.String(), Status: status}
	if r.Target.ID != "" {
		id := r.Target.ID
		out.MessageID = &id
	}
	if r.Message != nil {
		out.State = string(r.Message.Status)
	}
	return out
}

type chatActionInput struct {
	SessionSelector
	Body *struct {
		_         struct{}   `additionalProperties:"true"`
		SessionID string     `json:"sessionId,omitempty"`
		Phone     string     `json:"phone,omitempty"`
		To        Recipients `json:"to,omitempty"`
		Duration  *int       `json:"duration,omitempty" doc:"mute only: minutes, 1 to 43200 (default 60)"`
	}
}

var chatLabels = map[ports.ChatChangeKind][2]string{
	ports.ChatMute:      {"Chat muted", "chat muted success"},
	ports.ChatUnmute:    {"Chat unmuted", "chat unmuted success"},
	ports.ChatArchive:   {"Chat archived", "chat archived success"},
	ports.ChatUnarchive: {"Chat unarchived", "chat unarchived success"},
	ports.ChatClear:     {"Chat cleared", "chat cleared success"},
}

func (h *handlers) chatAction(k ports.ChatChangeKind) func(context.Context, *chatActionInput) (*Response[actionResult], error) {
	return func(ctx context.Context, in *chatActionInput) (*Response[actionResult], error) {
		ci := command.ChatActionInput{SessionID: in.sessionID(), Change: k}
		if b := in.Body; b != nil {
			ci.SessionID, ci.Phone, ci.To = firstOf(b.SessionID, ci.SessionID), b.Phone, b.To
			if b.Duration != nil {
				if *b.Duration <= 0 {
					return nil, fault.Invalid(fault.ReasonInvalidParameter, "duration must be between 1 and 43200 minutes")
				}
				ci.MuteFor = time.Duration(*b.Duration) * time.Minute
			}
		}
		res, err := h.cmd.Actions.ActOnChat(ctx, principal(ctx), ci)
		if err != nil {
			return nil, err
		}
		labels := chatLabels[k]
		out := make([]actionResult, len(res))
		for i, r := range res {
			out[i] = toActionResult(r, labels[1])
		}
		return success(labels[0], out...), nil
	}
}
