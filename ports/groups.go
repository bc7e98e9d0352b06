package ports

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
)

// Groups manages WhatsApp groups as one of their members. It is separate from
// Transport so a transport can offer it later than messaging.
type Groups interface {
	// CreateGroup makes a group with the account as its super admin.
	CreateGroup(ctx context.Context, sessionID string, spec GroupSpec) (GroupInfo, error)
	// GroupInfo describes a group the account belongs to.
	GroupInfo(ctx context.Context, sessionID string, group chat.JID) (GroupInfo, error)
	// JoinedGroups lists the groups the account belongs to.
	JoinedGroups(ctx context.Context, sessionID string) ([]GroupInfo, error)
	// ChangeParticipants adds, removes, promotes or demotes members (admins only);
	// each person gets a WhatsApp-style status code.
	ChangeParticipants(ctx context.Context, sessionID string, group chat.JID, action GroupAction, who []chat.JID) ([]ParticipantResult, error)
	// ChangeGroup changes the name, topic or settings; nil fields stay.
	ChangeGroup(ctx context.Context, sessionID string, group chat.JID, change GroupChange) error
	// InviteLink returns the group's invite link, a new one when reset (admins only).
	InviteLink(ctx context.Context, sessionID string, group chat.JID, reset bool) (string, error)
	// JoinWithLink joins through an invite link or code. In a group that approves
	// joins, it files a request instead and reports pending.
	JoinWithLink(ctx context.Context, sessionID, link string) (group chat.JID, pending bool, err error)
	// GroupInvitePreview describes the group behind an invite link or code without
	// joining it.
	GroupInvitePreview(ctx context.Context, sessionID, link string) (GroupInfo, error)
	// JoinRequests lists the people waiting for approval (admins only).
	JoinRequests(ctx context.Context, sessionID string, group chat.JID) ([]JoinRequest, error)
	// AnswerJoinRequests approves or rejects waiting people (admins only).
	AnswerJoinRequests(ctx context.Context, sessionID string, group chat.JID, approve bool, who []chat.JID) ([]ParticipantResult, error)
	// LeaveGroup removes the account from the group.
	LeaveGroup(ctx context.Context, sessionID string, group chat.JID) error
	// SetGroupPicture sets the group's picture (a JPEG) and returns its id; nil
	// removes it. Admins only while the group is locked.
	SetGroupPicture(ctx context.Context, sessionID string, group chat.JID, image []byte) (pictureID string, err error)
	// GroupPicture returns the id and URL of the group's picture, both empty when it
	// has none.
	GroupPicture(ctx context.Context, sessionID string, group chat.JID) (id, url string, err error)
}

// JoinRequest is someone waiting for an admin to let them in.
type JoinRequest struct {
	Party  chat.Party
	Method string // how they asked: invite_link, or what WhatsApp names
	At     time.Time
}

// GroupSpec is a group to create.
type GroupSpec struct {
	Name         string
	Participants []chat.JID
}

// GroupChange names what to change in a group; nil fields stay as they are.
type GroupChange struct {
	Name         *string
	Topic        *string
	Locked       *bool // only admins edit the group info
	Announce     *bool // only admins send messages
	JoinApproval *bool // admins approve who joins by link
}

// GroupInfo describes a group.
type GroupInfo struct {
	JID          chat.JID
	Name         string
	Topic        string
	Locked       bool
	Announce     bool
	JoinApproval bool
	Owner        chat.Party
	Participants []GroupParticipant
	CreatedAt    time.Time
}

// GroupParticipant is one member and their rank.
type GroupParticipant struct {
	Party      chat.Party
	Admin      bool
	SuperAdmin bool
}

// ParticipantResult is the outcome for one person of a membership change, with
// WhatsApp's codes: 200 done, 403 not allowed (privacy or rank), 404 not on
// WhatsApp, 409 already in that state.
type ParticipantResult struct {
	Party chat.Party
	Code  int
}
