package sandbox

import (
	"context"
	"slices"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func TestASecondClientStartingADeviceReplacesTheFirst(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{Seed: 3})
	first := startPaired(t, n, "s1", "6281100000001")
	startPaired(t, n, "peer", "6281200000002")
	inbound, err := n.InjectText("s1", "6281300000003", "Carol", "before the takeover")
	if err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportMessage](t, first, 1)

	b := AsClient(context.Background(), "b")
	second := &recordingSink{}
	if err := n.Start(b, "s1", second); err != nil {
		t.Fatal(err)
	}
	if me := waitFor[ports.TransportConnected](t, second, 1)[0].Me; me.JID != "6281100000001@s.whatsapp.net" {
		t.Fatalf("the second client connected as %+v", me)
	}
	if r := waitFor[ports.TransportReplaced](t, first, 1)[0]; r.SessionID != "s1" {
		t.Fatalf("replaced %+v", r)
	}

	// The first client lost the connection: every call that needs it is refused
	// with the port's "not open", and its Stop leaves the new connection alone.
	ctx := context.Background()
	_, err = n.Send(ctx, "s1", text("s1", "6281200000002", "from the old owner"))
	if !isReason(err, fault.KindFailedPrecondition, fault.ReasonSessionNotOpen) {
		t.Fatalf("Send from the replaced client = %v", err)
	}
	if err := n.SetPresence(ctx, "s1", true); !isReason(err, fault.KindFailedPrecondition, fault.ReasonSessionNotOpen) {
		t.Fatalf("SetPresence from the replaced client = %v", err)
	}
	if err := n.MarkRead(ctx, "s1", chat.UserJID("6281300000003"), chat.UserJID("6281300000003"), []string{inbound}, n.now()); !isReason(err, fault.KindFailedPrecondition, fault.ReasonSessionNotOpen) {
		t.Fatalf("MarkRead from the replaced client = %v", err)
	}
	if err := n.Stop(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	m := text("s1", "6281200000002", "from the new owner")
	if _, err := n.Send(b, "s1", m); err != nil {
		t.Fatalf("Send from the client holding the connection: %v", err)
	}
	if got := n.Attempts("s1"); len(got) != 1 || got[0].ID != m.ID || got[0].Client != "b" {
		t.Fatalf("attempts %+v: only the new owner's send reached the network", got)
	}
	if got := n.Replacements(); len(got) != 1 || got[0].SessionID != "s1" || got[0].Replaced != "" || got[0].By != "b" || !got[0].Live || got[0].At.IsZero() {
		t.Fatalf("replacements %+v", got)
	}
	want := []ports.SandboxConnection{{SessionID: "peer", Client: "", Connected: true}, {SessionID: "s1", Client: "b", Connected: true}}
	if got := n.Connections(); !slices.Equal(got, want) {
		t.Fatalf("connections %+v, want %+v", got, want)
	}

	// The replaced client got nothing after TransportReplaced.
	evs := first.snapshot()
	if _, ok := evs[len(evs)-1].(ports.TransportReplaced); !ok {
		t.Fatalf("the replaced client's events end with %T, want TransportReplaced: %v", evs[len(evs)-1], evs)
	}
	// Starting it again from the same client is a no-op, not another replacement.
	if err := n.Start(b, "s1", second); err != nil {
		t.Fatal(err)
	}
	if got := len(n.Replacements()); got != 1 {
		t.Fatalf("%d replacements after a repeated Start of the same client", got)
	}
}

func TestAClientCannotUseADeviceItDidNotConnect(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{Seed: 4})
	sink := startPaired(t, n, "s1", "6281100000001")
	startPaired(t, n, "peer", "6281200000002")
	other := AsClient(context.Background(), "other")

	notOpen := func(what string, err error) {
		t.Helper()
		if !isReason(err, fault.KindFailedPrecondition, fault.ReasonSessionNotOpen) {
			t.Fatalf("%s from a client that did not connect the device = %v", what, err)
		}
	}
	_, err := n.Send(other, "s1", text("s1", "6281200000002", "not mine"))
	notOpen("Send", err)
	notOpen("SetChatPresence", n.SetChatPresence(other, "s1", chat.UserJID("6281200000002"), ports.ChatComposing))
	_, err = n.CreateGroup(other, "s1", ports.GroupSpec{Name: "g", Participants: []chat.JID{chat.UserJID("6281200000002")}})
	notOpen("CreateGroup", err)
	_, err = n.Profile(other, "s1", chat.JID{})
	notOpen("Profile", err)
	notOpen("SetAbout", n.SetAbout(other, "s1", "hijacked"))
	_, err = n.IsOnWhatsApp(other, "s1", []string{"6281200000002"})
	notOpen("IsOnWhatsApp", err)
	notOpen("Logout", n.Logout(other, "s1"))

	// Stop from a client that does not run it changes nothing.
	if err := n.Stop(other, "s1"); err != nil {
		t.Fatal(err)
	}
	if len(n.Attempts("s1")) != 0 {
		t.Fatalf("refused sends reached the network: %+v", n.Attempts("s1"))
	}
	if _, err := n.Send(context.Background(), "s1", text("s1", "6281200000002", "mine")); err != nil {
		t.Fatalf("the owner's send after the others' calls: %v", err)
	}
	if dev, err := n.Device(other, "s1"); err != nil || dev.Phone != "6281100000001" {
		t.Fatalf("Device (the stored pairing, no connection needed) = %+v, %v", dev, err)
	}
	if got := only[ports.TransportReplaced](sink.snapshot()); len(got) != 0 || len(n.Replacements()) != 0 {
		t.Fatalf("calls without Start replaced the connection: %v %+v", got, n.Replacements())
	}
}

func TestTakingOverADetachedClientIsNotAFight(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{Seed: 5})
	gone := AsClient(context.Background(), "crashed")
	first := &recordingSink{}
	if err := n.Start(gone, "s1", first); err != nil {
		t.Fatal(err)
	}
	qr := waitFor[ports.TransportQR](t, first, 1)[0]
	if err := n.Scan("s1", qr.Code, "6281100000001", "A"); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportConnected](t, first, 1)
	n.Detach("crashed")

	second := &recordingSink{}
	if err := n.Start(AsClient(context.Background(), "new"), "s1", second); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportConnected](t, second, 1)
	if got := n.Replacements(); len(got) != 1 || got[0].Live || got[0].Replaced != "crashed" || got[0].By != "new" {
		t.Fatalf("replacements %+v: the replaced client had gone away", got)
	}
	if got := only[ports.TransportReplaced](first.snapshot()); len(got) != 0 {
		t.Fatalf("a detached client was offered %v", got)
	}
}
