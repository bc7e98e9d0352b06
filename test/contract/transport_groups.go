package contract

import (
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// groupCases check ports.Groups on transports that offer it, with two sessions of
// the transport as the two members who matter.
var groupCases = []struct {
	name string
	run  func(t *testing.T, g ports.Groups, a, b groupMember)
}{
	{"groups/create rename and rank changes reach the other member", groupsCreateAndRank},
	{"groups/a member who is not admin is refused with a reason", groupsNotAdmin},
	{"groups/invite links join at once or by request", groupsInvites},
	{"groups/picture is set read and removed", groupsPicture},
	{"groups/leaving takes the member out", groupsLeave},
}

// groupMember is one session in the group tests.
type groupMember struct {
	id   string
	jid  chat.JID
	sink *TransportSink
}

func runGroupCase(t *testing.T, tr ports.Transport, w TransportWorld, run func(*testing.T, ports.Groups, groupMember, groupMember)) {
	g, ok := tr.(ports.Groups)
	if !ok {
		t.Skip("!!! this transport does not implement ports.Groups: group cases NOT RUN")
	}
	a := groupMember{id: "grp-a", jid: chat.UserJID(w.Phones().Own), sink: trOpen(t, tr, w, "grp-a", w.Phones().Own)}
	b := groupMember{id: "grp-b", jid: chat.UserJID(w.Phones().Peer), sink: trOpen(t, tr, w, "grp-b", w.Phones().Peer)}
	run(t, g, a, b)
}

func reasonOf(err error) fault.Reason {
	if fe, ok := fault.As(err); ok {
		return fe.Reason
	}
	return ""
}

func groupsCreateAndRank(t *testing.T, g ports.Groups, a, b groupMember) {
	info, err := g.CreateGroup(t.Context(), a.id, ports.GroupSpec{Name: "Contract", Participants: []chat.JID{b.jid}})
	must(t, err)
	if info.JID.Kind() != chat.KindGroup || len(info.Participants) != 2 || !info.Participants[0].SuperAdmin {
		t.Fatalf("created %+v", info)
	}
	WaitFor(t, b.sink, 1, func(e ports.TransportJoinedGroup) bool { return e.Group == info.JID })
	name := "Contract 2"
	must(t, g.ChangeGroup(t.Context(), a.id, info.JID, ports.GroupChange{Name: &name}))
	WaitFor(t, b.sink, 1, func(e ports.TransportGroupUpdate) bool { return e.Name != nil && *e.Name == name })
	res, err := g.ChangeParticipants(t.Context(), a.id, info.JID, ports.GroupPromote, []chat.JID{b.jid})
	must(t, err)
	if len(res) != 1 || res[0].Code != 200 {
		t.Fatalf("promote %+v", res)
	}
	WaitFor(t, b.sink, 1, func(e ports.TransportGroupParticipants) bool { return e.Action == ports.GroupPromote })
	for _, want := range []int{200, 409} {
		res, err = g.ChangeParticipants(t.Context(), a.id, info.JID, ports.GroupDemote, []chat.JID{b.jid})
		if err != nil || res[0].Code != want {
			t.Fatalf("demote: %+v %v, want code %d", res, err, want)
		}
	}
	got, err := g.GroupInfo(t.Context(), b.id, info.JID)
	must(t, err)
	if got.Name != name || got.Participants[1].Admin {
		t.Fatalf("info seen by the member %+v", got)
	}
}

func groupsNotAdmin(t *testing.T, g ports.Groups, a, b groupMember) {
	info, err := g.CreateGroup(t.Context(), a.id, ports.GroupSpec{Name: "Ranks", Participants: []chat.JID{b.jid}})
	must(t, err)
	locked := true
	if err := g.ChangeGroup(t.Context(), b.id, info.JID, ports.GroupChange{Locked: &locked}); reasonOf(err) != fault.ReasonNotGroupAdmin {
		t.Fatalf("a member locking: %v, want %s", err, fault.ReasonNotGroupAdmin)
	}
	if _, err := g.InviteLink(t.Context(), b.id, info.JID, false); reasonOf(err) != fault.ReasonNotGroupAdmin {
		t.Fatalf("a member reading the invite: %v", err)
	}
	if got, _ := g.GroupInfo(t.Context(), a.id, info.JID); got.Locked {
		t.Fatal("the refused change was applied")
	}
}

func groupsInvites(t *testing.T, g ports.Groups, a, b groupMember) {
	info, err := g.CreateGroup(t.Context(), a.id, ports.GroupSpec{Name: "Open"})
	must(t, err)
	link, err := g.InviteLink(t.Context(), a.id, info.JID, false)
	must(t, err)
	preview, err := g.GroupInvitePreview(t.Context(), b.id, link)
	must(t, err)
	if preview.JID != info.JID || preview.Name != "Open" {
		t.Fatalf("preview %+v", preview)
	}
	joined, pending, err := g.JoinWithLink(t.Context(), b.id, link)
	if err != nil || pending || joined != info.JID {
		t.Fatalf("join: %v %v %v", joined, pending, err)
	}
	WaitFor(t, a.sink, 1, func(e ports.TransportGroupParticipants) bool { return e.Action == ports.GroupAdd })

	approval := true
	closed, err := g.CreateGroup(t.Context(), a.id, ports.GroupSpec{Name: "Closed"})
	must(t, err)
	must(t, g.ChangeGroup(t.Context(), a.id, closed.JID, ports.GroupChange{JoinApproval: &approval}))
	old, err := g.InviteLink(t.Context(), a.id, closed.JID, false)
	must(t, err)
	link, err = g.InviteLink(t.Context(), a.id, closed.JID, true)
	must(t, err)
	if _, _, err := g.JoinWithLink(t.Context(), b.id, old); link == old || reasonOf(err) != fault.ReasonInviteInvalid {
		t.Fatalf("a revoked link: %v (new %q, old %q)", err, link, old)
	}
	if _, pending, err = g.JoinWithLink(t.Context(), b.id, link); err != nil || !pending {
		t.Fatalf("join by request: pending %v, %v", pending, err)
	}
	WaitFor(t, a.sink, 1, func(e ports.TransportGroupJoinRequest) bool { return e.Group == closed.JID && e.Who.JID == b.jid })
	reqs, err := g.JoinRequests(t.Context(), a.id, closed.JID)
	must(t, err)
	if len(reqs) != 1 || reqs[0].Party.JID != b.jid || reqs[0].At.IsZero() {
		t.Fatalf("requests %+v", reqs)
	}
	res, err := g.AnswerJoinRequests(t.Context(), a.id, closed.JID, true, []chat.JID{b.jid})
	if err != nil || res[0].Code != 200 {
		t.Fatalf("approve %+v %v", res, err)
	}
	if _, err := g.GroupInfo(t.Context(), b.id, closed.JID); err != nil {
		t.Fatalf("approved member cannot read the group: %v", err)
	}
}

func groupsPicture(t *testing.T, g ports.Groups, a, _ groupMember) {
	info, err := g.CreateGroup(t.Context(), a.id, ports.GroupSpec{Name: "Pictured"})
	must(t, err)
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 0xFF, 0xD9}
	id, err := g.SetGroupPicture(t.Context(), a.id, info.JID, jpeg)
	must(t, err)
	got, url, err := g.GroupPicture(t.Context(), a.id, info.JID)
	if err != nil || got != id || id == "" || url == "" {
		t.Fatalf("picture %q %q %v, set %q", got, url, err, id)
	}
	_, err = g.SetGroupPicture(t.Context(), a.id, info.JID, nil)
	must(t, err)
	if got, url, err = g.GroupPicture(t.Context(), a.id, info.JID); err != nil || got != "" || url != "" {
		t.Fatalf("after removal %q %q %v", got, url, err)
	}
}

func groupsLeave(t *testing.T, g ports.Groups, a, b groupMember) {
	info, err := g.CreateGroup(t.Context(), a.id, ports.GroupSpec{Name: "Leaving", Participants: []chat.JID{b.jid}})
	must(t, err)
	must(t, g.LeaveGroup(t.Context(), b.id, info.JID))
	WaitFor(t, a.sink, 1, func(e ports.TransportGroupParticipants) bool { return e.Action == ports.GroupRemove })
	if _, err := g.GroupInfo(t.Context(), b.id, info.JID); reasonOf(err) != fault.ReasonNotGroupMember {
		t.Fatalf("info after leaving: %v, want %s", err, fault.ReasonNotGroupMember)
	}
}
