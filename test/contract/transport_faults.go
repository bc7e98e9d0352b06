package contract

import (
	"slices"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// The fault cases: what the network does to a session, played by the world.

func transportReconnect(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	them := peer.Party().JID
	before := trSend(t, tr, "s1", them, message.TextContent("before the drop"))
	trArrived(t, peer, 1)

	w.Drop(t, "s1")
	// Written while the session is away or coming back: it must arrive anyway.
	away := peer.Send(t, chat.UserJID(w.Phones().Own), message.TextContent("while you were away"))
	if d := WaitFor[ports.TransportDisconnected](t, sink, 1, nil)[0]; d.SessionID != "s1" || d.Attempt < 1 || d.Code == "" {
		t.Fatalf("disconnected %+v", d)
	}
	if me := WaitFor[ports.TransportConnected](t, sink, 2, nil)[1].Me; me.JID != w.Phones().Own+"@s.whatsapp.net" {
		t.Fatalf("identity after the reconnect %+v", me)
	}

	after := trSend(t, tr, "s1", them, message.TextContent("after the drop"))
	got := trArrived(t, peer, 2)
	if len(got) != 2 || got[0].ID != before.ID || got[1].ID != after.ID {
		t.Fatalf("peer got %+v, want %s then %s once each", got, before.ID, after.ID)
	}
	in := WaitFor(t, sink, 1, func(m ports.TransportMessage) bool { return m.Message.ID == away })[0].Message
	if in.Content.Text != "while you were away" || in.Sender.JID != them {
		t.Fatalf("message sent during the drop %+v", in)
	}
}

func transportReplaced(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	w.Replace(t, "s1")
	if r := WaitFor[ports.TransportReplaced](t, sink, 1, nil)[0]; r.SessionID != "s1" {
		t.Fatalf("replaced %+v", r)
	}
	poll(t, "the replaced session no longer running", func() bool { return !tr.Running(t.Context(), "s1") })
	dev, err := tr.Device(t.Context(), "s1")
	must(t, err)
	if dev.Phone != w.Phones().Own {
		t.Fatalf("device after the stream was replaced %+v: the pairing must stay", dev)
	}

	// Started again, it logs in with the pairing it kept.
	fresh := &TransportSink{}
	must(t, tr.Start(t.Context(), "s1", fresh))
	if me := WaitFor[ports.TransportConnected](t, fresh, 1, nil)[0].Me; me.JID != w.Phones().Own+"@s.whatsapp.net" {
		t.Fatalf("identity after the restart %+v", me)
	}
	for _, ev := range fresh.Events() {
		if _, ok := ev.(ports.TransportQR); ok {
			t.Fatal("a replaced session showed a QR when started again")
		}
	}
	// The first run ended at the replacement: a transport that had tried to take
	// the stream back would have reported a disconnect or a second connection.
	for _, ev := range sink.Events() {
		if _, ok := ev.(ports.TransportDisconnected); ok {
			t.Fatalf("the replaced session tried to reconnect: %+v", ev)
		}
	}
	if n := len(WaitFor[ports.TransportConnected](t, sink, 1, nil)); n != 1 {
		t.Fatalf("the replaced session connected %d times", n)
	}
}

func transportRemoteLogout(t *testing.T, tr ports.Transport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	w.RemoteLogout(t, "s1")
	if out := WaitFor[ports.TransportLoggedOut](t, sink, 1, nil)[0]; out.SessionID != "s1" || out.Reason == "" {
		t.Fatalf("logged out %+v", out)
	}
	dev, err := tr.Device(t.Context(), "s1")
	must(t, err)
	if dev != (ports.DeviceInfo{}) {
		t.Fatalf("device after a remote logout %+v", dev)
	}

	// A fresh QR follows, at once on a transport that relinks by itself, else once
	// started again (a no-op on a session still running).
	must(t, tr.Start(t.Context(), "s1", sink))
	var qr ports.TransportQR
	poll(t, "a QR after the logout", func() bool {
		evs := sink.Events()
		out := slices.IndexFunc(evs, func(ev ports.TransportEvent) bool { _, ok := ev.(ports.TransportLoggedOut); return ok })
		for _, ev := range evs[out+1:] {
			if q, ok := ev.(ports.TransportQR); ok {
				qr = q
				return true
			}
		}
		return false
	})
	w.Scan(t, "s1", qr.Code, w.Phones().Own)
	if me := WaitFor[ports.TransportConnected](t, sink, 2, nil)[1].Me; me.JID != w.Phones().Own+"@s.whatsapp.net" {
		t.Fatalf("identity after linking again %+v", me)
	}
}
