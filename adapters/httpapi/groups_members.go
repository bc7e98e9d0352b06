package httpapi

import (
	"context"
	"net/http"

	authz "github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func (h *handlers) registerGroupMembers() {
	partial := func(r route) route { r.also = []int{http.StatusMultiStatus}; return r }
	register(h, partial(groupRoute("postGroupParticipantsAdd", http.MethodPost, "/group/participants/add", "Add participants (207 when some fail)")),
		h.changeParticipants(ports.GroupAdd))
	register(h, partial(groupRoute("deleteGroupParticipantsRemove", http.MethodDelete, "/group/participants/remove", "Remove participants (207 when some fail)")),
		h.changeParticipants(ports.GroupRemove))
	register(h, partial(groupRoute("postGroupParticipantsPromote", http.MethodPost, "/group/participants/promote", "Promote participants to admin")),
		h.changeParticipants(ports.GroupPromote))
	register(h, partial(groupRoute("postGroupParticipantsDemote", http.MethodPost, "/group/participants/demote", "Demote admins")),
		h.changeParticipants(ports.GroupDemote))
	register(h, partial(groupRoute("postGroupParticipantsRequestApprove", http.MethodPost, "/group/participants/request/approve", "Approve join requests")),
		h.answerJoinRequests(true))
	register(h, partial(groupRoute("postGroupParticipantsRequestReject", http.MethodPost, "/group/participants/request/reject", "Reject join requests")),
		h.answerJoinRequests(false))
	register(h, groupRoute("postGroupInviteRevoke", http.MethodPost, "/group/invite/revoke", "Reset invite link (admins)"), h.resetInvite)
	register(h, groupRoute("postGroupJoinViaLink", http.MethodPost, "/group/join-via-link", "Join via invite link (code 1001 while approval is pending)"), h.joinGroup)
}

type participantsInput struct {
	groupSelector
	Body *struct {
		groupBody
		Participants Recipients `json:"participants,omitempty" doc:"numbers, JIDs (…@s.whatsapp.net) or LIDs (…@lid); at least one"`
	}
}

func (in *participantsInput) parts() (session, group string, who []string) {
	if in.Body == nil {
		session, group = in.pick(nil)
		return session, group, nil
	}
	session, group = in.pick(&in.Body.groupBody)
	return session, group, in.Body.Participants
}

// participantOutcome is one person's outcome of a membership change.
type participantOutcome struct {
	Phone  string  `json:"phone"`
	JID    *string `json:"jid"`
	Status string  `json:"status" doc:"success, notPermitted (privacy or rank), notFound, alreadyInState"`
}

// participantsResult carries WAREST's per-action lists (only the action's own are set).
type participantsResult struct {
	SessionID            string               `json:"sessionId"`
	Phone                string               `json:"phone"`
	GroupID              string               `json:"groupId"`
	AddedParticipants    []string             `json:"addedParticipants,omitempty"`
	FailedToAdd          []string             `json:"failedToAdd,omitempty"`
	RemovedParticipants  []string             `json:"removedParticipants,omitempty"`
	FailedToRemove       []string             `json:"failedToRemove,omitempty"`
	ApprovedParticipants []string             `json:"approvedParticipants,omitempty"`
	FailedToApprove      []string             `json:"failedToApprove,omitempty"`
	Participants         []participantOutcome `json:"participants"`
	Status               string               `json:"status"`
}

// participantLabels are the message of each change when all or some succeed.
var participantLabels = map[ports.GroupAction][2]string{
	ports.GroupAdd:     {"Participants added", "Participants partially added"},
	ports.GroupRemove:  {"Participants removed", "Participants partially removed"},
	ports.GroupPromote: {"Participants promoted", "Participants partially promoted"},
	ports.GroupDemote:  {"Participants demoted", "Participants partially demoted"},
}

func (h *handlers) changeParticipants(action ports.GroupAction) func(context.Context, *participantsInput) (*Response[participantsResult], error) {
	return func(ctx context.Context, in *participantsInput) (*Response[participantsResult], error) {
		session, group, who := in.parts()
		ref, res, err := h.cmd.GroupMembers.ChangeParticipants(ctx, principal(ctx), session, group, action, who)
		if err != nil {
			return nil, err
		}
		out := toParticipantsResult(ref, res)
		done, failed := splitResults(res, partyPhone)
		switch action {
		case ports.GroupAdd:
			out.AddedParticipants, out.FailedToAdd = done, failed
		case ports.GroupRemove:
			out.RemovedParticipants, out.FailedToRemove = done, failed
		}
		return partialReply(participantLabels[action], out, failed), nil
	}
}

func (h *handlers) answerJoinRequests(approve bool) func(context.Context, *participantsInput) (*Response[participantsResult], error) {
	labels := map[bool][2]string{true: {"Join requests approved", "Join requests partially approved"},
		false: {"Join requests rejected", "Join requests partially rejected"}}[approve]
	return func(ctx context.Context, in *participantsInput) (*Response[participantsResult], error) {
		session, group, who := in.parts()
		ref, res, err := h.cmd.GroupMembers.AnswerJoinRequests(ctx, principal(ctx), session, group, approve, who)
		if err != nil {
			return nil, err
		}
		out := toParticipantsResult(ref, res)
		done, failed := splitResults(res, partyPhone)
		if approve {
			out.ApprovedParticipants, out.FailedToApprove = done, failed
		}
		return partialReply(labels, out, failed), nil
	}
}

func toParticipantsResult(ref authz.GroupRef, res []ports.ParticipantResult) participantsResult {
	out := participantsResult{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: ref.Group.String(), Participants: make([]participantOutcome, len(res))}
	for i, r := range res {
		out.Participants[i] = participantOutcome{Phone: partyPhone(r.Party), JID: nullable(r.Party.Best().String()), Status: participantStatus(r.Code)}
	}
	return out
}

// partialReply is 200 when everyone was reached, else 207 PARTIAL_SUCCESS.
func partialReply(labels [2]string, out participantsResult, failed []string) *Response[participantsResult] {
	if len(failed) == 0 {
		out.Status = "success"
		return success(labels[0], out)
	}
	out.Status = "partial"
	return reply(http.StatusMultiStatus, codePartial, labels[1], out)
}

func (h *handlers) resetInvite(ctx context.Context, in *selectorInput) (*Response[groupResult], error) {
	session, group := in.pick(in.Body)
	ref, link, err := h.cmd.GroupMembers.ResetInvite(ctx, principal(ctx), session, group)
	if err != nil {
		return nil, err
	}
	out := groupDone(ref, "success revoke invite link")
	out.InviteLink = &link
	return success("Invite link revoked", out), nil
}

type joinInput struct {
	SessionSelector
	Body *struct {
		_          struct{} `additionalProperties:"true"`
		SessionID  string   `json:"sessionId,omitempty"`
		InviteLink string   `json:"inviteLink,omitempty" doc:"the invite link or its code. Aliases: link, code."`
		Link       string   `json:"link,omitempty" hidden:"true"`
		Code       string   `json:"code,omitempty" hidden:"true"`
	}
}

type joinedGroup struct {
	SessionID string `json:"sessionId"`
	Phone     string `json:"phone"`
	GroupID   string `json:"groupId"`
	Status    string `json:"status"`
}

func (h *handlers) joinGroup(ctx context.Context, in *joinInput) (*Response[joinedGroup], error) {
	if in.Body == nil {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "inviteLink is required")
	}
	b := in.Body
	ref, pending, err := h.cmd.GroupMembers.JoinGroup(ctx, principal(ctx), firstOf(b.SessionID, in.sessionID()), firstOf(b.InviteLink, b.Link, b.Code))
	if err != nil {
		return nil, err
	}
	out := joinedGroup{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: ref.Group.String(), Status: "success joined group"}
	if pending {
		// The reference answers 200 with code 1001 while the admins decide.
		out.Status = "pending approval to join"
		return reply(http.StatusOK, codeAccepted, "Join requested; waiting for approval", out), nil
	}
	return success("Joined group via link", out), nil
}
