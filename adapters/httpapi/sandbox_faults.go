package httpapi

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

type sandboxFaultsInput struct {
	SessionPath
	Body struct {
		SendFailureRate float64 `json:"sendFailureRate" minimum:"0" maximum:"1" doc:"share of sends that fail, drawn from the network's seeded randomness"`
		LatencyMs       int     `json:"latencyMs,omitempty" minimum:"0" doc:"added to every send"`
	}
}

func (h *handlers) sandboxFaults(ctx context.Context, in *sandboxFaultsInput) (*Response[sandboxDone], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	f := ports.SandboxFaults{SendFailureRate: in.Body.SendFailureRate, Latency: time.Duration(in.Body.LatencyMs) * time.Millisecond}
	if err := h.sandbox.SetFaults(in.SessionID, f); err != nil {
		return nil, err
	}
	return success("Faults set", sandboxDone{SessionID: in.SessionID}), nil
}

// sandboxAct runs one control action on an owned session.
func (h *handlers) sandboxAct(ctx context.Context, sessionID, done string, act func() error) (*Response[sandboxDone], error) {
	if err := h.owned(ctx, sessionID); err != nil {
		return nil, err
	}
	if err := act(); err != nil {
		return nil, err
	}
	return success(done, sandboxDone{SessionID: sessionID}), nil
}

func (h *handlers) sandboxDisconnect(ctx context.Context, in *SessionPath) (*Response[sandboxDone], error) {
	return h.sandboxAct(ctx, in.SessionID, "Connection dropped", func() error { return h.sandbox.Disconnect(in.SessionID) })
}

type sandboxLogoutInput struct {
	SessionPath
	Body *struct {
		Reason string `json:"reason,omitempty" example:"unlinked on the phone"`
	}
}

func (h *handlers) sandboxLogout(ctx context.Context, in *sandboxLogoutInput) (*Response[sandboxDone], error) {
	reason := ""
	if in.Body != nil {
		reason = in.Body.Reason
	}
	return h.sandboxAct(ctx, in.SessionID, "Device unlinked", func() error { return h.sandbox.RemoteLogout(in.SessionID, reason) })
}

func (h *handlers) sandboxReplace(ctx context.Context, in *SessionPath) (*Response[sandboxDone], error) {
	return h.sandboxAct(ctx, in.SessionID, "Stream replaced", func() error { return h.sandbox.ReplaceStream(in.SessionID) })
}

type sandboxRef struct {
	Chat   string `json:"chat"`
	ID     string `json:"id"`
	FromMe bool   `json:"fromMe"`
}

type sandboxChat struct {
	Chat       string  `json:"chat"`
	Muted      bool    `json:"muted"`
	MutedUntil *string `json:"mutedUntil"`
	Archived   bool    `json:"archived"`
	Pinned     bool    `json:"pinned"`
	ClearedAt  *string `json:"clearedAt"`
}

type sandboxStateView struct {
	Starred      []sandboxRef  `json:"starred"`
	DeletedForMe []sandboxRef  `json:"deletedForMe"`
	Chats        []sandboxChat `json:"chats"`
}

func (h *handlers) sandboxState(ctx context.Context, in *SessionPath) (*Response[sandboxStateView], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	st, err := h.sandbox.AccountState(in.SessionID)
	if err != nil {
		return nil, err
	}
	refs := func(list []message.Reference) []sandboxRef {
		out := make([]sandboxRef, len(list))
		for i, r := range list {
			out[i] = sandboxRef{Chat: r.Chat.String(), ID: r.ID, FromMe: r.FromMe}
		}
		return out
	}
	when := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := isoTime(t)
		return &s
	}
	out := sandboxStateView{Starred: refs(st.Starred), DeletedForMe: refs(st.DeletedForMe), Chats: []sandboxChat{}}
	for _, c := range st.Chats {
		out.Chats = append(out.Chats, sandboxChat{Chat: c.Chat.String(), Muted: c.Muted, MutedUntil: when(c.MutedUntil),
			Archived: c.Archived, Pinned: c.Pinned, ClearedAt: when(c.ClearedAt)})
	}
	return success("Account state", out), nil
}
