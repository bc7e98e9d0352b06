package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
)

// Ours, not WAREST's: presence, call rejection and LID ↔ phone lookups.
func (h *handlers) registerPresenceAndCalls() {
	op := func(id, method, path, tag, summary string) route {
		return route{id: id, method: method, path: path, tag: tag, access: accessUser, summary: summary,
			errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusBadGateway}}
	}
	register(h, op("postPresence", http.MethodPost, "/api/v1/presence", "Presence",
		"Show the account available or unavailable, or composing, recording or paused in a chat (to)"), h.setPresence)
	register(h, op("postPresenceSubscribe", http.MethodPost, "/api/v1/presence/subscribe", "Presence",
		"Subscribe to a person's presence: their updates arrive as presence_update events"), h.subscribePresence)
	register(h, op("postCallsCallIdReject", http.MethodPost, "/api/v1/calls/{callId}/reject", "Calls",
		"Reject a ringing call (from: the caller of the call event); 404/2600 when no such call rings"), h.rejectCall)
	register(h, op("getCallsAutoReject", http.MethodGet, "/api/v1/calls/auto-reject", "Calls",
		"The session's call policy: whether it rejects incoming calls by itself, and its message to callers"), h.callPolicy)
	register(h, op("postCallsAutoReject", http.MethodPost, "/api/v1/calls/auto-reject", "Calls",
		"Turn automatic call rejection on or off; the optional message is queued to each rejected caller as a text"), h.setCallPolicy)
	register(h, op("getContactsLidLid", http.MethodGet, "/api/v1/contacts/lid/{lid}", "Contacts",
		"The phone number behind a LID"), h.contactByLID)
	register(h, op("getContactsPhonePhone", http.MethodGet, "/api/v1/contacts/phone/{phone}", "Contacts",
		"The LID of a phone number"), h.contactByPhone)
}

type presenceInput struct {
	Body struct {
		SessionID string `json:"sessionId"`
		State     string `json:"state" enum:"available,unavailable,composing,recording,paused"`
		To        string `json:"to,omitempty" doc:"the chat (number or JID) of composing, recording and paused"`
	}
}

type presenceResult struct {
	SessionID string `json:"sessionId"`
	State     string `json:"state"`
	To        string `json:"to,omitempty"`
}

func (h *handlers) setPresence(ctx context.Context, in *presenceInput) (*Response[presenceResult], error) {
	b := in.Body
	if err := h.cmd.Presence.SetPresence(ctx, principal(ctx), command.PresenceInput{SessionID: b.SessionID, State: b.State, To: b.To}); err != nil {
		return nil, err
	}
	return success("Presence updated", presenceResult{SessionID: b.SessionID, State: b.State, To: b.To}), nil
}

type subscribeInput struct {
	Body struct {
		SessionID string `json:"sessionId"`
		To        string `json:"to" doc:"the person: a number, a phone JID or a LID"`
	}
}

func (h *handlers) subscribePresence(ctx context.Context, in *subscribeInput) (*Response[presenceResult], error) {
	b := in.Body
	if err := h.cmd.Presence.SubscribePresence(ctx, principal(ctx), b.SessionID, b.To); err != nil {
		return nil, err
	}
	return success("Subscribed to presence", presenceResult{SessionID: b.SessionID, State: "subscribed", To: b.To}), nil
}

type rejectCallInput struct {
	CallID string `path:"callId"`
	Body   struct {
		SessionID string `json:"sessionId"`
		From      string `json:"from" doc:"the caller as the call event names them (phone JID or LID)"`
	}
}

type callResult struct {
	SessionID string `json:"sessionId"`
	CallID    string `json:"callId"`
	From      string `json:"from"`
	Status    string `json:"status" enum:"rejected"`
}

func (h *handlers) rejectCall(ctx context.Context, in *rejectCallInput) (*Response[callResult], error) {
	b := in.Body
	if err := h.cmd.Calls.RejectCall(ctx, principal(ctx), b.SessionID, in.CallID, b.From); err != nil {
		return nil, err
	}
	return success("Call rejected", callResult{SessionID: b.SessionID, CallID: in.CallID, From: b.From, Status: "rejected"}), nil
}

type callPolicyResult struct {
	SessionID string `json:"sessionId"`
	Enabled   bool   `json:"enabled"`
	Message   string `json:"message" doc:"sent to each rejected caller; empty sends none"`
}

func (h *handlers) callPolicy(ctx context.Context, in *SessionSelector) (*Response[callPolicyResult], error) {
	p, err := h.cmd.Calls.CallPolicy(ctx, principal(ctx), in.sessionID())
	if err != nil {
		return nil, err
	}
	return success("Call policy", callPolicyResult{SessionID: in.sessionID(), Enabled: p.Reject, Message: p.Message}), nil
}

type callPolicyInput struct {
	Body struct {
		SessionID string `json:"sessionId"`
		Enabled   bool   `json:"enabled" doc:"reject every incoming call"`
		Message   string `json:"message,omitempty" maxLength:"1000" doc:"then send the caller this text (needs enabled)"`
	}
}

func (h *handlers) setCallPolicy(ctx context.Context, in *callPolicyInput) (*Response[callPolicyResult], error) {
	b := in.Body
	p, err := h.cmd.Calls.SetCallPolicy(ctx, principal(ctx), b.SessionID, session.CallPolicy{Reject: b.Enabled, Message: b.Message})
	if err != nil {
		return nil, err
	}
	return success("Call policy updated", callPolicyResult{SessionID: b.SessionID, Enabled: p.Reject, Message: p.Message}), nil
}

type identityResult struct {
	JID   string `json:"jid"`
	Phone string `json:"phone"`
	LID   string `json:"lid"`
	Name  string `json:"name,omitempty"`
}

type lidInput struct {
	SessionSelector
	LID string `path:"lid" doc:"a LID, with or without @lid"`
}

func (h *handlers) contactByLID(ctx context.Context, in *lidInput) (*Response[identityResult], error) {
	user := strings.TrimSuffix(strings.TrimSpace(in.LID), "@"+chat.ServerLID)
	if !allDigits(user) {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "%q is not a LID", in.LID)
	}
	return h.identify(ctx, in.sessionID(), chat.JID{User: user, Server: chat.ServerLID})
}

type phoneInput struct {
	SessionSelector
	Phone string `path:"phone" doc:"a number in international form, or a phone JID"`
}

func (h *handlers) contactByPhone(ctx context.Context, in *phoneInput) (*Response[identityResult], error) {
	user := strings.TrimSuffix(strings.TrimSpace(in.Phone), "@"+chat.ServerUser)
	if !allDigits(strings.TrimPrefix(user, "+")) {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "%q is not a phone number", in.Phone)
	}
	return h.identify(ctx, in.sessionID(), chat.UserJID(h.cmd.Sending.Phone(user)))
}

func (h *handlers) identify(ctx context.Context, sessionID string, who chat.JID) (*Response[identityResult], error) {
	p, err := h.q.Contacts.Identify(ctx, principal(ctx), sessionID, who)
	if err != nil {
		return nil, err
	}
	return success("Contact identified", identityResult{JID: p.JID.String(), Phone: p.JID.User, LID: p.LID.String(), Name: p.PushName}), nil
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
