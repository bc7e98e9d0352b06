package httpapi

import (
	"context"
	"net/http"

	"github.com/warest-go/warest/ports"
)

func (h *handlers) registerGroupReads() {
	register(h, groupRoute("getGroups", http.MethodGet, "/groups", "List groups"), h.listGroups)
	register(h, groupRoute("getGroupInfo", http.MethodGet, "/group/info", "Get group info"), h.groupInfo)
	register(h, groupRoute("getGroupPicture", http.MethodGet, "/group/picture", "Get group picture"), h.groupPicture)
	register(h, groupRoute("getGroupInvite", http.MethodGet, "/group/invite", "Get invite link (admins)"), h.groupInvite)
	register(h, groupRoute("getGroupJoinViaLink", http.MethodGet, "/group/join-via-link", "Preview invite link"), h.previewInvite)
	register(h, groupRoute("getGroupParticipants", http.MethodGet, "/group/participants", "List participants"), h.groupParticipants)
	register(h, groupRoute("getGroupParticipantsRequests", http.MethodGet, "/group/participants/requests", "List join requests (admins)"), h.joinRequests)
}

// groupMeta is WAREST's GroupInfo (Baileys' group metadata) without participants.
type groupMeta struct {
	ID                  string `json:"id"`
	Subject             string `json:"subject"`
	Creation            int64  `json:"creation" doc:"Unix seconds"`
	Owner               string `json:"owner,omitempty" doc:"digits of the creator's number"`
	OwnerJID            string `json:"ownerJid,omitempty"`
	Desc                string `json:"desc"`
	Restrict            bool   `json:"restrict" doc:"only admins edit the info (locked)"`
	Announce            bool   `json:"announce" doc:"only admins send"`
	IsCommunity         bool   `json:"isCommunity"`
	IsCommunityAnnounce bool   `json:"isCommunityAnnounce"`
	JoinApprovalMode    bool   `json:"joinApprovalMode"`
	ParticipantsCount   int    `json:"participantsCount"`
}

func toGroupMeta(g ports.GroupInfo) groupMeta {
	out := groupMeta{ID: g.JID.String(), Subject: g.Name, Desc: g.Topic, Restrict: g.Locked, Announce: g.Announce,
		JoinApprovalMode: g.JoinApproval, ParticipantsCount: len(g.Participants)}
	if !g.CreatedAt.IsZero() {
		out.Creation = g.CreatedAt.Unix()
	}
	if !g.Owner.IsZero() {
		out.Owner, out.OwnerJID = partyPhone(g.Owner), g.Owner.Best().String()
	}
	return out
}

type groupsList struct {
	SessionID string      `json:"sessionId"`
	Phone     string      `json:"phone"`
	Data      []groupMeta `json:"data"`
}

func (h *handlers) listGroups(ctx context.Context, in *SessionSelector) (*Response[groupsList], error) {
	ref, list, err := h.q.Groups.JoinedGroups(ctx, principal(ctx), in.sessionID())
	if err != nil {
		return nil, err
	}
	out := groupsList{SessionID: ref.SessionID, Phone: ref.Phone, Data: make([]groupMeta, len(list))}
	for i, g := range list {
		out.Data[i] = toGroupMeta(g)
	}
	return success("Groups listed", out), nil
}

type groupInfo struct {
	SessionID string    `json:"sessionId"`
	Phone     string    `json:"phone"`
	Data      groupMeta `json:"data"`
}

func (h *handlers) groupInfo(ctx context.Context, in *groupSelector) (*Response[groupInfo], error) {
	ref, info, err := h.q.Groups.GroupInfo(ctx, principal(ctx), in.sessionID(), in.GroupID)
	if err != nil {
		return nil, err
	}
	return success("Group info retrieved", groupInfo{SessionID: ref.SessionID, Phone: ref.Phone, Data: toGroupMeta(info)}), nil
}

type groupPicture struct {
	SessionID  string  `json:"sessionId"`
	Phone      string  `json:"phone"`
	GroupID    string  `json:"groupId"`
	PictureURL *string `json:"pictureUrl" doc:"null when the group has no picture"`
}

func (h *handlers) groupPicture(ctx context.Context, in *groupSelector) (*Response[groupPicture], error) {
	ref, url, err := h.q.Groups.GroupPicture(ctx, principal(ctx), in.sessionID(), in.GroupID)
	if err != nil {
		return nil, err
	}
	return success("Group picture", groupPicture{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: ref.Group.String(), PictureURL: nullable(url)}), nil
}

func (h *handlers) groupInvite(ctx context.Context, in *groupSelector) (*Response[groupResult], error) {
	ref, link, err := h.q.Groups.InviteLink(ctx, principal(ctx), in.sessionID(), in.GroupID)
	if err != nil {
		return nil, err
	}
	out := groupDone(ref, "success get invite link")
	out.InviteLink = &link
	return success("Invite link fetched", out), nil
}

type invitePreviewInput struct {
	SessionSelector
	InviteLink string `query:"inviteLink" doc:"the invite link or its code. Aliases: link, code."`
	Link       string `query:"link" hidden:"true"`
	Code       string `query:"code" hidden:"true"`
}

type invitePreview struct {
	SessionID         string  `json:"sessionId"`
	Phone             string  `json:"phone"`
	GroupID           string  `json:"groupId"`
	GroupName         string  `json:"groupName"`
	GroupDescription  *string `json:"groupDescription"`
	ParticipantsCount int     `json:"participantsCount"`
	IsGroupLocked     bool    `json:"isGroupLocked"`
	IsAnnouncement    bool    `json:"isAnnouncement"`
	JoinApproval      bool    `json:"joinApprovalMode" doc:"joining files a request the admins answer"`
	InviteLink        string  `json:"inviteLink"`
}

func (h *handlers) previewInvite(ctx context.Context, in *invitePreviewInput) (*Response[invitePreview], error) {
	link := firstOf(in.InviteLink, in.Link, in.Code)
	ref, info, err := h.q.Groups.InvitePreview(ctx, principal(ctx), in.sessionID(), link)
	if err != nil {
		return nil, err
	}
	return success("Invite preview", invitePreview{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: info.JID.String(),
		GroupName: info.Name, GroupDescription: nullable(info.Topic), ParticipantsCount: len(info.Participants),
		IsGroupLocked: info.Locked, IsAnnouncement: info.Announce, JoinApproval: info.JoinApproval, InviteLink: link}), nil
}

type participantDTO struct {
	ID           string  `json:"id" doc:"the LID when known, else the phone JID"`
	JID          string  `json:"jid" doc:"the phone JID when known, else the LID"`
	LID          *string `json:"lid"`
	Phone        string  `json:"phone"`
	IsMe         bool    `json:"isMe"`
	IsAdmin      bool    `json:"isAdmin"`
	IsSuperAdmin bool    `json:"isSuperAdmin"`
	Name         *string `json:"name"`
}

type participantsList struct {
	SessionID    string           `json:"sessionId"`
	Phone        string           `json:"phone"`
	GroupID      string           `json:"groupId"`
	Participants []participantDTO `json:"participants"`
}

func (h *handlers) groupParticipants(ctx context.Context, in *groupSelector) (*Response[participantsList], error) {
	ref, info, err := h.q.Groups.GroupInfo(ctx, principal(ctx), in.sessionID(), in.GroupID)
	if err != nil {
		return nil, err
	}
	out := participantsList{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: info.JID.String(), Participants: make([]participantDTO, len(info.Participants))}
	for i, m := range info.Participants {
		p := m.Party
		d := participantDTO{ID: p.Best().String(), JID: p.Best().String(), Phone: partyPhone(p), IsMe: ref.IsMe(p),
			IsAdmin: m.Admin || m.SuperAdmin, IsSuperAdmin: m.SuperAdmin, Name: nullable(p.PushName)}
		if !p.LID.IsZero() {
			d.ID, d.LID = p.LID.String(), nullable(p.LID.String())
		}
		out.Participants[i] = d
	}
	return success("Participants fetched", out), nil
}

type joinRequestDTO struct {
	JID           string  `json:"jid"`
	LID           *string `json:"lid"`
	Phone         string  `json:"phone"`
	RequestMethod string  `json:"requestMethod"`
	RequestTime   int64   `json:"requestTime" doc:"Unix seconds"`
}

type joinRequestsList struct {
	SessionID    string           `json:"sessionId"`
	Phone        string           `json:"phone"`
	GroupID      string           `json:"groupId"`
	JoinRequests []joinRequestDTO `json:"joinRequests"`
}

func (h *handlers) joinRequests(ctx context.Context, in *groupSelector) (*Response[joinRequestsList], error) {
	ref, list, err := h.q.Groups.JoinRequests(ctx, principal(ctx), in.sessionID(), in.GroupID)
	if err != nil {
		return nil, err
	}
	out := joinRequestsList{SessionID: ref.SessionID, Phone: ref.Phone, GroupID: ref.Group.String(), JoinRequests: make([]joinRequestDTO, len(list))}
	for i, r := range list {
		d := joinRequestDTO{JID: r.Party.Best().String(), Phone: partyPhone(r.Party), RequestMethod: r.Method, RequestTime: r.At.Unix()}
		if !r.Party.LID.IsZero() {
			d.LID = nullable(r.Party.LID.String())
		}
		out.JoinRequests[i] = d
	}
	return success("Pending join requests", out), nil
}
