package command

import (
	"context"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/ports"
)

// GroupPictureSize is the side of the square JPEG WhatsApp keeps as a group picture.
const GroupPictureSize = 640

// Groups creates, changes, leaves and disbands the account's groups. Every call
// checks the caller owns the session and that it is open before WhatsApp is asked.
type Groups struct {
	store     ports.Store
	groups    ports.Groups // nil: the transport has no groups
	addresses chat.Normalizer
	media     mediaPrep
}

// CreateGroup makes a group with the account as super admin; people whose privacy
// does not let the account add them are left out, as WhatsApp does.
func (s *Groups) CreateGroup(ctx context.Context, p account.Principal, sessionID, name string, participants []string) (access.GroupRef, ports.GroupInfo, error) {
	ref, err := s.open(ctx, p, sessionID)
	if err != nil {
		return ref, ports.GroupInfo{}, err
	}
	var who []chat.JID
	if len(participants) > 0 {
		if who, err = s.addresses.NormalizeAll(participants); err != nil {
			return ref, ports.GroupInfo{}, err
		}
	}
	info, err := s.groups.CreateGroup(ctx, ref.SessionID, ports.GroupSpec{Name: name, Participants: who})
	ref.Group = info.JID
	return ref, info, access.Refused(err, "WhatsApp refused to create the group")
}

// ChangeGroup changes the name, description or settings (nil fields stay).
func (s *Groups) ChangeGroup(ctx context.Context, p account.Principal, sessionID, group string, c ports.GroupChange) (access.GroupRef, error) {
	ref, err := s.group(ctx, p, sessionID, group)
	if err != nil {
		return ref, err
	}
	return ref, access.Refused(s.groups.ChangeGroup(ctx, ref.SessionID, ref.Group, c), "WhatsApp refused the group change")
}

// SetGroupPicture loads the picture through the guarded media path (URL fetch,
// sniffing, size limit), makes it a 640 px square JPEG and sets it; a nil source
// removes the picture.
func (s *Groups) SetGroupPicture(ctx context.Context, p account.Principal, sessionID, group string, src *MediaSource) (access.GroupRef, string, error) {
	ref, err := s.group(ctx, p, sessionID, group)
	if err != nil {
		return ref, "", err
	}
	var jpeg []byte
	if src != nil {
		loaded, err := s.media.load(ctx, *src)
		if err != nil {
			return ref, "", err
		}
		if mime := media.Pick(media.Sniff(loaded.Data), "", ""); !media.ClassImage.Accepts(mime) {
			return ref, "", fault.New(fault.KindInvalid, ports.ReasonUnsupportedType, "a group picture must be an image, not %s", media.Base(mime))
		}
		if s.media.transcoder == nil {
			return ref, "", fault.New(fault.KindUnavailable, ports.ReasonNoTranscoder, "image conversion is not configured")
		}
		if jpeg, err = s.media.transcoder.PictureJPEG(ctx, loaded.Data, GroupPictureSize); err != nil {
			return ref, "", err
		}
	}
	id, err := s.groups.SetGroupPicture(ctx, ref.SessionID, ref.Group, jpeg)
	return ref, id, access.Refused(err, "WhatsApp refused the group picture")
}

// LeaveGroup takes the account out of the group.
func (s *Groups) LeaveGroup(ctx context.Context, p account.Principal, sessionID, group string) (access.GroupRef, error) {
	ref, err := s.group(ctx, p, sessionID, group)
	if err != nil {
		return ref, err
	}
	return ref, access.Refused(s.groups.LeaveGroup(ctx, ref.SessionID, ref.Group), "WhatsApp refused to let the account leave")
}

// DisbandGroup is WAREST's delete: WhatsApp has no such call, so an admin removes
// every other member, resets the invite link and leaves. It returns the outcome
// for each member it tried to remove.
func (s *Groups) DisbandGroup(ctx context.Context, p account.Principal, sessionID, group string) (access.GroupRef, []ports.ParticipantResult, error) {
	ref, err := s.group(ctx, p, sessionID, group)
	if err != nil {
		return ref, nil, err
	}
	info, err := s.groups.GroupInfo(ctx, ref.SessionID, ref.Group)
	if err != nil {
		return ref, nil, access.Refused(err, "WhatsApp refused the group info")
	}
	if !isAdmin(info, ref) {
		return ref, nil, fault.New(fault.KindForbidden, fault.ReasonNotGroupAdmin, "only an admin of %s can delete it", ref.Group)
	}
	var others []chat.JID
	for _, m := range info.Participants {
		if !ref.IsMe(m.Party) {
			others = append(others, m.Party.Best())
		}
	}
	var results []ports.ParticipantResult
	if len(others) > 0 {
		if results, err = s.groups.ChangeParticipants(ctx, ref.SessionID, ref.Group, ports.GroupRemove, others); err != nil {
			return ref, nil, access.Refused(err, "WhatsApp refused to remove the members")
		}
	}
	if _, err := s.groups.InviteLink(ctx, ref.SessionID, ref.Group, true); err != nil {
		return ref, results, access.Refused(err, "WhatsApp refused to reset the invite link")
	}
	return ref, results, access.Refused(s.groups.LeaveGroup(ctx, ref.SessionID, ref.Group), "WhatsApp refused to let the account leave")
}

func isAdmin(info ports.GroupInfo, me access.GroupRef) bool {
	for _, m := range info.Participants {
		if me.IsMe(m.Party) {
			return m.Admin || m.SuperAdmin
		}
	}
	return false
}

func (s *Groups) open(ctx context.Context, p account.Principal, sessionID string) (access.GroupRef, error) {
	ref, err := access.OpenSession(ctx, s.store, p, sessionID)
	if err == nil && s.groups == nil {
		err = access.ErrNoGroups
	}
	return ref, err
}

func (s *Groups) group(ctx context.Context, p account.Principal, sessionID, group string) (access.GroupRef, error) {
	ref, err := access.Group(ctx, s.store, p, sessionID, group)
	if err == nil && s.groups == nil {
		err = access.ErrNoGroups
	}
	return ref, err
}
