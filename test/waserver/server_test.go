package waserver_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"go.mau.fi/whatsmeow/util/keys"
	waLog "go.mau.fi/whatsmeow/util/log"
	_ "modernc.org/sqlite" // the driver the gateway uses

	"github.com/warest-go/warest/test/waserver"
)

// TestMain shortens whatsmeow's keepalive interval once, before any client runs.
func TestMain(m *testing.M) {
	whatsmeow.KeepAliveIntervalMin, whatsmeow.KeepAliveIntervalMax = 50*time.Millisecond, 100*time.Millisecond
	os.Exit(m.Run())
}

// newClient is an unmodified whatsmeow client with a fresh device in a SQLite
// sqlstore on the modernc driver, as the gateway opens it, attached to srv; events go to the channel.
func newClient(t *testing.T, srv *waserver.Server) (*whatsmeow.Client, <-chan any) {
	t.Helper()
	return clientOn(t, srv, newContainer(t).NewDevice())
}

func newContainer(t *testing.T) *sqlstore.Container {
	t.Helper()
	// synchronous(OFF): a throwaway database, and whatsmeow stores each of its 812 first
	// prekeys in a transaction of its own; syncing each costs seconds per pairing.
	dsn := "file:" + filepath.Join(t.TempDir(), "wa.db") + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=synchronous(OFF)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	container := sqlstore.NewWithDB(db, "sqlite", waLog.Noop)
	if err := container.Upgrade(t.Context()); err != nil {
		t.Fatal(err)
	}
	return container
}

func clientOn(t *testing.T, srv *waserver.Server, dev *store.Device) (*whatsmeow.Client, <-chan any) {
	t.Helper()
	cli := whatsmeow.NewClient(dev, waLog.Noop)
	srv.Attach(cli)
	evts := make(chan any, 64)
	cli.AddEventHandler(func(e any) {
		select {
		case evts <- e:
		default:
			t.Errorf("event queue full, dropped %T", e)
		}
	})
	t.Cleanup(cli.Disconnect)
	return cli, evts
}

// await returns the first event of type T, failing after 30 s (CI is a loaded box).
func await[T any](t *testing.T, evts <-chan any) T {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e := <-evts:
			if v, ok := e.(T); ok {
				return v
			}
		case <-timeout:
			var zero T
			t.Fatalf("no %T within 30 s", zero)
			return zero
		}
	}
}

func TestHandshakeDecodesRegistrationPayload(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	if err := cli.Connect(); err != nil {
		t.Fatalf("connect: %v", err)
	}
	qr := await[*events.QR](t, evts)
	if len(qr.Codes) != 1 {
		t.Fatalf("QR codes = %d, want the one ref the server sent", len(qr.Codes))
	}
	payloads := srv.ClientPayloads()
	if len(payloads) != 1 {
		t.Fatalf("payloads = %d, want 1", len(payloads))
	}
	reg := payloads[0].GetDevicePairingData()
	if got, want := reg.GetERegid(), cli.Store.RegistrationID; len(got) != 4 || uint32(got[0])<<24|uint32(got[1])<<16|uint32(got[2])<<8|uint32(got[3]) != want {
		t.Errorf("registration id = %x, want %d", got, want)
	}
	if string(reg.GetEIdent()) != string(cli.Store.IdentityKey.Pub[:]) {
		t.Error("payload identity key differs from the client's")
	}
	if payloads[0].Username != nil {
		t.Error("a new device sent a username")
	}
}

func TestHandshakeFailsWithoutTrustedRoot(t *testing.T) {
	srv := waserver.NewSignedBy(t, keys.NewKeyPair()) // not the root clients trust
	cli, _ := newClient(t, srv)
	cli.EnableAutoReconnect = false
	if err := cli.Connect(); err == nil {
		t.Fatal("connect succeeded against an untrusted certificate chain")
	}
	if n := len(srv.ClientPayloads()); n != 0 {
		t.Fatalf("server decoded %d payloads from a client that must have aborted", n)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5 s: %s", what)
		}
	}
}

// pair links cli to phone through the QR flow and waits until it is logged in
// and has synced its app state.
func pair(t *testing.T, srv *waserver.Server, cli *whatsmeow.Client, evts <-chan any, phone *waserver.Phone) types.JID {
	t.Helper()
	if err := cli.Connect(); err != nil {
		t.Fatalf("connect: %v", err)
	}
	qr := await[*events.QR](t, evts)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	jid, err := srv.Scan(ctx, phone, qr.Codes[0])
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	paired := await[*events.PairSuccess](t, evts)
	if paired.ID != jid || paired.LID.User != phone.LIDUser {
		t.Errorf("paired as %v/%v, want %v and LID user %s", paired.ID, paired.LID, jid, phone.LIDUser)
	}
	await[*events.Connected](t, evts)
	// The phone shares its app state key; the client then syncs every collection,
	// regular_low last, and has its push name: wait, so no test races that sync.
	awaitThat(t, evts, "the initial app state sync", func(e *events.AppStateSyncComplete) bool {
		return e.Name == appstate.WAPatchRegularLow
	})
	return jid
}

func TestQRPairingThenLogin(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	phone := waserver.NewPhone("15550001111", "100200300")
	jid := pair(t, srv, cli, evts, phone)
	if cli.Store.ID == nil || *cli.Store.ID != jid {
		t.Errorf("store ID = %v, want %v", cli.Store.ID, jid)
	}
	payloads := srv.ClientPayloads()
	if len(payloads) != 2 || !payloads[1].GetPassive() {
		t.Fatalf("want a registration then a login payload, got %d payloads", len(payloads))
	}
	if user := strconv.FormatUint(payloads[1].GetUsername(), 10); user != phone.User || payloads[1].GetDevice() != uint32(jid.Device) {
		t.Errorf("logged in as %s.%d, want %v", user, payloads[1].GetDevice(), jid)
	}
	if n := srv.PrekeyCount(jid); n < 50 {
		t.Errorf("uploaded prekeys = %d, want the client's initial batch", n)
	}
	if srv.IQs("passive", "set") != 1 {
		t.Errorf("passive IQs = %d, want 1", srv.IQs("passive", "set"))
	}
}

func TestKeepalivePingsAreAnswered(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	pair(t, srv, cli, evts, waserver.NewPhone("15550001111", "100200300"))
	eventually(t, "two pings answered", func() bool { return srv.IQs("w:p", "get") >= 2 })
	for len(evts) > 0 {
		if e, ok := (<-evts).(*events.KeepAliveTimeout); ok {
			t.Fatalf("keepalive timed out: %+v", e)
		}
	}
}

func TestUnknownIQIsAnswered501(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	pair(t, srv, cli, evts, waserver.NewPhone("15550001111", "100200300"))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := cli.GetBlocklist(ctx)
	var iqErr *whatsmeow.IQError
	if !errors.As(err, &iqErr) || iqErr.Code != 501 {
		t.Fatalf("blocklist error = %v, want an IQ error 501 (not a timeout)", err)
	}
}

func TestRemoteLogoutThenFreshQR(t *testing.T) {
	srv := waserver.New(t)
	container := newContainer(t)
	cli, evts := clientOn(t, srv, container.NewDevice())
	jid := pair(t, srv, cli, evts, waserver.NewPhone("15550001111", "100200300"))
	if err := srv.RemoveDevice(t.Context(), jid); err != nil {
		t.Fatal(err)
	}
	if out := await[*events.LoggedOut](t, evts); out.OnConnect || out.Reason != events.ConnectFailureLoggedOut {
		t.Errorf("logged out = %+v, want a stream logout (device removed)", out)
	}
	// Read the database, not cli.Store: whatsmeow clears that from its own goroutine.
	eventually(t, "the device is deleted from the store and the socket closed", func() bool {
		devs, err := container.GetAllDevices(t.Context())
		return err == nil && len(devs) == 0 && !cli.IsConnected()
	})
	// The gateway then starts over with a new device: the server offers it a QR code.
	fresh, freshEvts := clientOn(t, srv, container.NewDevice())
	if err := fresh.Connect(); err != nil {
		t.Fatalf("connect: %v", err)
	}
	await[*events.QR](t, freshEvts)
}

func TestLoginOfRemovedDeviceFails(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	jid := pair(t, srv, cli, evts, waserver.NewPhone("15550001111", "100200300"))
	cli.Disconnect()
	if err := srv.RemoveDevice(t.Context(), jid); err != nil {
		t.Fatal(err)
	}
	if err := cli.Connect(); err != nil {
		t.Fatalf("reconnect: %v", err)
	}
	if out := await[*events.LoggedOut](t, evts); !out.OnConnect {
		t.Errorf("logged out = %+v, want a refused login", out)
	}
}
