package command

import (
	"context"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// GroupMembers changes who is in a group: participants, join requests, the invite
// link, and the account joining by link. Ownership and an open session first.
type GroupMembers struct {
	groups *Groups // its store, port, address rules and checks
}

// maxParticipants bounds one membership change (WhatsApp's group size is 1024).
const maxParticipants = 1024

// ChangeParticipants adds, removes, promotes or demotes people, given as numbers,
// JIDs or LIDs; each gets WhatsApp's status code.
func (s *GroupMembers) ChangeParticipants(ctx context.Context, p account.Principal, sessionID, group string, action ports.GroupAction, who []string) (access.GroupRef, []ports.ParticipantResult, error) {
	ref, people, err := s.people(ctx, p, sessionID, group, who)
	if err != nil {
		return ref, nil, err
	}
	res, err := s.groups.groups.ChangeParticipants(ctx, ref.SessionID, ref.Group, action, people)
	return ref, res, access.Refused(err, "WhatsApp refused the participants change")
}

// AnswerJoinRequests approves or rejects people waiting to join.
func (s *GroupMembers) AnswerJoinRequests(ctx context.Context, p account.Principal, sessionID, group string, approve bool, who []string) (access.GroupRef, []ports.ParticipantResult, error) {
	ref, people, err := s.people(ctx, p, sessionID, group, who)
	if err != nil {
		return ref, nil, err
	}
	res, err := s.groups.groups.AnswerJoinRequests(ctx, ref.SessionID, ref.Group, approve, people)
	return ref, res, access.Refused(err, "WhatsApp refused to answer the join requests")
}

// ResetInvite revokes the group's invite link and returns the new one.
func (s *GroupMembers) ResetInvite(ctx context.Context, p account.Principal, sessionID, group string) (access.GroupRef, string, error) {
	ref, err := s.groups.group(ctx, p, sessionID, group)
	if err != nil {
		return ref, "", err
	}
	link, err := s.groups.groups.InviteLink(ctx, ref.SessionID, ref.Group, true)
	return ref, link, access.Refused(err, "WhatsApp refused to reset the invite link")
}

// JoinGroup joins by invite link or code; pending means the group's admins must
// approve the request first.
func (s *GroupMembers) JoinGroup(ctx context.Context, p account.Principal, sessionID, link string) (ref access.GroupRef, pending bool, err error) {
	if ref, err = s.groups.open(ctx, p, sessionID); err != nil {
		return ref, false, err
	}
	if link, err = chat.InviteCode(link); err != nil {
		return ref, false, err
	}
	ref.Group, pending, err = s.groups.groups.JoinWithLink(ctx, ref.SessionID, link)
	return ref, pending, access.Refused(err, "WhatsApp refused the join")
}

func (s *GroupMembers) people(ctx context.Context, p account.Principal, sessionID, group string, who []string) (access.GroupRef, []chat.JID, error) {
	ref, err := s.groups.group(ctx, p, sessionID, group)
	if err != nil {
		return ref, nil, err
	}
	people, err := s.groups.addresses.NormalizeAll(who)
	if err != nil {
		if fe, ok := fault.As(err); ok && fe.Reason == fault.ReasonMissingParameter {
			err = fault.Invalid(fault.ReasonMissingParameter, "participants must list at least one number, JID or LID")
		}
		return ref, nil, err
	}
	for _, j := range people {
		if k := j.Kind(); k != chat.KindUser && k != chat.KindLID {
			return ref, nil, fault.Invalid(fault.ReasonInvalidParameter, "participant %s is not a person", j)
		}
	}
	if len(people) > maxParticipants {
		return ref, nil, fault.Invalid(fault.ReasonInvalidParameter, "at most %d participants per request", maxParticipants)
	}
	return ref, people, nil
}
