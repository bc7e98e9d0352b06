package httpapi

import (
	"context"

	"github.com/warest-go/warest/domain/chat"
)

type sandboxJoinInput struct {
	ContactPath
	Body struct {
		InviteLink string `json:"inviteLink" doc:"a group invite link or code, as GET /api/v1/group/invite gives it"`
	}
}

type sandboxJoined struct {
	SessionID string `json:"sessionId"`
	Phone     string `json:"phone"`
	Pending   bool   `json:"pending" doc:"the group approves joins: the contact asked, and the admins see a join request"`
}

// sandboxJoin makes a virtual person join a group by its invite link, or ask to.
func (h *handlers) sandboxJoin(ctx context.Context, in *sandboxJoinInput) (*Response[sandboxJoined], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	code, err := chat.InviteCode(in.Body.InviteLink)
	if err != nil {
		return nil, err
	}
	pending, err := h.sandbox.ContactJoinGroup(in.Phone, code)
	if err != nil {
		return nil, err
	}
	msg := map[bool]string{false: "Contact joined the group", true: "Contact asked to join the group"}[pending]
	return success(msg, sandboxJoined{SessionID: in.SessionID, Phone: in.Phone, Pending: pending}), nil
}
