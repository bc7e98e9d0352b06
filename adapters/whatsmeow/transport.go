package whatsmeow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"go.mau.fi/util/dbutil"
	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/store/sqlstore/upgrades"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/adapters/whatsmeow/mysqlstore"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/proxy"
	"github.com/warest-go/warest/ports"
)

// Config tunes the transport; zero values take the defaults noted.
type Config struct {
	Backoff    Backoff       // DefaultBackoff
	Watchdog   time.Duration // 2 min: a connection silent and failing keepalives this long is recycled
	ReloginQR  bool          // after a remote logout, start again with a fresh QR code
	HistoryMax int           // 500: messages kept from one history sync chunk
	Proxy      proxy.Config  // empty URLs: direct connections
	TestServer *TestServer   // nil: WhatsApp itself; set only to test against test/waserver

	// dial, when set, carries every websocket connection (tests point it at a local
	// port so nothing reaches, or even resolves, WhatsApp's hosts).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// qrTTL overrides how long each QR code lives (tests).
	qrTTL func(i int) time.Duration
}

// Database is the application's database, shared with whatsmeow's device store.
// Dialect is "sqlite", "postgres" or "mysql"; Devices records which device each session is.
type Database struct {
	DB      *sql.DB
	Dialect string
	Devices ports.DeviceLinks
}

// Transport implements ports.Transport with one whatsmeow client per session.
type Transport struct {
	cfg       Config
	container deviceStore
	devices   devices
	blobs     ports.BlobStore
	proxies   *proxy.Pool
	log       *slog.Logger

	mu      sync.Mutex
	runners map[string]*runner
	closed  bool
}

var _ ports.Transport = (*Transport)(nil)

// deviceStore is where whatsmeow keeps its devices and their keys: its own sqlstore
// on SQLite and PostgreSQL, ours (mysqlstore) on MySQL, which it has no dialect for.
type deviceStore interface {
	NewDevice() *store.Device
	GetDevice(ctx context.Context, jid types.JID) (*store.Device, error)
	GetAllDevices(ctx context.Context) ([]*store.Device, error)
	PutDevice(ctx context.Context, device *store.Device) error
}

// New opens whatsmeow's device store in db (creating or upgrading its tables) and
// returns a transport with no session running. blobs may be nil: media sends then fail.
func New(ctx context.Context, cfg Config, db Database, blobs ports.BlobStore, log *slog.Logger) (*Transport, error) {
	if cfg.Backoff == (Backoff{}) {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Watchdog <= 0 {
		cfg.Watchdog = 2 * time.Minute
	}
	if cfg.HistoryMax <= 0 {
		cfg.HistoryMax = 500
	}
	if cfg.qrTTL == nil {
		cfg.qrTTL = whatsappQRTTL
	}
	if cfg.TestServer != nil {
		cfg.TestServer.trust()
		log.Warn("TESTING AID ON: the whatsmeow transport connects to a WhatsApp-protocol test server, NOT to WhatsApp; "+
			"unset WAREST_WA_TEST_SERVER for real use", "server", cfg.TestServer.URL.String())
	}
	pool, err := proxy.NewPool(cfg.Proxy, rand.IntN)
	if err != nil {
		return nil, err
	}
	if db.Dialect == "postgres" {
		// whatsmeow's migrator looks its version table up by name in every schema
		// of the database: found in another gateway's schema, it would never create
		// ours. Created here (in our search_path), it starts from version 0.
		if _, err := db.DB.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS whatsmeow_version (version INTEGER, compat INTEGER)"); err != nil {
			return nil, fmt.Errorf("whatsmeow: device store: %w", err)
		}
	}
	container, err := openDeviceStore(ctx, db, waLogger{log.With("component", "whatsmeow-store")})
	if err != nil {
		return nil, err
	}
	return &Transport{cfg: cfg, container: container, devices: devices{db.Devices}, blobs: blobs, proxies: pool,
		log: log, runners: map[string]*runner{}}, nil
}

// openDeviceStore opens whatsmeow's device store in db. On MySQL its tables are the
// gateway's (migrations/mysql), already created; sqlstore creates or upgrades its own.
func openDeviceStore(ctx context.Context, db Database, log waLogger) (deviceStore, error) {
	if db.Dialect == "mysql" {
		return mysqlstore.New(db.DB, log), nil
	}
	wrapped, err := dbutil.NewWithDB(db.DB, db.Dialect)
	if err != nil {
		return nil, fmt.Errorf("whatsmeow: device store: %w", err)
	}
	wrapped.UpgradeTable, wrapped.VersionTable = upgrades.Table, "whatsmeow_version" // as sqlstore.NewWithDB
	container := sqlstore.NewWithWrappedDB(wrapped, log)
	if err := container.Upgrade(ctx); err != nil {
		return nil, fmt.Errorf("whatsmeow: device store: %w", err)
	}
	return sqlDevices{Container: container, db: wrapped}, nil
}

// ProxyHealth is the standing of each configured proxy, for metrics.
func (t *Transport) ProxyHealth() []proxy.Health { return t.proxies.Health(time.Now()) }

// Start runs the session's client in the background; an unpaired session shows QR
// codes, a paired one logs in. It never fails for network reasons: those are reported
// to the sink as TransportDisconnected while the client retries.
func (t *Transport) Start(ctx context.Context, sessionID string, sink ports.TransportSink) error {
	if sink == nil {
		return errors.New("whatsmeow: nil sink")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errors.New("whatsmeow: transport closed")
	}
	if r, ok := t.runners[sessionID]; ok && !r.ended() {
		if !r.ending.Load() {
			return nil
		}
		// The run already reported its end and is closing its client; the loop
		// never takes t.mu, so waiting here cannot deadlock.
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r := newRunner(t, sessionID, sink)
	t.runners[sessionID] = r
	go r.run()
	return nil
}

// Running reports whether the session's client runs and has not begun to end.
func (t *Transport) Running(_ context.Context, sessionID string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.runners[sessionID]
	return ok && !r.ended() && !r.ending.Load()
}

// Stop ends the session's client, keeping the device.
func (t *Transport) Stop(ctx context.Context, sessionID string) error {
	t.mu.Lock()
	r := t.runners[sessionID]
	delete(t.runners, sessionID)
	t.mu.Unlock()
	if r == nil {
		return nil
	}
	return r.stop(ctx)
}

// Logout unlinks the device from the phone when it can reach WhatsApp, and purges it
// from the store in any case.
func (t *Transport) Logout(ctx context.Context, sessionID string) error {
	if r, _, err := t.client(sessionID); err == nil {
		// Right after a link the phone is sharing the app state key: let the
		// session take it and sync first. Left unacknowledged, it would reach the
		// unlinking client below, which would then sync app state in whatsmeow's
		// background goroutines while the device is deleted.
		r.name.settled(ctx)
	}
	if err := t.Stop(ctx, sessionID); err != nil {
		return err
	}
	dev, err := t.storedDevice(ctx, sessionID)
	if err != nil {
		return err
	}
	if dev != nil {
		t.unlink(ctx, sessionID, dev)
	}
	return t.devices.remove(ctx, sessionID)
}

// unlink tells WhatsApp the device is gone (best effort, bounded) and deletes it locally.
func (t *Transport) unlink(ctx context.Context, sessionID string, dev *store.Device) {
	cli := wm.NewClient(dev, waLogger{t.log.With("session", sessionID)})
	cli.EnableAutoReconnect = false
	if err := t.route(cli, ""); err == nil && cli.ConnectContext(ctx) == nil && cli.WaitForConnection(10*time.Second) {
		if err := cli.Logout(ctx); err != nil {
			t.log.WarnContext(ctx, "remote logout failed; deleting the device locally", "session", sessionID, "err", err)
		}
	}
	cli.Disconnect()
	if !dev.Deleted {
		if err := dev.Delete(ctx); err != nil {
			t.log.WarnContext(ctx, "could not delete the device", "session", sessionID, "err", err)
		}
	}
}

// Device describes the linked device, if any.
func (t *Transport) Device(ctx context.Context, sessionID string) (ports.DeviceInfo, error) {
	dev, err := t.storedDevice(ctx, sessionID)
	if err != nil || dev == nil || dev.ID == nil {
		return ports.DeviceInfo{}, err
	}
	return ports.DeviceInfo{Name: dev.PushName, Phone: dev.ID.User, Platform: dev.Platform}, nil
}

// PairPhone asks WhatsApp for a pair code once the session's pre-login connection is up.
func (t *Transport) PairPhone(ctx context.Context, sessionID, phone string) (string, error) {
	r, err := t.running(sessionID)
	if err != nil {
		return "", err
	}
	return r.pairPhone(ctx, phone)
}

// Close stops every session (the app is shutting down).
func (t *Transport) Close(ctx context.Context) error {
	t.mu.Lock()
	t.closed = true
	rs := t.runners
	t.runners = map[string]*runner{}
	t.mu.Unlock()
	var errs []error
	for _, r := range rs {
		errs = append(errs, r.stop(ctx))
	}
	return errors.Join(errs...)
}

func (t *Transport) running(sessionID string) (*runner, error) {
	t.mu.Lock()
	r := t.runners[sessionID]
	t.mu.Unlock()
	if r == nil || r.ended() {
		return nil, fault.FailedPrecondition(fault.ReasonSessionNotOpen, "session %s is not running", sessionID)
	}
	return r, nil
}

// storedDevice loads the session's device, nil when it has none.
func (t *Transport) storedDevice(ctx context.Context, sessionID string) (*store.Device, error) {
	jid, ok, err := t.devices.lookup(ctx, sessionID)
	if err != nil || !ok {
		return nil, err
	}
	dev, err := t.container.GetDevice(ctx, jid)
	if err != nil {
		return nil, fmt.Errorf("whatsmeow: load device: %w", err)
	}
	return dev, nil
}

// spread is uniform jitter in [-1, 1).
func spread() float64 { return rand.Float64()*2 - 1 }
