package sandbox

import (
	"context"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func ptr[T any](v T) *T { return &v }

// groupOfThree: alice creates a group with bob (both sessions) and carol (virtual).
func groupOfThree(t *testing.T) (n *Network, alice, bob *recordingSink, g ports.GroupInfo) {
	t.Helper()
	n, _ = newTestNetwork(t, Config{})
	alice = startPaired(t, n, "alice", "628111111111")
	bob = startPaired(t, n, "bob", "628222222222")
	g, err := n.CreateGroup(context.Background(), "alice", ports.GroupSpec{Name: "Team",
		Participants: []chat.JID{chat.UserJID("628222222222"), chat.UserJID("628333333333")}})
	if err != nil {
		t.Fatal(err)
	}
	return n, alice, bob, g
}

func TestCreateGroupTellsEveryMember(t *testing.T) {
	t.Parallel()
	_, alice, bob, g := groupOfThree(t)
	if g.JID.Kind() != chat.KindGroup || len(g.Participants) != 3 || !g.Participants[0].SuperAdmin || g.Participants[1].Admin ||
		g.Owner.JID != chat.UserJID("628111111111") {
		t.Fatalf("group %+v", g)
	}
	for _, sink := range []*recordingSink{alice, bob} {
		j := waitFor[ports.TransportJoinedGroup](t, sink, 1)[0]
		if j.Group != g.JID || j.Name != "Team" || len(j.Participants) != 3 || j.Participants[2].LID != lidFor("628333333333") {
			t.Fatalf("joined %+v", j)
		}
	}
}

func TestGroupAdminRules(t *testing.T) {
	t.Parallel()
	n, alice, bob, g := groupOfThree(t)
	ctx := context.Background()
	text := message.TextContent("hi all")

	if err := n.ChangeGroup(ctx, "alice", g.JID, ports.GroupChange{Announce: ptr(true), Locked: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	up := waitFor[ports.TransportGroupUpdate](t, bob, 1)[0]
	if up.Announce == nil || !*up.Announce || up.Name != nil || up.By.JID != chat.UserJID("628111111111") {
		t.Fatalf("update %+v", up)
	}
	if _, err := send(t, n, "bob", g.JID, text); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("non-admin send in announce mode = %v", err)
	}
	if _, err := n.Inject("bob", ports.SandboxInbound{From: "628333333333", Group: g.JID, Content: text}); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("virtual non-admin send in announce mode = %v", err)
	}
	if err := n.ChangeGroup(ctx, "bob", g.JID, ports.GroupChange{Name: ptr("Mine")}); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("non-admin rename of a locked group = %v", err)
	}
	if _, err := n.ChangeParticipants(ctx, "bob", g.JID, ports.GroupRemove, []chat.JID{chat.UserJID("628333333333")}); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("non-admin remove = %v", err)
	}

	res, err := n.ChangeParticipants(ctx, "alice", g.JID, ports.GroupPromote, []chat.JID{chat.UserJID("628222222222"), chat.UserJID("628444444444")})
	if err != nil || res[0].Code != 200 || res[1].Code != 404 {
		t.Fatalf("promote = %+v, %v", res, err)
	}
	pr := waitFor[ports.TransportGroupParticipants](t, bob, 1)[0]
	if pr.Action != ports.GroupPromote || pr.Participants[0].JID != chat.UserJID("628222222222") {
		t.Fatalf("participants %+v", pr)
	}
	m := mustSend(t, n, "bob", g.JID, text)
	in := waitFor[ports.TransportMessage](t, alice, 1)[0].Message
	if in.Chat != g.JID || in.Sender.JID != chat.UserJID("628222222222") || in.ID != m.ID {
		t.Fatalf("alice got %+v", in)
	}
	// Bob, now admin, may revoke alice's message but not demote the creator.
	am := mustSend(t, n, "alice", g.JID, text)
	mustSend(t, n, "bob", g.JID, message.Content{Kind: message.KindRevoke, Target: &message.Reference{Chat: g.JID, ID: am.ID, Sender: chat.UserJID("628111111111")}})
	if res, _ := n.ChangeParticipants(ctx, "bob", g.JID, ports.GroupDemote, []chat.JID{chat.UserJID("628111111111")}); res[0].Code != 403 {
		t.Fatalf("demote the creator = %+v", res)
	}
}

func TestInviteLinksAndJoinRequests(t *testing.T) {
	t.Parallel()
	n, alice, _, g := groupOfThree(t)
	ctx := context.Background()
	dave := startPaired(t, n, "dave", "628444444444")
	if _, err := n.InviteLink(ctx, "bob", g.JID, false); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("non-admin invite link = %v", err)
	}
	link, err := n.InviteLink(ctx, "alice", g.JID, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.ChangeGroup(ctx, "alice", g.JID, ports.GroupChange{JoinApproval: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	jid, pending, err := n.JoinWithLink(ctx, "dave", link)
	if err != nil || jid != g.JID || !pending {
		t.Fatalf("join = %v %v %v", jid, pending, err)
	}
	reqs, _ := n.JoinRequests(ctx, "alice", g.JID)
	if len(reqs) != 1 || reqs[0].At.IsZero() || reqs[0].Party.JID != chat.UserJID("628444444444") {
		t.Fatalf("requests %+v", reqs)
	}
	res, err := n.AnswerJoinRequests(ctx, "alice", g.JID, true, []chat.JID{chat.UserJID("628444444444")})
	if err != nil || res[0].Code != 200 {
		t.Fatalf("approve = %+v %v", res, err)
	}
	if j := waitFor[ports.TransportJoinedGroup](t, dave, 1)[0]; j.Group != g.JID || len(j.Participants) != 4 {
		t.Fatalf("dave joined %+v", j)
	}
	if add := waitFor[ports.TransportGroupParticipants](t, alice, 1)[0]; add.Action != ports.GroupAdd || add.Participants[0].JID != chat.UserJID("628444444444") {
		t.Fatalf("alice saw %+v", add)
	}
	fresh, _ := n.InviteLink(ctx, "alice", g.JID, true)
	if _, _, err := n.JoinWithLink(ctx, "dave", link); !fault.Is(err, fault.KindNotFound) || fresh == link {
		t.Fatalf("old link after reset = %v", err)
	}
}

func TestLeaveHandsAdminOnAndPrivacyBlocksAdds(t *testing.T) {
	t.Parallel()
	n, _, bob, g := groupOfThree(t)
	ctx := context.Background()
	if err := n.LeaveGroup(ctx, "alice", g.JID); err != nil {
		t.Fatal(err)
	}
	evs := waitFor[ports.TransportGroupParticipants](t, bob, 2)
	if evs[0].Action != ports.GroupRemove || evs[1].Action != ports.GroupPromote || evs[1].Participants[0].JID != chat.UserJID("628222222222") {
		t.Fatalf("events %+v", evs)
	}
	startPaired(t, n, "erin", "628555555555")
	if _, err := n.SetPrivacy(ctx, "erin", ports.Privacy{GroupAdd: ports.PrivacyContacts}); err != nil {
		t.Fatal(err)
	}
	res, err := n.ChangeParticipants(ctx, "bob", g.JID, ports.GroupAdd, []chat.JID{chat.UserJID("628555555555"), chat.UserJID("628333333333")})
	if err != nil || res[0].Code != 403 || res[1].Code != 409 {
		t.Fatalf("adds = %+v %v", res, err)
	}
	if _, err := n.GroupInfo(ctx, "alice", g.JID); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("info after leaving = %v", err)
	}
}

func TestVirtualGroup(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	g, err := n.CreateVirtualGroup("s1", ports.SandboxGroup{Owner: "628333333333", Name: "Club", Members: []string{"628444444444"}, Announce: true})
	if err != nil {
		t.Fatal(err)
	}
	if g.Owner.JID != chat.UserJID("628333333333") || len(g.Participants) != 3 || !g.Announce {
		t.Fatalf("group %+v", g)
	}
	waitFor[ports.TransportJoinedGroup](t, sink, 1)
	id, err := n.Inject("s1", ports.SandboxInbound{From: "628333333333", Group: g.JID, Content: message.TextContent("welcome")})
	if err != nil {
		t.Fatal(err)
	}
	in := waitFor[ports.TransportMessage](t, sink, 1)[0].Message
	if in.ID != id || in.Chat != g.JID || in.Sender.JID != chat.UserJID("628333333333") || !in.IsGroup() {
		t.Fatalf("got %+v", in)
	}
	if _, err := send(t, n, "s1", g.JID, message.TextContent("me too")); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("member send in announce mode = %v", err)
	}
}
