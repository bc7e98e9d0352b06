package waserver_test

import (
	"errors"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/warest-go/warest/test/waserver"
)

func createGroup(t *testing.T, by *peer, name string, members ...*peer) *types.GroupInfo {
	t.Helper()
	req := whatsmeow.ReqCreateGroup{Name: name}
	for _, m := range members {
		req.Participants = append(req.Participants, m.pn())
	}
	g, err := by.cli.CreateGroup(t.Context(), req)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return g
}

// groupChange awaits the next w:gp2 change of group that ok accepts.
func groupChange(t *testing.T, p *peer, g types.JID, what string, ok func(*events.GroupInfo) bool) *events.GroupInfo {
	t.Helper()
	return awaitThat(t, p.evts, what, func(e *events.GroupInfo) bool { return e.JID == g && ok(e) })
}

func carol(t *testing.T, srv *waserver.Server) *peer {
	return newPeer(t, srv, waserver.NewPhone("15550003333", "100200500"), "Carol")
}

func TestCreatedGroupReachesItsMembers(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	g := createGroup(t, a, "Picnic", b)
	if g.JID.Server != types.GroupServer || g.Name != "Picnic" || g.OwnerPN != a.pn() || len(g.Participants) != 2 {
		t.Fatalf("created %+v, want Picnic owned by Alice with two participants", g)
	}
	if p := g.Participants[0]; p.PhoneNumber != a.pn() || p.LID.User != a.phone.LIDUser || !p.IsSuperAdmin {
		t.Errorf("first participant %+v, want Alice as super admin", p)
	}
	if p := g.Participants[1]; p.PhoneNumber != b.pn() || p.IsAdmin {
		t.Errorf("second participant %+v, want Bob as a plain member", p)
	}
	joined := awaitThat(t, b.evts, "Bob joining Picnic", func(e *events.JoinedGroup) bool { return e.JID == g.JID })
	if joined.Name != "Picnic" || len(joined.Participants) != 2 || joined.Sender == nil || joined.Sender.User != a.phone.LIDUser {
		t.Errorf("Bob's joined event %+v, want Picnic with two members, created by Alice", joined)
	}
	seen, err := b.cli.GetGroupInfo(t.Context(), g.JID)
	if err != nil || seen.Name != "Picnic" || len(seen.Participants) != 2 || seen.AddressingMode != types.AddressingModeLID {
		t.Fatalf("Bob reads %+v, %v", seen, err)
	}
	list, err := b.cli.GetJoinedGroups(t.Context())
	if err != nil || len(list) != 1 || list[0].JID != g.JID {
		t.Errorf("Bob's groups %+v, %v, want only Picnic", list, err)
	}
	carolsGroups, err := carol(t, srv).cli.GetJoinedGroups(t.Context())
	if err != nil || len(carolsGroups) != 0 {
		t.Errorf("Carol's groups %+v, %v, want none", carolsGroups, err)
	}
	eventually(t, "Bob acknowledged the notification", func() bool { return srv.Pending(b.jid) == 0 })
}

func TestGroupSubjectAndRanksNeedAnAdmin(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	g := createGroup(t, a, "Ranks", b)

	if err := a.cli.SetGroupName(t.Context(), g.JID, "Ranks 2"); err != nil {
		t.Fatal(err)
	}
	renamed := groupChange(t, b, g.JID, "the rename", func(e *events.GroupInfo) bool { return e.Name != nil })
	if renamed.Name.Name != "Ranks 2" || renamed.Sender == nil || renamed.Sender.User != a.phone.LIDUser {
		t.Errorf("rename %+v, want Ranks 2 by Alice", renamed)
	}

	got, err := a.cli.UpdateGroupParticipants(t.Context(), g.JID, []types.JID{b.pn()}, whatsmeow.ParticipantChangePromote)
	if err != nil || len(got) != 1 || got[0].Error != 0 || got[0].PhoneNumber != b.pn() {
		t.Fatalf("promote: %+v %v", got, err)
	}
	promoted := groupChange(t, b, g.JID, "the promotion", func(e *events.GroupInfo) bool { return len(e.Promote) > 0 })
	if promoted.Promote[0].User != b.phone.LIDUser {
		t.Errorf("promoted %v, want Bob", promoted.Promote)
	}
	for _, want := range []int{0, 409} {
		got, err := a.cli.UpdateGroupParticipants(t.Context(), g.JID, []types.JID{b.pn()}, whatsmeow.ParticipantChangeDemote)
		if err != nil || len(got) != 1 || got[0].Error != want {
			t.Fatalf("demote: %+v %v, want error code %d", got, err, want)
		}
	}

	// Bob is a plain member again: settings and the invite link are for admins.
	if err := b.cli.SetGroupLocked(t.Context(), g.JID, true); !errors.Is(err, whatsmeow.ErrIQNotAuthorized) {
		t.Errorf("Bob locking: %v, want not-authorized", err)
	}
	if _, err := b.cli.GetGroupInviteLink(t.Context(), g.JID, false); !errors.Is(err, whatsmeow.ErrGroupInviteLinkUnauthorized) {
		t.Errorf("Bob reading the invite link: %v", err)
	}
	if got, err := b.cli.UpdateGroupParticipants(t.Context(), g.JID, []types.JID{a.pn()}, whatsmeow.ParticipantChangeRemove); !errors.Is(err, whatsmeow.ErrIQNotAuthorized) {
		t.Errorf("Bob removing Alice: %+v %v, want not-authorized", got, err)
	}
	// An unlocked group lets any member rename it.
	if err := b.cli.SetGroupName(t.Context(), g.JID, "Bob's"); err != nil {
		t.Errorf("Bob renaming the unlocked group: %v", err)
	}
	seen, err := a.cli.GetGroupInfo(t.Context(), g.JID)
	if err != nil || seen.Name != "Bob's" || seen.IsLocked || seen.Participants[1].IsAdmin {
		t.Fatalf("Alice reads %+v, %v, want Bob's name, unlocked, Bob not admin", seen, err)
	}

	c := carol(t, srv)
	stranger := types.NewJID("15559999999", types.DefaultUserServer)
	got, err = a.cli.UpdateGroupParticipants(t.Context(), g.JID, []types.JID{c.pn(), stranger, b.pn()}, whatsmeow.ParticipantChangeAdd)
	if err != nil || len(got) != 3 || got[0].Error != 0 || got[1].Error != 404 || got[2].Error != 409 {
		t.Fatalf("add Carol, a stranger and Bob: %+v %v, want 200, 404, 409", got, err)
	}
	awaitThat(t, c.evts, "Carol's add", func(e *events.GroupInfo) bool { return e.JID == g.JID && len(e.Join) == 1 })
	if _, err := a.cli.UpdateGroupParticipants(t.Context(), g.JID, []types.JID{c.pn()}, whatsmeow.ParticipantChangeRemove); err != nil {
		t.Fatal(err)
	}
	removed := groupChange(t, c, g.JID, "Carol's removal", func(e *events.GroupInfo) bool { return len(e.Leave) > 0 })
	if removed.Leave[0].User != c.phone.LIDUser {
		t.Errorf("removed %v, want Carol", removed.Leave)
	}
	if _, err := c.cli.GetGroupInfo(t.Context(), g.JID); !errors.Is(err, whatsmeow.ErrNotInGroup) {
		t.Errorf("Carol reading the group after removal: %v", err)
	}
	if _, err := a.cli.GetGroupInfo(t.Context(), types.NewJID("120363999999999999", types.GroupServer)); !errors.Is(err, whatsmeow.ErrGroupNotFound) {
		t.Errorf("an unknown group: %v", err)
	}
}

func TestInviteLinksJoinAtOnceOrByRequest(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	open := createGroup(t, a, "Open")
	link, err := a.cli.GetGroupInviteLink(t.Context(), open.JID, false)
	if err != nil {
		t.Fatal(err)
	}
	preview, err := b.cli.GetGroupInfoFromLink(t.Context(), link)
	if err != nil || preview.JID != open.JID || preview.Name != "Open" || preview.IsJoinApprovalRequired {
		t.Fatalf("preview %+v, %v", preview, err)
	}
	joined, err := b.cli.JoinGroupWithLink(t.Context(), link)
	if err != nil || joined != open.JID {
		t.Fatalf("join: %v %v", joined, err)
	}
	add := groupChange(t, a, open.JID, "Bob joining", func(e *events.GroupInfo) bool { return len(e.Join) > 0 })
	if add.JoinReason != "invite" || add.Join[0].User != b.phone.LIDUser {
		t.Errorf("join %+v, want Bob by invite", add)
	}
	if _, err := b.cli.JoinGroupWithLink(t.Context(), link); !errors.Is(err, &whatsmeow.IQError{Code: 409, Text: "conflict"}) {
		t.Errorf("joining twice: %v, want conflict", err)
	}

	closed := createGroup(t, a, "Closed")
	if err := a.cli.SetGroupJoinApprovalMode(t.Context(), closed.JID, true); err != nil {
		t.Fatal(err)
	}
	old, err := a.cli.GetGroupInviteLink(t.Context(), closed.JID, false)
	if err != nil {
		t.Fatal(err)
	}
	link, err = a.cli.GetGroupInviteLink(t.Context(), closed.JID, true)
	if err != nil || link == old {
		t.Fatalf("reset gave %q (%v), old %q", link, err, old)
	}
	if _, err := b.cli.JoinGroupWithLink(t.Context(), old); !errors.Is(err, whatsmeow.ErrInviteLinkRevoked) {
		t.Errorf("a revoked link: %v", err)
	}
	if _, err := b.cli.GetGroupInfoFromLink(t.Context(), "nonsense"); !errors.Is(err, whatsmeow.ErrInviteLinkInvalid) {
		t.Errorf("a made-up link: %v", err)
	}
	if preview, err := b.cli.GetGroupInfoFromLink(t.Context(), link); err != nil || !preview.IsJoinApprovalRequired {
		t.Errorf("preview of the closed group %+v, %v, want approval required", preview, err)
	}
	if jid, err := b.cli.JoinGroupWithLink(t.Context(), link); err != nil || jid != closed.JID {
		t.Fatalf("join by request: %v %v", jid, err)
	}
	req := groupChange(t, a, closed.JID, "Bob's request", func(e *events.GroupInfo) bool { return len(e.UnknownChanges) > 0 })
	if n := req.UnknownChanges[0]; n.Tag != "created_membership_requests" || n.GetChildByTag("participant").Attrs["phone_number"] != b.pn() {
		t.Errorf("request notification %v, want created_membership_requests for Bob", n)
	}
	if _, err := b.cli.GetGroupInfo(t.Context(), closed.JID); !errors.Is(err, whatsmeow.ErrNotInGroup) {
		t.Errorf("Bob reads the group before approval: %v", err)
	}
	reqs, err := a.cli.GetGroupRequestParticipants(t.Context(), closed.JID)
	if err != nil || len(reqs) != 1 || reqs[0].JID != b.pn() || reqs[0].RequestedAt.IsZero() {
		t.Fatalf("requests %+v, %v", reqs, err)
	}
	got, err := a.cli.UpdateGroupRequestParticipants(t.Context(), closed.JID, []types.JID{b.pn()}, whatsmeow.ParticipantChangeApprove)
	if err != nil || len(got) != 1 || got[0].Error != 0 {
		t.Fatalf("approve %+v, %v", got, err)
	}
	groupChange(t, b, closed.JID, "Bob let in", func(e *events.GroupInfo) bool { return len(e.Join) > 0 })
	if g, err := b.cli.GetGroupInfo(t.Context(), closed.JID); err != nil || len(g.Participants) != 2 {
		t.Errorf("Bob reads the group after approval: %+v, %v", g, err)
	}
	if reqs, err := a.cli.GetGroupRequestParticipants(t.Context(), closed.JID); err != nil || len(reqs) != 0 {
		t.Errorf("requests after approval %+v, %v", reqs, err)
	}
}

func TestLeavingTakesTheMemberOut(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	g := createGroup(t, a, "Leaving", b)
	if err := b.cli.LeaveGroup(t.Context(), g.JID); err != nil {
		t.Fatal(err)
	}
	left := groupChange(t, a, g.JID, "Bob leaving", func(e *events.GroupInfo) bool { return len(e.Leave) > 0 })
	if left.Leave[0].User != b.phone.LIDUser || left.Sender.User != b.phone.LIDUser {
		t.Errorf("leave %+v, want Bob by himself", left)
	}
	if _, err := b.cli.GetGroupInfo(t.Context(), g.JID); !errors.Is(err, whatsmeow.ErrNotInGroup) {
		t.Errorf("info after leaving: %v", err)
	}
	if err := b.cli.LeaveGroup(t.Context(), g.JID); !errors.Is(err, whatsmeow.ErrIQForbidden) {
		t.Errorf("leaving again: %v, want forbidden", err)
	}
	if seen, err := a.cli.GetGroupInfo(t.Context(), g.JID); err != nil || len(seen.Participants) != 1 {
		t.Errorf("Alice reads %+v, %v, want herself alone", seen, err)
	}
}

func TestGroupTopicAndSettingsReachMembers(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	g := createGroup(t, a, "Settings", b)
	if err := a.cli.SetGroupTopic(t.Context(), g.JID, "", "", "bring snacks"); err != nil {
		t.Fatal(err)
	}
	topic := groupChange(t, b, g.JID, "the topic", func(e *events.GroupInfo) bool { return e.Topic != nil })
	if topic.Topic.Topic != "bring snacks" || topic.Topic.TopicID == "" {
		t.Errorf("topic %+v, want bring snacks with an id", topic.Topic)
	}
	if err := a.cli.SetGroupTopic(t.Context(), g.JID, "stale-id", "", "again"); !errors.Is(err, &whatsmeow.IQError{Code: 409, Text: "conflict"}) {
		t.Errorf("a topic change on a stale id: %v, want conflict", err)
	}
	if err := a.cli.SetGroupAnnounce(t.Context(), g.JID, true); err != nil {
		t.Fatal(err)
	}
	groupChange(t, b, g.JID, "announce mode", func(e *events.GroupInfo) bool { return e.Announce != nil && e.Announce.IsAnnounce })
	if err := a.cli.SetGroupLocked(t.Context(), g.JID, true); err != nil {
		t.Fatal(err)
	}
	groupChange(t, b, g.JID, "the lock", func(e *events.GroupInfo) bool { return e.Locked != nil && e.Locked.IsLocked })
	if err := b.cli.SetGroupName(t.Context(), g.JID, "mine"); !errors.Is(err, whatsmeow.ErrIQNotAuthorized) {
		t.Errorf("a member renaming a locked group: %v, want not-authorized", err)
	}
	seen, err := b.cli.GetGroupInfo(t.Context(), g.JID)
	if err != nil || seen.Topic != "bring snacks" || seen.TopicID != topic.Topic.TopicID || !seen.IsAnnounce || !seen.IsLocked || seen.Name != "Settings" {
		t.Errorf("Bob reads %+v, %v, want the topic, announce and locked, the name unchanged", seen, err)
	}
}
