package whatsmeow

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/proxy"
	"github.com/warest-go/warest/ports"
)

// The device store shares the app's SQLite database: whatsmeow's upgrade accepts it
// (foreign keys on) and its tables sit beside ours.
func TestDeviceStoreSharesTheAppDatabase(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	tr, err := New(t.Context(), Config{}, db, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close(context.Background()) })
	ctx := t.Context()
	var n int
	if err := db.DB.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name IN ('whatsmeow_device', 'sessions', 'wa_session_devices')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("found %d of the whatsmeow and app tables, want 3", n)
	}
	// Session → device mapping round-trips, and Device reads the stored device.
	dev := tr.container.NewDevice()
	jid := types.NewJID("6281234567890", types.DefaultUserServer)
	jid.Device = 7
	dev.ID, dev.PushName, dev.Platform, dev.Account = &jid, "Ana", "android", &waAdv.ADVSignedDeviceIdentity{
		Details: []byte{1}, AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := tr.container.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	if err := tr.devices.put(ctx, "s1", jid); err != nil {
		t.Fatal(err)
	}
	info, err := tr.Device(ctx, "s1")
	if err != nil || info != (ports.DeviceInfo{Name: "Ana", Phone: "6281234567890", Platform: "android"}) {
		t.Fatalf("Device = %+v, %v", info, err)
	}
	// Logout purges it even though WhatsApp is unreachable.
	tr.cfg.dial = offline(t).dial
	if err := tr.Logout(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := tr.devices.lookup(ctx, "s1"); ok {
		t.Error("mapping survived logout")
	}
	if got, _ := tr.container.GetDevice(ctx, jid); got != nil {
		t.Error("device survived logout")
	}
	if info, _ := tr.Device(ctx, "s1"); info != (ports.DeviceInfo{}) {
		t.Errorf("Device after logout = %+v", info)
	}
}

// Without a network the session keeps reporting reconnecting, with a reason code and
// growing delays; sends are refused as unavailable; Stop ends the loop.
func TestOfflineSessionReconnectsWithBackoffUntilStopped(t *testing.T) {
	t.Parallel()
	tr := newTestTransport(t, offline(t))
	sink := newRecorder()
	if err := tr.Start(t.Context(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	if err := tr.Start(t.Context(), "s1", sink); err != nil {
		t.Fatal("second Start:", err)
	}
	evs := sink.waitFor(t, func(evs []ports.TransportEvent) bool { return len(only[ports.TransportDisconnected](evs)) >= 4 })
	ds := only[ports.TransportDisconnected](evs)
	for i, d := range ds[:4] {
		if d.SessionID != "s1" || d.Code != "network" || d.Attempt != i+1 || d.Reason == "" {
			t.Errorf("event %d = %+v", i, d)
		}
		if i > 0 && d.RetryIn <= ds[i-1].RetryIn {
			t.Errorf("RetryIn did not grow: %v then %v", ds[i-1].RetryIn, d.RetryIn)
		}
	}
	if _, err := tr.Send(t.Context(), "s1", message.Outbound{ID: "X", Content: message.TextContent("hi")}); !fault.Is(err, fault.KindUnavailable) {
		t.Errorf("Send while offline: %v, want unavailable", err)
	}
	if _, err := tr.PairPhone(ctxWithin(t, time.Millisecond), "s1", "6281234567890"); err == nil {
		t.Error("pair code without a connection")
	}
	if err := tr.Stop(t.Context(), "s1"); err != nil {
		t.Fatal(err)
	}
	n := len(sink.all())
	if _, err := tr.Send(t.Context(), "s1", message.Outbound{}); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Errorf("Send after stop: %v, want failed precondition", err)
	}
	// Restart works and the loop resumes.
	if err := tr.Start(t.Context(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	sink.waitFor(t, func(evs []ports.TransportEvent) bool { return len(evs) > n })
	if err := tr.Stop(t.Context(), "s1"); err != nil {
		t.Fatal(err)
	}
}

// A proxy that refuses connections is reported as a network failure and cools off:
// the next attempt goes through the other proxy (failover order).
func TestOfflineSessionRotatesProxies(t *testing.T) {
	t.Parallel()
	a, b := "http://"+closedPort(t), "socks5://"+closedPort(t)
	cfg := offline(t)
	cfg.Proxy = proxy.Config{URLs: []string{a, b}, Strategy: proxy.Failover, Sticky: true, RotateAfter: 1, Cooloff: time.Hour}
	tr := newTestTransport(t, cfg)
	sink := newRecorder()
	if err := tr.Start(t.Context(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	sink.waitFor(t, func(evs []ports.TransportEvent) bool { return len(only[ports.TransportDisconnected](evs)) >= 2 })
	if err := tr.Stop(t.Context(), "s1"); err != nil {
		t.Fatal(err)
	}
	// Both cooling now: the pool falls back to the first.
	if got := tr.proxies.Pick("other", time.Now()); got != a {
		t.Errorf("after two failures Pick = %q, want the first proxy as fallback", got)
	}
	for _, d := range only[ports.TransportDisconnected](sink.all()) {
		if d.Code != "network" {
			t.Errorf("proxy failure code %q (%s)", d.Code, d.Reason)
		}
	}
}

// Not parallel: it counts the process's goroutines, so nothing else may run.
func TestStopLeavesNoGoroutines(t *testing.T) {
	tr := newTestTransport(t, offline(t))
	before := runtime.NumGoroutine()
	sink := newRecorder()
	for _, id := range []string{"a", "b", "c"} {
		if err := tr.Start(t.Context(), id, sink); err != nil {
			t.Fatal(err)
		}
	}
	sink.waitFor(t, func(evs []ports.TransportEvent) bool { return len(evs) >= 6 })
	if err := tr.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	for runtime.NumGoroutine() > before {
		select {
		case <-hangGuard(t):
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines leaked: %d > %d\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := tr.Start(t.Context(), "d", sink); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Start after Close: %v", err)
	}
}

func ctxWithin(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
