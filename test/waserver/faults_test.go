package waserver_test

import (
	"errors"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/warest-go/warest/test/waserver"
)

func TestDroppedConnectionReconnects(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	jid := pair(t, srv, cli, evts, waserver.NewPhone("15550001111", "100200300"))
	logins := len(srv.ClientPayloads())
	if err := srv.DropConnection(jid); err != nil {
		t.Fatal(err)
	}
	await[*events.Disconnected](t, evts)
	await[*events.Connected](t, evts)
	payloads := srv.ClientPayloads()
	if len(payloads) != logins+1 || payloads[logins].GetUsername() == 0 || payloads[logins].GetDevice() != uint32(jid.Device) {
		t.Fatalf("want one more login as %v after the drop, got %d payloads", jid, len(payloads)-logins)
	}
}

func TestSecondLoginReplacesFirst(t *testing.T) {
	srv := waserver.New(t)
	container := newContainer(t)
	first, firstEvts := clientOn(t, srv, container.NewDevice())
	jid := pair(t, srv, first, firstEvts, waserver.NewPhone("15550001111", "100200300"))
	// The same device loaded afresh, as a second gateway process would.
	dev, err := container.GetDevice(t.Context(), jid)
	if err != nil || dev == nil {
		t.Fatalf("load device: %v", err)
	}
	second, secondEvts := clientOn(t, srv, dev)
	if err := second.Connect(); err != nil {
		t.Fatalf("connect: %v", err)
	}
	await[*events.Connected](t, secondEvts)
	await[*events.StreamReplaced](t, firstEvts)
	eventually(t, "the replaced client closes its socket", func() bool { return !first.IsConnected() })
	// The first must stay offline. whatsmeow's first reconnect after an unexpected
	// close is immediate, so it would log in again within the second client's next
	// few keepalive pings (50–100 ms apart).
	logins, pings := len(srv.ClientPayloads()), srv.IQs("w:p", "get")
	eventually(t, "three more keepalive pings", func() bool { return srv.IQs("w:p", "get") >= pings+3 })
	if n := len(srv.ClientPayloads()); n != logins || first.IsConnected() {
		t.Fatalf("the replaced client came back: %d new logins, connected %v", n-logins, first.IsConnected())
	}
	if !second.IsConnected() {
		t.Error("the newer login lost its connection")
	}
}

func TestReplaceStreamOnDemand(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	jid := pair(t, srv, cli, evts, waserver.NewPhone("15550001111", "100200300"))
	if err := srv.ReplaceStream(t.Context(), jid); err != nil {
		t.Fatal(err)
	}
	await[*events.StreamReplaced](t, evts)
	eventually(t, "the replaced client closes its socket", func() bool { return !cli.IsConnected() })
	// Then wait until whatsmeow has let the socket go (its socket is nil: ErrNotConnected,
	// nothing sent): the cleanup's Disconnect would otherwise clear the frame socket's
	// OnDisconnect while the socket's own close still reads it, a data race inside
	// whatsmeow that -race reports.
	eventually(t, "whatsmeow to let the replaced socket go", func() bool {
		return errors.Is(cli.SendChatPresence(t.Context(), jid, types.ChatPresencePaused, ""), whatsmeow.ErrNotConnected)
	})
}
