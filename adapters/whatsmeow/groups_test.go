package whatsmeow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// fakeGroups records the group calls made of WhatsApp and answers from its fields.
type fakeGroups struct {
	waGroups // calls the test does not expect panic
	calls    []string
	info     *types.GroupInfo
	fail     error
	joined   types.JID
	picture  *types.ProfilePictureInfo
	updated  []types.GroupParticipant
}

func (f *fakeGroups) record(format string, args ...any) error {
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	return f.fail
}

func (f *fakeGroups) GetGroupInfo(_ context.Context, jid types.JID) (*types.GroupInfo, error) {
	return f.info, f.record("info %s", jid)
}
func (f *fakeGroups) SetGroupName(_ context.Context, jid types.JID, name string) error {
	return f.record("name %s %s", jid, name)
}
func (f *fakeGroups) SetGroupTopic(_ context.Context, jid types.JID, prev, _, topic string) error {
	return f.record("topic %s %s after %s", jid, topic, prev)
}
func (f *fakeGroups) SetGroupLocked(_ context.Context, jid types.JID, v bool) error {
	return f.record("locked %s %v", jid, v)
}
func (f *fakeGroups) SetGroupAnnounce(_ context.Context, jid types.JID, v bool) error {
	return f.record("announce %s %v", jid, v)
}
func (f *fakeGroups) SetGroupJoinApprovalMode(_ context.Context, jid types.JID, v bool) error {
	return f.record("approval %s %v", jid, v)
}
func (f *fakeGroups) GetGroupInfoFromLink(_ context.Context, code string) (*types.GroupInfo, error) {
	return f.info, f.record("preview %s", code)
}
func (f *fakeGroups) JoinGroupWithLink(_ context.Context, code string) (types.JID, error) {
	return f.joined, f.record("join %s", code)
}
func (f *fakeGroups) GetProfilePictureInfo(_ context.Context, jid types.JID, _ *wm.GetProfilePictureParams) (*types.ProfilePictureInfo, error) {
	return f.picture, f.record("picture %s", jid)
}
func (f *fakeGroups) CreateGroup(_ context.Context, req wm.ReqCreateGroup) (*types.GroupInfo, error) {
	return f.info, f.record("create %s %v", req.Name, req.Participants)
}

var (
	wmGroup = types.NewJID("120363041234567890", types.GroupServer)
	wmBobPN = types.NewJID("6281234567890", types.DefaultUserServer)
	wmBobLD = types.NewJID("222222222222222", types.HiddenUserServer)
)

func TestGroupInfoMapsMembersWithPhoneAndLID(t *testing.T) {
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	g := &types.GroupInfo{JID: wmGroup, OwnerJID: wmBobLD, OwnerPN: wmBobPN, GroupName: types.GroupName{Name: "Family"},
		GroupTopic: types.GroupTopic{Topic: "hi"}, GroupLocked: types.GroupLocked{IsLocked: true},
		GroupMembershipApprovalMode: types.GroupMembershipApprovalMode{IsJoinApprovalRequired: true}, GroupCreated: created,
		Participants: []types.GroupParticipant{
			{JID: wmBobLD, PhoneNumber: wmBobPN, LID: wmBobLD, IsSuperAdmin: true},
			{JID: types.NewJID("6289999999999", types.DefaultUserServer)},
		}}
	got := toGroupInfo(g)
	bob := chat.Party{JID: chat.UserJID("6281234567890"), LID: chat.JID{User: "222222222222222", Server: chat.ServerLID}}
	want := ports.GroupInfo{JID: chat.JID{User: "120363041234567890", Server: chat.ServerGroup}, Name: "Family", Topic: "hi",
		Locked: true, JoinApproval: true, Owner: bob, CreatedAt: created, Participants: []ports.GroupParticipant{
			{Party: bob, Admin: true, SuperAdmin: true}, {Party: chat.Party{JID: chat.UserJID("6289999999999")}}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestParticipantResultsFollowTheRequest(t *testing.T) {
	who := []chat.JID{chat.UserJID("6281234567890"), {User: "333", Server: chat.ServerLID}, chat.UserJID("6280000000000")}
	got := results(who, []types.GroupParticipant{
		{JID: types.NewJID("333", types.HiddenUserServer), LID: types.NewJID("333", types.HiddenUserServer), Error: 403},
		{JID: wmBobLD, PhoneNumber: wmBobPN, LID: wmBobLD},
	})
	codes := []int{got[0].Code, got[1].Code, got[2].Code}
	if !slices.Equal(codes, []int{200, 403, 404}) || got[0].Party.LID.User != "222222222222222" {
		t.Fatalf("results %+v", got)
	}
}

func TestGroupChangeMakesOneCallPerSetting(t *testing.T) {
	f := &fakeGroups{info: &types.GroupInfo{GroupTopic: types.GroupTopic{TopicID: "T1"}}}
	name, topic, locked, approval := "New", "About", true, false
	err := groupOps{cli: f}.change(context.Background(), toDomain(wmGroup), ports.GroupChange{Name: &name, Topic: &topic, Locked: &locked, JoinApproval: &approval})
	if err != nil {
		t.Fatal(err)
	}
	g := wmGroup.String()
	want := []string{"name " + g + " New", "info " + g, "topic " + g + " About after T1", "locked " + g + " true", "approval " + g + " false"}
	if !slices.Equal(f.calls, want) {
		t.Fatalf("calls %q\nwant  %q", f.calls, want)
	}
}

func TestJoinIsPendingWhereAdminsApprove(t *testing.T) {
	for _, approval := range []bool{false, true} {
		f := &fakeGroups{joined: wmGroup, info: &types.GroupInfo{JID: wmGroup,
			GroupMembershipApprovalMode: types.GroupMembershipApprovalMode{IsJoinApprovalRequired: approval}}}
		jid, pending, err := groupOps{cli: f}.join(context.Background(), "AbCdEf123456")
		if err != nil || pending != approval || jid != toDomain(wmGroup) {
			t.Fatalf("approval %v: %v %v %v", approval, jid, pending, err)
		}
	}
	f := &fakeGroups{fail: wrapIQ(wm.ErrInviteLinkRevoked, wm.ErrIQGone)}
	if _, _, err := (groupOps{cli: f}).join(context.Background(), "AbCdEf123456"); !hasReason(err, fault.ReasonInviteInvalid) || len(f.calls) != 1 {
		t.Fatalf("revoked link: %v after %q", err, f.calls)
	}
}

func TestGroupPictureUnsetIsEmpty(t *testing.T) {
	f := &fakeGroups{fail: wm.ErrProfilePictureNotSet}
	if id, url, err := (groupOps{cli: f}).picture(context.Background(), toDomain(wmGroup)); err != nil || id != "" || url != "" {
		t.Fatalf("unset picture: %q %q %v", id, url, err)
	}
	f = &fakeGroups{picture: &types.ProfilePictureInfo{ID: "17", URL: "https://pps.whatsapp.net/x"}}
	if id, url, err := (groupOps{cli: f}).picture(context.Background(), toDomain(wmGroup)); err != nil || id != "17" || url == "" {
		t.Fatalf("picture: %q %q %v", id, url, err)
	}
}

func TestGroupRefusalsHaveReasons(t *testing.T) {
	for _, c := range []struct {
		err    error
		reason fault.Reason
	}{
		{wrapIQ(wm.ErrNotInGroup, wm.ErrIQForbidden), fault.ReasonNotGroupMember},
		{wrapIQ(wm.ErrGroupNotFound, wm.ErrIQNotFound), fault.ReasonGroupNotFound},
		{wm.ErrIQForbidden, fault.ReasonNotGroupAdmin},
		{wrapIQ(wm.ErrGroupInviteLinkUnauthorized, wm.ErrIQNotAuthorized), fault.ReasonNotGroupAdmin},
		{wrapIQ(wm.ErrInviteLinkInvalid, wm.ErrIQNotAcceptable), fault.ReasonInviteInvalid},
		{wrapIQ(wm.ErrInvalidImageFormat, wm.ErrIQNotAcceptable), ports.ReasonUnsupportedType},
		{wm.ErrIQNotAcceptable, fault.ReasonInvalidParameter},
		{&wm.IQError{Code: 409, Text: "conflict"}, fault.ReasonInvalidState},
	} {
		if got := groupRefusal(c.err); !hasReason(got, c.reason) || !errors.Is(got, c.err) {
			t.Errorf("%v → %v, want reason %s with the cause kept", c.err, got, c.reason)
		}
	}
	other := errors.New("socket closed")
	if groupRefusal(other) != other || groupRefusal(nil) != nil {
		t.Error("errors WhatsApp did not answer must pass unchanged")
	}
	f := &fakeGroups{fail: wm.ErrIQForbidden}
	name := "x"
	if err := (groupOps{cli: f}).change(context.Background(), toDomain(wmGroup), ports.GroupChange{Name: &name}); !hasReason(err, fault.ReasonNotGroupAdmin) {
		t.Fatalf("change refused: %v", err)
	}
}

func hasReason(err error, r fault.Reason) bool {
	fe, ok := fault.As(err)
	return ok && fe.Reason == r
}

// wrapIQ wraps an IQ error under a readable one, as whatsmeow does.
func wrapIQ(human, iq error) error { return &wrappedIQ{human, iq} }

type wrappedIQ struct{ human, iq error }

func (e *wrappedIQ) Error() string       { return e.human.Error() }
func (e *wrappedIQ) Is(other error) bool { return errors.Is(other, e.human) }
func (e *wrappedIQ) Unwrap() error       { return e.iq }
