package whatsmeow

import (
	"context"
	"errors"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// waGroups is the part of *whatsmeow.Client that group calls use; tests fake it.
type waGroups interface {
	CreateGroup(ctx context.Context, req wm.ReqCreateGroup) (*types.GroupInfo, error)
	GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error)
	GetJoinedGroups(ctx context.Context) ([]*types.GroupInfo, error)
	UpdateGroupParticipants(ctx context.Context, jid types.JID, who []types.JID, action wm.ParticipantChange) ([]types.GroupParticipant, error)
	SetGroupName(ctx context.Context, jid types.JID, name string) error
	SetGroupTopic(ctx context.Context, jid types.JID, previousID, newID, topic string) error
	SetGroupLocked(ctx context.Context, jid types.JID, locked bool) error
	SetGroupAnnounce(ctx context.Context, jid types.JID, announce bool) error
	SetGroupJoinApprovalMode(ctx context.Context, jid types.JID, mode bool) error
	GetGroupInviteLink(ctx context.Context, jid types.JID, reset bool) (string, error)
	GetGroupInfoFromLink(ctx context.Context, code string) (*types.GroupInfo, error)
	JoinGroupWithLink(ctx context.Context, code string) (types.JID, error)
	GetGroupRequestParticipants(ctx context.Context, jid types.JID) ([]types.GroupParticipantRequest, error)
	UpdateGroupRequestParticipants(ctx context.Context, jid types.JID, who []types.JID, action wm.ParticipantRequestChange) ([]types.GroupParticipant, error)
	LeaveGroup(ctx context.Context, jid types.JID) error
	SetGroupPhoto(ctx context.Context, jid types.JID, avatar []byte) (string, error)
	GetProfilePictureInfo(ctx context.Context, jid types.JID, params *wm.GetProfilePictureParams) (*types.ProfilePictureInfo, error)
}

var _ waGroups = (*wm.Client)(nil)

// groupOps maps ports.Groups onto a client and WhatsApp's refusals onto fault reasons.
type groupOps struct{ cli waGroups }

func (t *Transport) groups(sessionID string) (groupOps, error) {
	_, cli, err := t.client(sessionID)
	return groupOps{cli: cli}, err
}

// groupRefusal gives WhatsApp's group errors their reason; others pass unchanged
// (the use cases answer them as a failed group call).
func groupRefusal(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, wm.ErrGroupNotFound), errors.Is(err, wm.ErrIQNotFound):
		return fault.Wrap(err, fault.KindNotFound, fault.ReasonGroupNotFound, "WhatsApp does not know that group")
	case errors.Is(err, wm.ErrNotInGroup):
		return fault.Wrap(err, fault.KindForbidden, fault.ReasonNotGroupMember, "the account is not a participant of that group")
	case errors.Is(err, wm.ErrGroupInviteLinkUnauthorized), errors.Is(err, wm.ErrIQNotAuthorized), errors.Is(err, wm.ErrIQForbidden):
		return fault.Wrap(err, fault.KindForbidden, fault.ReasonNotGroupAdmin, "WhatsApp allows that to group admins only")
	case errors.Is(err, wm.ErrInviteLinkInvalid), errors.Is(err, wm.ErrInviteLinkRevoked), errors.Is(err, wm.ErrIQGone):
		return fault.Wrap(err, fault.KindInvalid, fault.ReasonInviteInvalid, "the invite link is invalid or was revoked")
	case errors.Is(err, wm.ErrInvalidImageFormat):
		return fault.Wrap(err, fault.KindInvalid, ports.ReasonUnsupportedType, "WhatsApp refused the image")
	case errors.Is(err, wm.ErrIQNotAcceptable), errors.Is(err, wm.ErrIQBadRequest):
		return fault.Wrap(err, fault.KindInvalid, fault.ReasonInvalidParameter, "WhatsApp refused the request as malformed")
	case errors.Is(err, &wm.IQError{Code: 409, Text: "conflict"}):
		return fault.Wrap(err, fault.KindConflict, fault.ReasonInvalidState, "WhatsApp says it is already so")
	case errors.Is(err, wm.ErrIQRateOverLimit):
		return fault.Wrap(err, fault.KindRateLimited, "", "WhatsApp rate-limits group calls; try later")
	}
	return err
}

func toGroupInfo(g *types.GroupInfo) ports.GroupInfo {
	out := ports.GroupInfo{JID: toDomain(g.JID), Name: g.Name, Topic: g.Topic, Locked: g.IsLocked, Announce: g.IsAnnounce,
		JoinApproval: g.IsJoinApprovalRequired, CreatedAt: g.GroupCreated.UTC()}
	if !g.OwnerJID.IsEmpty() || !g.OwnerPN.IsEmpty() {
		out.Owner = view{}.party(g.OwnerJID, g.OwnerPN, "")
	}
	for _, p := range g.Participants {
		out.Participants = append(out.Participants, ports.GroupParticipant{Party: participantParty(p), Admin: p.IsAdmin || p.IsSuperAdmin,
			SuperAdmin: p.IsSuperAdmin})
	}
	return out
}

// participantParty prefers the phone number and LID WhatsApp gives next to the
// member's primary JID, which is one of them.
func participantParty(p types.GroupParticipant) chat.Party {
	pn, lid := p.PhoneNumber, p.LID
	if pn.IsEmpty() && lid.IsEmpty() {
		pn = p.JID
	}
	return view{}.party(pn, lid, p.DisplayName)
}

func toJIDs(js []chat.JID) []types.JID {
	out := make([]types.JID, len(js))
	for i, j := range js {
		out[i] = toJID(j)
	}
	return out
}

// results gives each requested person the code WhatsApp answered for them; a
// person WhatsApp did not mention was not changed (404).
func results(who []chat.JID, got []types.GroupParticipant) []ports.ParticipantResult {
	out := make([]ports.ParticipantResult, len(who))
	for i, j := range who {
		out[i] = ports.ParticipantResult{Party: chat.Party{JID: j}, Code: 404}
		for _, p := range got {
			party := participantParty(p)
			if party.JID == j || party.LID == j {
				out[i].Party, out[i].Code = party, 200
				if p.Error != 0 {
					out[i].Code = p.Error
				}
			}
		}
	}
	return out
}

func (o groupOps) create(ctx context.Context, spec ports.GroupSpec) (ports.GroupInfo, error) {
	g, err := o.cli.CreateGroup(ctx, wm.ReqCreateGroup{Name: spec.Name, Participants: toJIDs(spec.Participants)})
	if err != nil {
		return ports.GroupInfo{}, groupRefusal(err)
	}
	return toGroupInfo(g), nil
}

func (o groupOps) change(ctx context.Context, group chat.JID, c ports.GroupChange) error {
	jid := toJID(group)
	steps := []func() error{}
	if c.Name != nil {
		steps = append(steps, func() error { return o.cli.SetGroupName(ctx, jid, *c.Name) })
	}
	if c.Topic != nil {
		steps = append(steps, func() error {
			// whatsmeow would read the current topic id itself but hide why it failed.
			g, err := o.cli.GetGroupInfo(ctx, jid)
			if err != nil {
				return err
			}
			return o.cli.SetGroupTopic(ctx, jid, g.TopicID, "", *c.Topic)
		})
	}
	if c.Locked != nil {
		steps = append(steps, func() error { return o.cli.SetGroupLocked(ctx, jid, *c.Locked) })
	}
	if c.Announce != nil {
		steps = append(steps, func() error { return o.cli.SetGroupAnnounce(ctx, jid, *c.Announce) })
	}
	if c.JoinApproval != nil {
		steps = append(steps, func() error { return o.cli.SetGroupJoinApprovalMode(ctx, jid, *c.JoinApproval) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return groupRefusal(err)
		}
	}
	return nil
}

// join joins by link; WhatsApp's answer does not say whether the join waits for
// approval, so the group's setting, read first, does.
func (o groupOps) join(ctx context.Context, link string) (chat.JID, bool, error) {
	g, err := o.cli.GetGroupInfoFromLink(ctx, link)
	if err != nil {
		return chat.JID{}, false, groupRefusal(err)
	}
	jid, err := o.cli.JoinGroupWithLink(ctx, link)
	if err != nil {
		return chat.JID{}, false, groupRefusal(err)
	}
	if jid.IsEmpty() {
		jid = g.JID
	}
	return toDomain(jid), g.IsJoinApprovalRequired, nil
}

func (o groupOps) picture(ctx context.Context, group chat.JID) (string, string, error) {
	p, err := o.cli.GetProfilePictureInfo(ctx, toJID(group), &wm.GetProfilePictureParams{})
	if errors.Is(err, wm.ErrProfilePictureNotSet) || err == nil && p == nil {
		return "", "", nil
	}
	if err != nil {
		return "", "", groupRefusal(err)
	}
	return p.ID, p.URL, nil
}

// CreateGroup makes a group with the account as super admin.
func (t *Transport) CreateGroup(ctx context.Context, sessionID string, spec ports.GroupSpec) (ports.GroupInfo, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	return o.create(ctx, spec)
}

// GroupInfo describes a group the account is in.
func (t *Transport) GroupInfo(ctx context.Context, sessionID string, group chat.JID) (ports.GroupInfo, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	g, err := o.cli.GetGroupInfo(ctx, toJID(group))
	if err != nil {
		return ports.GroupInfo{}, groupRefusal(err)
	}
	return toGroupInfo(g), nil
}

// JoinedGroups lists the account's groups.
func (t *Transport) JoinedGroups(ctx context.Context, sessionID string) ([]ports.GroupInfo, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return nil, err
	}
	list, err := o.cli.GetJoinedGroups(ctx)
	if err != nil {
		return nil, groupRefusal(err)
	}
	out := make([]ports.GroupInfo, len(list))
	for i, g := range list {
		out[i] = toGroupInfo(g)
	}
	return out, nil
}

// ChangeParticipants adds, removes, promotes or demotes members.
func (t *Transport) ChangeParticipants(ctx context.Context, sessionID string, group chat.JID, action ports.GroupAction, who []chat.JID) ([]ports.ParticipantResult, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return nil, err
	}
	got, err := o.cli.UpdateGroupParticipants(ctx, toJID(group), toJIDs(who), wm.ParticipantChange(action))
	if err != nil {
		return nil, groupRefusal(err)
	}
	return results(who, got), nil
}

// ChangeGroup changes name, topic and settings, one WhatsApp call each.
func (t *Transport) ChangeGroup(ctx context.Context, sessionID string, group chat.JID, c ports.GroupChange) error {
	o, err := t.groups(sessionID)
	if err != nil {
		return err
	}
	return o.change(ctx, group, c)
}

// InviteLink returns the group's invite link, a new one when reset.
func (t *Transport) InviteLink(ctx context.Context, sessionID string, group chat.JID, reset bool) (string, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return "", err
	}
	link, err := o.cli.GetGroupInviteLink(ctx, toJID(group), reset)
	return link, groupRefusal(err)
}

// JoinWithLink joins through an invite link or code.
func (t *Transport) JoinWithLink(ctx context.Context, sessionID, link string) (chat.JID, bool, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return chat.JID{}, false, err
	}
	return o.join(ctx, link)
}

// GroupInvitePreview describes the group behind an invite link.
func (t *Transport) GroupInvitePreview(ctx context.Context, sessionID, link string) (ports.GroupInfo, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	g, err := o.cli.GetGroupInfoFromLink(ctx, link)
	if err != nil {
		return ports.GroupInfo{}, groupRefusal(err)
	}
	return toGroupInfo(g), nil
}

// JoinRequests lists who waits for approval.
func (t *Transport) JoinRequests(ctx context.Context, sessionID string, group chat.JID) ([]ports.JoinRequest, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return nil, err
	}
	list, err := o.cli.GetGroupRequestParticipants(ctx, toJID(group))
	if err != nil {
		return nil, groupRefusal(err)
	}
	out := make([]ports.JoinRequest, len(list))
	for i, r := range list {
		out[i] = ports.JoinRequest{Party: view{}.party(r.JID, types.EmptyJID, ""), Method: "invite_link", At: r.RequestedAt.UTC()}
	}
	return out, nil
}

// AnswerJoinRequests approves or rejects waiting people.
func (t *Transport) AnswerJoinRequests(ctx context.Context, sessionID string, group chat.JID, approve bool, who []chat.JID) ([]ports.ParticipantResult, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return nil, err
	}
	action := wm.ParticipantChangeReject
	if approve {
		action = wm.ParticipantChangeApprove
	}
	got, err := o.cli.UpdateGroupRequestParticipants(ctx, toJID(group), toJIDs(who), action)
	if err != nil {
		return nil, groupRefusal(err)
	}
	return results(who, got), nil
}

// LeaveGroup takes the account out of a group.
func (t *Transport) LeaveGroup(ctx context.Context, sessionID string, group chat.JID) error {
	o, err := t.groups(sessionID)
	if err != nil {
		return err
	}
	return groupRefusal(o.cli.LeaveGroup(ctx, toJID(group)))
}

// SetGroupPicture sets (JPEG) or, with nil, removes the group's picture.
func (t *Transport) SetGroupPicture(ctx context.Context, sessionID string, group chat.JID, image []byte) (string, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return "", err
	}
	id, err := o.cli.SetGroupPhoto(ctx, toJID(group), image)
	if image == nil {
		id = ""
	}
	return id, groupRefusal(err)
}

// GroupPicture returns the id and URL of the group's picture.
func (t *Transport) GroupPicture(ctx context.Context, sessionID string, group chat.JID) (string, string, error) {
	o, err := t.groups(sessionID)
	if err != nil {
		return "", "", err
	}
	return o.picture(ctx, group)
}

var _ ports.Groups = (*Transport)(nil)
