package query

import (
	"context"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/ports"
)

// Groups reads the account's groups from WhatsApp, through an open session of the
// caller's.
type Groups struct {
	store  ports.Store
	groups ports.Groups // nil: the transport has no groups
}

// NewGroups builds the group reads; groups may be nil.
func NewGroups(store ports.Store, groups ports.Groups) *Groups {
	return &Groups{store: store, groups: groups}
}

// JoinedGroups lists the groups the account is in.
func (q *Groups) JoinedGroups(ctx context.Context, p account.Principal, sessionID string) (access.GroupRef, []ports.GroupInfo, error) {
	ref, err := q.open(ctx, p, sessionID, nil)
	if err != nil {
		return ref, nil, err
	}
	list, err := q.groups.JoinedGroups(ctx, ref.SessionID)
	return ref, list, access.Refused(err, "WhatsApp refused the group read")
}

// GroupInfo describes one group, with its participants.
func (q *Groups) GroupInfo(ctx context.Context, p account.Principal, sessionID, group string) (access.GroupRef, ports.GroupInfo, error) {
	ref, err := q.open(ctx, p, sessionID, &group)
	if err != nil {
		return ref, ports.GroupInfo{}, err
	}
	info, err := q.groups.GroupInfo(ctx, ref.SessionID, ref.Group)
	return ref, info, access.Refused(err, "WhatsApp refused the group read")
}

// GroupPicture returns the URL of the group's picture, "" without one.
func (q *Groups) GroupPicture(ctx context.Context, p account.Principal, sessionID, group string) (access.GroupRef, string, error) {
	ref, err := q.open(ctx, p, sessionID, &group)
	if err != nil {
		return ref, "", err
	}
	_, url, err := q.groups.GroupPicture(ctx, ref.SessionID, ref.Group)
	return ref, url, access.Refused(err, "WhatsApp refused the group read")
}

// InviteLink returns the group's current invite link (admins only).
func (q *Groups) InviteLink(ctx context.Context, p account.Principal, sessionID, group string) (access.GroupRef, string, error) {
	ref, err := q.open(ctx, p, sessionID, &group)
	if err != nil {
		return ref, "", err
	}
	link, err := q.groups.InviteLink(ctx, ref.SessionID, ref.Group, false)
	return ref, link, access.Refused(err, "WhatsApp refused the group read")
}

// InvitePreview describes the group behind an invite link without joining it.
func (q *Groups) InvitePreview(ctx context.Context, p account.Principal, sessionID, link string) (access.GroupRef, ports.GroupInfo, error) {
	ref, err := q.open(ctx, p, sessionID, nil)
	if err != nil {
		return ref, ports.GroupInfo{}, err
	}
	code, err := chat.InviteCode(link)
	if err != nil {
		return ref, ports.GroupInfo{}, err
	}
	info, err := q.groups.GroupInvitePreview(ctx, ref.SessionID, code)
	ref.Group = info.JID
	return ref, info, access.Refused(err, "WhatsApp refused the group read")
}

// JoinRequests lists the people waiting for approval (admins only).
func (q *Groups) JoinRequests(ctx context.Context, p account.Principal, sessionID, group string) (access.GroupRef, []ports.JoinRequest, error) {
	ref, err := q.open(ctx, p, sessionID, &group)
	if err != nil {
		return ref, nil, err
	}
	list, err := q.groups.JoinRequests(ctx, ref.SessionID, ref.Group)
	return ref, list, access.Refused(err, "WhatsApp refused the group read")
}

// open checks the session (and parses the group when the call is about one).
func (q *Groups) open(ctx context.Context, p account.Principal, sessionID string, group *string) (access.GroupRef, error) {
	var ref access.GroupRef
	var err error
	if group == nil {
		ref, err = access.OpenSession(ctx, q.store, p, sessionID)
	} else {
		ref, err = access.Group(ctx, q.store, p, sessionID, *group)
	}
	if err == nil && q.groups == nil {
		err = access.ErrNoGroups
	}
	return ref, err
}
