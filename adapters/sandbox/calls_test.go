package sandbox

import (
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func TestContactCallsInOrder(t *testing.T) {
	t.Parallel()
	n, clock := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	id, err := n.ContactCall("s1", ports.SandboxCall{From: "628333333333", Video: true, Then: []ports.CallState{ports.CallAccept, ports.CallTerminate}})
	if err != nil {
		t.Fatal(err)
	}
	calls := waitFor[ports.TransportCall](t, sink, 3)
	for i, want := range []ports.CallState{ports.CallOffer, ports.CallAccept, ports.CallTerminate} {
		c := calls[i]
		if c.CallID != id || c.State != want || !c.Video || c.Group || c.From.JID != chat.UserJID("628333333333") || c.From.LID.IsZero() ||
			!c.At.Equal(clock.Now()) {
			t.Fatalf("call event %d = %+v", i, c)
		}
	}

	g, err := n.CreateVirtualGroup("s1", ports.SandboxGroup{Owner: "628333333333", Name: "Club"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.ContactCall("s1", ports.SandboxCall{From: "628333333333", Group: g.JID}); err != nil {
		t.Fatal(err)
	}
	if c := waitFor[ports.TransportCall](t, sink, 4)[3]; !c.Group || c.State != ports.CallOffer || c.Video {
		t.Fatalf("group call %+v", c)
	}
}

func TestContactCallRules(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	g, err := n.CreateVirtualGroup("s1", ports.SandboxGroup{Owner: "628333333333", Name: "Club"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		call ports.SandboxCall
		kind fault.Kind
	}{
		{ports.SandboxCall{From: "628333333333", Then: []ports.CallState{ports.CallTerminate, ports.CallAccept}}, fault.KindInvalid},
		{ports.SandboxCall{From: "628333333333", Then: []ports.CallState{ports.CallAccept, ports.CallReject}}, fault.KindInvalid},
		{ports.SandboxCall{From: "628333333333", Then: []ports.CallState{ports.CallOffer}}, fault.KindInvalid},
		{ports.SandboxCall{From: "12"}, fault.KindInvalid},
		{ports.SandboxCall{From: "628111111111"}, fault.KindInvalid},
		{ports.SandboxCall{From: "628444444444", Group: g.JID}, fault.KindForbidden},
	} {
		if _, err := n.ContactCall("s1", c.call); !fault.Is(err, c.kind) {
			t.Fatalf("%+v = %v, want kind %v", c.call, err, c.kind)
		}
	}
	if _, err := n.ContactCall("nobody", ports.SandboxCall{From: "628333333333"}); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("call to an unpaired session = %v", err)
	}
}

func TestUndecryptable(t *testing.T) {
	t.Parallel()
	n, clock := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	id, err := n.Undecryptable("s1", ports.SandboxUndecryptable{From: "628333333333"})
	if err != nil {
		t.Fatal(err)
	}
	u := waitFor[ports.TransportUndecryptable](t, sink, 1)[0]
	if u.ID != id || u.SessionID != "s1" || u.Chat != chat.UserJID("628333333333") || u.Sender.JID != u.Chat || u.Sender.LID.IsZero() ||
		!u.At.Equal(clock.Now()) {
		t.Fatalf("got %+v", u)
	}
	g, err := n.CreateVirtualGroup("s1", ports.SandboxGroup{Owner: "628333333333", Name: "Club"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Undecryptable("s1", ports.SandboxUndecryptable{From: "628333333333", Group: g.JID}); err != nil {
		t.Fatal(err)
	}
	if u := waitFor[ports.TransportUndecryptable](t, sink, 2)[1]; u.Chat != g.JID || u.Sender.JID != chat.UserJID("628333333333") {
		t.Fatalf("group %+v", u)
	}
	if _, err := n.Undecryptable("s1", ports.SandboxUndecryptable{From: "628444444444", Group: g.JID}); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("from a non-member = %v", err)
	}
}
