package whatsmeow

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
	"github.com/warest-go/warest/test/waserver"
)

// The shared transport suite against test/waserver: the unmodified whatsmeow
// client pairs, logs in, chats and meets faults over a real websocket, with the
// device store on SQLite, and on PostgreSQL when WAREST_TEST_POSTGRES_URL is set.
// No env gate: it runs in CI.

// onTestServerExcluded are the suite's cases test/waserver cannot play yet.
var onTestServerExcluded = map[string]string{
	"send/the same id twice": "WhatsApp relays a repeated id again, and so does test/waserver (recording both attempts); " +
		"receivers drop the copy by id (the gateway's ingest does), whatsmeow's transport does not",
}

func TestTransportContractOnTestServer(t *testing.T) {
	t.Parallel()
	runOnTestServer(t, func(t *testing.T) Database { return openDB(t) })
}

func TestTransportContractOnTestServerPostgres(t *testing.T) {
	t.Parallel()
	contract.PostgresURL(t) // skips loudly, or fails under WAREST_REQUIRE_POSTGRES=1
	runOnTestServer(t, openPostgresDB)
}

// TestPeopleContractOnTestServer runs the profile, contact, presence and call
// suite on the test server (SQLite device store).
func TestPeopleContractOnTestServer(t *testing.T) {
	t.Parallel()
	contract.RunPeople(t, contract.PeopleHarness{
		New: func(t *testing.T) (contract.PeopleTransport, contract.TransportWorld) {
			srv := waserver.New(t)
			tr := newTestServerTransport(t, srv, openDB(t))
			return tr, &serverWorld{tr: tr, srv: srv, phones: map[string]*waserver.Phone{}}
		}})
}

func runOnTestServer(t *testing.T, open func(t *testing.T) Database) {
	contract.RunTransport(t, contract.TransportHarness{Excluded: onTestServerExcluded,
		New: func(t *testing.T) (ports.Transport, contract.TransportWorld) {
			srv := waserver.New(t)
			tr := newTestServerTransport(t, srv, open(t))
			return tr, &serverWorld{tr: tr, srv: srv, phones: map[string]*waserver.Phone{}}
		}})
}

// newTestServerTransport is a transport on db pointed at srv, retrying within
// milliseconds; sessions are created as the suite first links them.
func newTestServerTransport(t *testing.T, srv *waserver.Server, db Database) *Transport {
	t.Helper()
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	db.Devices = autoSessions{DeviceLinks: db.Devices, sessions: db.Devices.(sessionStore).Sessions()}
	cfg := Config{TestServer: &TestServer{URL: u, Root: waserver.Root()}, ReloginQR: true,
		Backoff: Backoff{Base: time.Millisecond, Max: 50 * time.Millisecond, Jitter: 0.2}}
	tr, err := New(t.Context(), cfg, db, blobs(contract.TransportBlobs()), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close(context.Background()) })
	return tr
}

// openPostgresDB opens the store in a fresh schema of the test database, the
// device store sharing it as in the gateway.
func openPostgresDB(t *testing.T) Database {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Config{URL: contract.PostgresSchemaURL(t)}, plainSealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return Database{DB: s.DB(), Dialect: s.Dialect(), Devices: s}
}

type sessionStore interface {
	Sessions() ports.SessionRepository
}

// autoSessions creates a session the first time a device is linked to it: the
// gateway creates every session before starting it, the suite only names them.
type autoSessions struct {
	ports.DeviceLinks
	sessions ports.SessionRepository
}

func (a autoSessions) LinkDevice(ctx context.Context, sessionID, jid string) error {
	s, err := session.New(sessionID, "OWNER", time.Now())
	if err != nil {
		return err
	}
	if err := a.sessions.Create(ctx, s); err != nil && !fault.Is(err, fault.KindConflict) {
		return err
	}
	return a.DeviceLinks.LinkDevice(ctx, sessionID, jid)
}

// serverWorld plays the phones on a test server: each number is one simulated
// primary device, which links every companion scanned with it.
type serverWorld struct {
	tr  *Transport
	srv *waserver.Server

	mu     sync.Mutex
	phones map[string]*waserver.Phone
}

func (*serverWorld) Phones() contract.Phones {
	return contract.Phones{Own: "15550001111", Peer: "15550002222"}
}

func (w *serverWorld) phone(number string) *waserver.Phone {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.phones[number]
	if p == nil {
		p = waserver.NewPhone(number, "9"+number) // its LID: any other number will do
		w.phones[number] = p
	}
	return p
}

func (w *serverWorld) Scan(t *testing.T, _, qr, phone string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := w.srv.Scan(ctx, w.phone(phone), qr); err != nil {
		t.Fatalf("scan by %s: %v", phone, err)
	}
}

func (w *serverWorld) ConfirmPairCode(t *testing.T, _, code, phone string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := w.srv.EnterCode(ctx, w.phone(phone), code); err != nil {
		t.Fatalf("pair code entered on %s: %v", phone, err)
	}
}

// Call has the phone with that number ring the session's account.
func (w *serverWorld) Call(t *testing.T, sessionID, phone string) string {
	t.Helper()
	id, err := w.srv.Call(w.phone(phone), w.device(t, sessionID), false)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *serverWorld) Peer(t *testing.T, phone string) contract.TransportPeer {
	t.Helper()
	return contract.SessionPeer(t, w.tr, w, phone)
}

func (w *serverWorld) Drop(t *testing.T, sessionID string) {
	t.Helper()
	if err := w.srv.DropConnection(w.device(t, sessionID)); err != nil {
		t.Fatal(err)
	}
}

func (w *serverWorld) Replace(t *testing.T, sessionID string) {
	t.Helper()
	if err := w.srv.ReplaceStream(t.Context(), w.device(t, sessionID)); err != nil {
		t.Fatal(err)
	}
}

func (w *serverWorld) RemoteLogout(t *testing.T, sessionID string) {
	t.Helper()
	// The phone unlinks a device that has settled: whatsmeow deletes its store
	// on a remote logout while its own app state sync goroutines, started by the
	// key share of a fresh link, may still read it (a data race inside whatsmeow).
	if r, err := w.tr.running(sessionID); err == nil {
		r.name.settled(t.Context())
	}
	if err := w.srv.RemoveDevice(t.Context(), w.device(t, sessionID)); err != nil {
		t.Fatal(err)
	}
}

// device is the session's linked device as the transport recorded it.
func (w *serverWorld) device(t *testing.T, sessionID string) types.JID {
	t.Helper()
	jid, ok, err := w.tr.devices.lookup(t.Context(), sessionID)
	if err != nil || !ok {
		t.Fatalf("session %s has no device: %v", sessionID, err)
	}
	return jid
}

// Two gateways may share a PostgreSQL database, each in its own schema
// (search_path): the second one's device store must still get its own tables.
func TestDeviceStoreInASecondSchema(t *testing.T) {
	t.Parallel()
	for range 2 {
		s, err := postgres.Open(t.Context(), postgres.Config{URL: contract.PostgresSchemaURL(t)}, plainSealer{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		tr, err := New(t.Context(), Config{}, Database{DB: s.DB(), Dialect: s.Dialect(), Devices: s}, nil,
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatalf("device store: %v", err)
		}
		if _, err := tr.container.GetAllDevices(t.Context()); err != nil {
			t.Fatalf("device store: %v", err)
		}
	}
}

// Media through the test server's media host: an image one session sends is
// uploaded encrypted, and the other downloads and decrypts it byte for byte; a
// download the host fails with 500 is an error, and asking again works.
func TestMediaOnTestServer(t *testing.T) {
	t.Parallel()
	srv := waserver.New(t)
	tr := newTestServerTransport(t, srv, openDB(t))
	w := &serverWorld{tr: tr, srv: srv, phones: map[string]*waserver.Phone{}}
	a, b := contract.SessionPeer(t, tr, w, "15550001111"), contract.SessionPeer(t, tr, w, "15550002222")
	img := message.Content{Kind: message.KindImage, Media: &message.Media{MIME: "image/jpeg", BlobKey: "blob-image", Size: 10}}
	id := a.Send(t, b.Party().JID, img)
	var in message.Inbound
	for deadline := time.Now().Add(30 * time.Second); in.ID != id; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the image never arrived; got %+v", b.Received(t))
		}
		for _, m := range b.Received(t) {
			if m.ID == id {
				in = m
			}
		}
	}
	if in.Content.Kind != message.KindImage || in.Content.Media == nil || in.Content.Media.DirectPath == "" {
		t.Fatalf("received %+v", in.Content)
	}

	srv.FailMedia(1)
	if rc, err := tr.DownloadMedia(t.Context(), in); err == nil {
		rc.Close()
		t.Fatal("a download the media host failed with 500 succeeded")
	}
	rc, err := tr.DownloadMedia(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if want := contract.TransportBlobs()["blob-image"]; !bytes.Equal(got, want) {
		t.Fatalf("downloaded %q, sent %q", got, want)
	}
}

// whatsmeow answers pair-success on a goroutine of its own while its read loop
// goes on: a stream restart (515) that reaches the client before that answer is
// sent must not close the connection under it. Closed, the answer fails, whatsmeow
// deletes the new device and reports a PairError, and the session reconnects.
func TestPairingOutlivesAnEarlyStreamRestart(t *testing.T) {
	t.Parallel()
	srv := waserver.New(t)
	tr := newTestServerTransport(t, srv, openDB(t))
	w := &serverWorld{tr: tr, srv: srv, phones: map[string]*waserver.Phone{}}
	srv.RestartStreamEarly()

	sink := &contract.TransportSink{}
	if err := tr.Start(t.Context(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	w.Scan(t, "s1", contract.WaitFor[ports.TransportQR](t, sink, 1, nil)[0].Code, w.Phones().Own)
	contract.WaitFor[ports.TransportConnected](t, sink, 1, nil)
	contract.WaitFor[ports.TransportPaired](t, sink, 1, nil)
	// Logged in, it sends, and nothing went wrong on the way.
	peer := w.Peer(t, w.Phones().Peer)
	if _, err := tr.Send(t.Context(), "s1", message.Outbound{ID: "3EB0EARLY515", SessionID: "s1",
		To: peer.Party().JID, Content: message.TextContent("linked"), Status: message.StatusQueued}); err != nil {
		t.Fatal(err)
	}
	for _, ev := range sink.Events() {
		switch ev.(type) {
		case ports.TransportDisconnected, ports.TransportLoggedOut:
			t.Fatalf("the pairing did not settle cleanly: %+v in %+v", ev, sink.Events())
		}
	}
	// The device survives a restart: logged in again without a QR code.
	if err := tr.Stop(t.Context(), "s1"); err != nil {
		t.Fatal(err)
	}
	fresh := &contract.TransportSink{}
	if err := tr.Start(t.Context(), "s1", fresh); err != nil {
		t.Fatal(err)
	}
	contract.WaitFor[ports.TransportConnected](t, fresh, 1, nil)
	for _, ev := range fresh.Events() {
		if _, ok := ev.(ports.TransportQR); ok {
			t.Fatal("the device was lost: a QR code after the restart")
		}
	}
}
