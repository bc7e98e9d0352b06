package httpapi

import (
	"context"
	"net/http"

	authz "github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// The 24 Groups operations of WAREST (/api/v1/groups, /api/v1/group/*), on
// WhatsApp live: the session must be the caller's and open. Group ids are raw ids
// or …@g.us JIDs; participants numbers, JIDs or LIDs. Reads are in
// groups_reads.go, membership in groups_members.go.
const groupsTag = "Groups"

// groupErrors are the statuses every group operation may answer besides 400.
var groupErrors = []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusBadGateway, http.StatusServiceUnavailable}

func groupRoute(id, method, path, summary string) route {
	return route{id: id, method: method, path: "/api/v1" + path, tag: groupsTag, access: accessUser, summary: summary, errors: groupErrors}
}

func (h *handlers) registerGroups() {
	h.registerGroupReads()
	h.registerGroupMembers()
	register(h, groupRoute("postGroupCreate", http.MethodPost, "/group/create", "Create a group"), h.createGroup)
	register(h, groupRoute("deleteGroupDelete", http.MethodDelete, "/group/delete", "Delete a group: remove everyone, reset the invite, leave"), h.disbandGroup)
	register(h, groupRoute("postGroupLeave", http.MethodPost, "/group/leave", "Leave a group"), h.leaveGroup)
	register(h, groupRoute("postGroupName", http.MethodPost, "/group/name", "Rename a group"), h.renameGroup)
	register(h, groupRoute("postGroupDescription", http.MethodPost, "/group/description", "Update group description"), h.describeGroup)
	register(h, groupRoute("postGroupLocked", http.MethodPost, "/group/locked", "Set edit permissions"), h.lockGroup)
	register(h, groupRoute("postGroupAnnouncement", http.MethodPost, "/group/announcement", "Set announcement mode"), h.announceGroup)
	pic := groupRoute("postGroupPicture", http.MethodPost, "/group/picture", "Set group picture (made a 640 px square JPEG)")
	pic.errors = append(pic.errors, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	register(h, pic, h.setGroupPicture)
	register(h, groupRoute("deleteGroupPicture", http.MethodDelete, "/group/picture", "Delete group picture"), h.removeGroupPicture)
}

// groupBody is the body every group change takes, with WAREST's aliases.
type groupBody struct {
	_         struct{} `additionalProperties:"true"`
	SessionID string   `json:"sessionId,omitempty"`
	GroupID   string   `json:"groupId,omitempty" doc:"raw id or JID ending in @g.us"`
}

// groupSelector carries the session and group from the query or the body.
type groupSelector struct {
	SessionSelector
	GroupID string `query:"groupId" doc:"raw group id or JID ending in @g.us"`
}

func (s groupSelector) pick(b *groupBody) (session, group string) {
	if b == nil {
		return s.sessionID(), s.GroupID
	}
	return firstOf(b.SessionID, s.sessionID()), firstOf(b.GroupID, s.GroupID)
}

// groupResult is WAREST's result of a group change.
type groupResult struct {
	SessionID        string  `json:"sessionId"`
	Phone            string  `json:"phone" doc:"digits of the session's own number"`
	GroupID          string  `json:"groupId"`
	GroupName        *string `json:"groupName,omitempty"`
	GroupDescription *string `json:"groupDescription,omitempty"`
	PictureID        string  `json:"pictureId,omitempty"`
	InviteLink       *string `json:"inviteLink,omitempty"`
	Status           string  `json:"status"`
}

func groupDone(ref authz.GroupRef, status string) groupResult {
	return groupResult{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: ref.Group.String(), Status: status}
}

type selectorInput struct {
	groupSelector
	Body *groupBody
}

type createGroupInput struct {
	SessionSelector
	Body *struct {
		_            struct{}   `additionalProperties:"true"`
		SessionID    string     `json:"sessionId,omitempty"`
		GroupName    string     `json:"groupName,omitempty" doc:"1 to 100 characters. Aliases: name, subject."`
		Name         string     `json:"name,omitempty" hidden:"true"`
		Subject      string     `json:"subject,omitempty" hidden:"true"`
		Participants Recipients `json:"participants,omitempty" doc:"numbers, JIDs or LIDs; people whose privacy forbids it are left out"`
	}
}

type createdGroup struct {
	SessionID    string   `json:"sessionId"`
	Phone        string   `json:"phone"`
	GroupID      string   `json:"groupId"`
	GroupName    string   `json:"groupName"`
	Participants []string `json:"participants" doc:"the members, the creator included"`
}

func (h *handlers) createGroup(ctx context.Context, in *createGroupInput) (*Response[createdGroup], error) {
	if in.Body == nil {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "groupName is required")
	}
	b := in.Body
	name := firstOf(b.GroupName, b.Name, b.Subject)
	if name == "" {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "groupName is required")
	}
	ref, info, err := h.cmd.Groups.CreateGroup(ctx, principal(ctx), firstOf(b.SessionID, in.sessionID()), name, b.Participants)
	if err != nil {
		return nil, err
	}
	out := createdGroup{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: info.JID.String(), GroupName: info.Name, Participants: []string{}}
	for _, m := range info.Participants {
		out.Participants = append(out.Participants, m.Party.Best().String())
	}
	return success("Group created", out), nil
}

type disbandedGroup struct {
	SessionID           string   `json:"sessionId"`
	Phone               string   `json:"phone"`
	GroupID             string   `json:"groupId"`
	RemovedParticipants []string `json:"removedParticipants"`
	FailedToRemove      []string `json:"failedToRemove"`
	Status              string   `json:"status"`
}

func (h *handlers) disbandGroup(ctx context.Context, in *selectorInput) (*Response[disbandedGroup], error) {
	session, group := in.pick(in.Body)
	ref, res, err := h.cmd.Groups.DisbandGroup(ctx, principal(ctx), session, group)
	if err != nil {
		return nil, err
	}
	done, failed := splitResults(res, func(p chat.Party) string { return p.Best().String() })
	return success("Group disbanded", disbandedGroup{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: ref.Group.String(),
		RemovedParticipants: done, FailedToRemove: failed, Status: "success delete group"}), nil
}

func (h *handlers) leaveGroup(ctx context.Context, in *selectorInput) (*Response[groupResult], error) {
	session, group := in.pick(in.Body)
	ref, err := h.cmd.Groups.LeaveGroup(ctx, principal(ctx), session, group)
	if err != nil {
		return nil, err
	}
	return success("Left group", groupDone(ref, "success leave")), nil
}

type renameInput struct {
	groupSelector
	Body *struct {
		groupBody
		GroupName string `json:"groupName,omitempty" doc:"1 to 100 characters. Aliases: name, subject."`
		Name      string `json:"name,omitempty" hidden:"true"`
		Subject   string `json:"subject,omitempty" hidden:"true"`
	}
}

func (h *handlers) renameGroup(ctx context.Context, in *renameInput) (*Response[groupResult], error) {
	var body *groupBody
	var name string
	if in.Body != nil {
		body, name = &in.Body.groupBody, firstOf(in.Body.GroupName, in.Body.Name, in.Body.Subject)
	}
	if name == "" {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "groupName is required")
	}
	session, group := in.pick(body)
	ref, err := h.cmd.Groups.ChangeGroup(ctx, principal(ctx), session, group, ports.GroupChange{Name: &name})
	if err != nil {
		return nil, err
	}
	out := groupDone(ref, "success update group name")
	out.GroupName = &name
	return success("Group name updated", out), nil
}

type describeInput struct {
	groupSelector
	Body *struct {
		groupBody
		GroupDescription *string `json:"groupDescription,omitempty" doc:"the new description; empty clears it. Aliases: description, desc."`
		Description      *string `json:"description,omitempty" hidden:"true"`
		Desc             *string `json:"desc,omitempty" hidden:"true"`
	}
}

func (h *handlers) describeGroup(ctx context.Context, in *describeInput) (*Response[groupResult], error) {
	var body *groupBody
	var topic *string
	if b := in.Body; b != nil {
		body = &b.groupBody
		for _, v := range []*string{b.GroupDescription, b.Description, b.Desc} {
			if v != nil && topic == nil {
				topic = v
			}
		}
	}
	if topic == nil {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "groupDescription is required")
	}
	session, group := in.pick(body)
	ref, err := h.cmd.Groups.ChangeGroup(ctx, principal(ctx), session, group, ports.GroupChange{Topic: topic})
	if err != nil {
		return nil, err
	}
	out := groupDone(ref, "success update group description")
	out.GroupDescription = topic
	return success("Group description updated", out), nil
}

type flagInput struct {
	groupSelector
	Body *struct {
		groupBody
		Locked       *bool `json:"locked,omitempty" doc:"locked: true lets only admins edit the group info"`
		Announcement *bool `json:"announcement,omitempty" doc:"announcement: true lets only admins send"`
	}
}

func (h *handlers) lockGroup(ctx context.Context, in *flagInput) (*Response[groupResult], error) {
	return h.setFlag(ctx, in, "locked", func(v bool) ports.GroupChange { return ports.GroupChange{Locked: &v} },
		func(b *flagInput) *bool { return b.Body.Locked })
}

func (h *handlers) announceGroup(ctx context.Context, in *flagInput) (*Response[groupResult], error) {
	return h.setFlag(ctx, in, "announcement", func(v bool) ports.GroupChange { return ports.GroupChange{Announce: &v} },
		func(b *flagInput) *bool { return b.Body.Announcement })
}

func (h *handlers) setFlag(ctx context.Context, in *flagInput, name string, change func(bool) ports.GroupChange, get func(*flagInput) *bool) (*Response[groupResult], error) {
	if in.Body == nil || get(in) == nil {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "%s (true or false) is required", name)
	}
	session, group := in.pick(&in.Body.groupBody)
	ref, err := h.cmd.Groups.ChangeGroup(ctx, principal(ctx), session, group, change(*get(in)))
	if err != nil {
		return nil, err
	}
	state := map[bool]string{true: "on", false: "off"}[*get(in)]
	return success("Group "+name+" updated", groupDone(ref, "success set "+name+" "+state)), nil
}

type pictureInput struct {
	groupSelector
	Body *struct {
		groupBody
		Picture string `json:"picture,omitempty" doc:"an http(s) URL, a data: URI or base64 of an image (not a server path). Aliases: image, photo, avatar."`
		Image   string `json:"image,omitempty" hidden:"true"`
		Photo   string `json:"photo,omitempty" hidden:"true"`
		Avatar  string `json:"avatar,omitempty" hidden:"true"`
	}
}

func (h *handlers) setGroupPicture(ctx context.Context, in *pictureInput) (*Response[groupResult], error) {
	if in.Body == nil {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "picture is required")
	}
	b := in.Body
	src, err := sourceOf(firstOf(b.Picture, b.Image, b.Photo, b.Avatar))
	if err != nil {
		return nil, err
	}
	session, group := in.pick(&b.groupBody)
	ref, id, err := h.cmd.Groups.SetGroupPicture(ctx, principal(ctx), session, group, &src)
	if err != nil {
		return nil, err
	}
	out := groupDone(ref, "success update group picture")
	out.PictureID = id
	return success("Group picture updated", out), nil
}

func (h *handlers) removeGroupPicture(ctx context.Context, in *selectorInput) (*Response[groupResult], error) {
	session, group := in.pick(in.Body)
	ref, _, err := h.cmd.Groups.SetGroupPicture(ctx, principal(ctx), session, group, nil)
	if err != nil {
		return nil, err
	}
	return success("Group picture removed", groupDone(ref, "success remove group picture")), nil
}

// participantStatus names WhatsApp's per-person codes as WAREST reports them.
func participantStatus(code int) string {
	switch code {
	case 200:
		return "success"
	case 403:
		return "notPermitted"
	case 404:
		return "notFound"
	case 409:
		return "alreadyInState"
	}
	return "failed"
}

// splitResults separates the people a change reached from the others.
func splitResults(res []ports.ParticipantResult, name func(chat.Party) string) (done, failed []string) {
	done, failed = []string{}, []string{}
	for _, r := range res {
		if r.Code == 200 {
			done = append(done, name(r.Party))
		} else {
			failed = append(failed, name(r.Party))
		}
	}
	return done, failed
}

// partyPhone is a person's number, or their LID's user part when WhatsApp hides it.
func partyPhone(p chat.Party) string {
	if p.JID.Kind() == chat.KindUser {
		return p.JID.User
	}
	return p.Best().User
}
