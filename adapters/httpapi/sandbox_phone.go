package httpapi

import (
	"context"
	"time"

	"github.com/warest-go/warest/ports"
)

// Calls, history sync and undecryptable messages come from the phone side only; these
// routes let integrators see their call, history_sync and message_undecryptable events.

type sandboxCallInput struct {
	SessionPath
	Body struct {
		From  string   `json:"from" doc:"caller phone digits" example:"6289876543210"`
		Video bool     `json:"video,omitempty"`
		Group string   `json:"group,omitempty" doc:"a group call in this group, which caller and session are in" example:"120363000000000001@g.us"`
		Then  []string `json:"then,omitempty" enum:"accept,reject,terminate" doc:"what follows the offer: accept (answered on the phone) then terminate, or reject or terminate alone; empty leaves it ringing"`
	}
}

type sandboxCallResult struct {
	CallID string `json:"callId"`
}

func (h *handlers) sandboxCall(ctx context.Context, in *sandboxCallInput) (*Response[sandboxCallResult], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	g, err := parseGroup(in.Body.Group)
	if err != nil {
		return nil, err
	}
	c := ports.SandboxCall{From: in.Body.From, Video: in.Body.Video, Group: g}
	for _, s := range in.Body.Then {
		c.Then = append(c.Then, ports.CallState(s))
	}
	id, err := h.sandbox.ContactCall(in.SessionID, c)
	if err != nil {
		return nil, err
	}
	return success("Call placed", sandboxCallResult{CallID: id}), nil
}

// sandboxHistoryMessage is an old message; its content reads like an inbound one.
type sandboxHistoryMessage struct {
	Peer      string    `json:"peer,omitempty" doc:"the virtual person: the other side of a direct chat, or the author in a group; not needed for the session's own group messages" example:"6289876543210"`
	Group     string    `json:"group,omitempty" doc:"the group chat; the direct chat with peer when omitted"`
	FromMe    bool      `json:"fromMe,omitempty" doc:"the session wrote it"`
	ID        string    `json:"id,omitempty" doc:"defaults to a fresh id"`
	Timestamp time.Time `json:"timestamp,omitempty" doc:"defaults to now"`
	SandboxContent
}

type sandboxHistoryInput struct {
	SessionPath
	Body struct {
		Progress int                     `json:"progress,omitempty" minimum:"0" maximum:"100" doc:"percentage of the history synced"`
		Messages []sandboxHistoryMessage `json:"messages" maxItems:"1000"`
	}
}

type sandboxHistoryResult struct {
	SessionID  string   `json:"sessionId"`
	MessageIDs []string `json:"messageIds"`
}

func (h *handlers) sandboxHistory(ctx context.Context, in *sandboxHistoryInput) (*Response[sandboxHistoryResult], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	hist := ports.SandboxHistory{Progress: in.Body.Progress, Messages: make([]ports.SandboxHistoryMessage, len(in.Body.Messages))}
	for i, m := range in.Body.Messages {
		g, err := parseGroup(m.Group)
		if err != nil {
			return nil, err
		}
		c, _, err := m.toContent()
		if err != nil {
			return nil, err
		}
		hist.Messages[i] = ports.SandboxHistoryMessage{Peer: m.Peer, Group: g, FromMe: m.FromMe, ID: m.ID, At: m.Timestamp, Content: c}
	}
	ids, err := h.sandbox.HistorySync(in.SessionID, hist)
	if err != nil {
		return nil, err
	}
	return success("History delivered", sandboxHistoryResult{SessionID: in.SessionID, MessageIDs: ids}), nil
}

type sandboxUndecryptableInput struct {
	SessionPath
	Body struct {
		From  string `json:"from" doc:"sender phone digits" example:"6289876543210"`
		Group string `json:"group,omitempty" doc:"the group it was sent into; a direct message when omitted"`
	}
}

func (h *handlers) sandboxUndecryptable(ctx context.Context, in *sandboxUndecryptableInput) (*Response[sandboxInboundResult], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	g, err := parseGroup(in.Body.Group)
	if err != nil {
		return nil, err
	}
	id, err := h.sandbox.Undecryptable(in.SessionID, ports.SandboxUndecryptable{From: in.Body.From, Group: g})
	if err != nil {
		return nil, err
	}
	return success("Undecryptable message delivered", sandboxInboundResult{MessageID: id}), nil
}
