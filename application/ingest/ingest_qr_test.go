package ingest_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *stepClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// runtimeLog records what the ingest asks of the transport; onStop runs inside Stop.
type runtimeLog struct {
	mu     sync.Mutex
	calls  []string
	onStop func()
}

func (r *runtimeLog) Start(_ context.Context, id string, _ ports.TransportSink) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "start "+id)
	return nil
}

func (r *runtimeLog) Stop(_ context.Context, id string) error {
	if r.onStop != nil {
		r.onStop()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "stop "+id)
	return nil
}

func (r *runtimeLog) got() []string { r.mu.Lock(); defer r.mu.Unlock(); return slices.Clone(r.calls) }

type qrFixture struct {
	t     *testing.T
	mem   *appworld.SQLiteStore
	hub   *notify.Hub
	clock *stepClock
	rt    *runtimeLog
	in    *ingest.Ingest
}

func newQRFixture(t *testing.T, limit time.Duration) *qrFixture {
	t.Helper()
	f := &qrFixture{t: t, mem: appworld.NewStore(t), hub: notify.NewHub(), clock: &stepClock{t: t0}, rt: &runtimeLog{}}
	f.in = ingest.NewIngest(f.mem, appworld.FakeQR{}, f.clock, f.hub, appworld.Discard)
	f.in.QRTimeout = ingest.QRTimeout{Limit: limit, Runtime: f.rt}
	s, err := session.New("alice", "BUDIBUDIBU", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.mem.Sessions().Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return f
}

// qrAt delivers a QR code at t0+at and returns the session_status events stored since.
func (f *qrFixture) qrAt(at time.Duration) []appworld.SessionStatusData {
	f.t.Helper()
	before := len(f.statuses())
	f.clock.set(t0.Add(at))
	if err := f.in.Handle(context.Background(), ports.TransportQR{SessionID: "alice", Code: "qr-" + at.String(), ExpiresIn: 20 * time.Second}); err != nil {
		f.t.Fatal(err)
	}
	return f.statuses()[before:]
}

func (f *qrFixture) statuses() []appworld.SessionStatusData {
	f.t.Helper()
	var out []appworld.SessionStatusData
	for _, e := range appworld.SessionEvents(f.t, context.Background(), f.mem, "alice", event.SessionStatus) {
		out = append(out, appworld.Rendered[appworld.SessionStatusData](f.t, e))
	}
	return out
}

func (f *qrFixture) session() *session.Session {
	f.t.Helper()
	s, err := f.mem.Sessions().Get(context.Background(), "alice")
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *qrFixture) restart() {
	f.t.Helper()
	if _, err := f.mem.Sessions().Update(context.Background(), "alice", func(s *session.Session) error { return s.Start(f.clock.Now()) }); err != nil {
		f.t.Fatal(err)
	}
}

func TestQRTimeout_EndsAnUnscannedLoginAndItsRuntime(t *testing.T) {
	t.Parallel()
	f := newQRFixture(t, time.Minute)
	for _, at := range []time.Duration{0, 20 * time.Second, 40 * time.Second} {
		if got := f.qrAt(at); len(got) != 1 || got[0].Tags != "qr" {
			t.Fatalf("QR at %s stored %+v", at, got)
		}
	}
	got := f.qrAt(time.Minute)
	if len(got) != 1 || got[0].Status != "stopped" || got[0].Code != "qr_timeout" || got[0].QR != "" {
		t.Fatalf("QR after the timeout stored %+v, want one stopped/qr_timeout", got)
	}
	if s := f.session(); s.Status() != session.StatusStopped || s.LastError() != "qr_timeout" || s.AutoStart() {
		t.Fatalf("session after the timeout: %+v", s.Snapshot())
	}
	if _, ok := f.hub.QRs.Get("alice", f.clock.Now()); ok {
		t.Fatal("the hub still offers the expired login's QR")
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return slices.Equal(f.rt.got(), []string{"stop alice"}) }, "runtime calls %v", f.rt.got())
	if got := f.qrAt(80 * time.Second); len(got) != 0 { // the transport had one more in flight
		t.Fatalf("a late QR stored %+v", got)
	}

	// A reconnect starts a new attempt with its own minute.
	f.restart()
	for _, at := range []time.Duration{100 * time.Second, 159 * time.Second} {
		if got := f.qrAt(at); len(got) != 1 || got[0].Tags != "qr" {
			t.Fatalf("QR at %s after the reconnect stored %+v", at, got)
		}
	}
	if got := f.qrAt(160 * time.Second); len(got) != 1 || got[0].Code != "qr_timeout" {
		t.Fatalf("second attempt's timeout stored %+v", got)
	}
}

func TestQRTimeout_RestartsAReconnectThatRacedTheStop(t *testing.T) {
	t.Parallel()
	f := newQRFixture(t, time.Minute)
	f.qrAt(0)
	f.rt.onStop = f.restart // the user reconnected just before the stop landed
	f.qrAt(time.Minute)
	appworld.Eventually(t, 3*time.Second, func() bool {
		return slices.Equal(f.rt.got(), []string{"stop alice", "start alice"})
	}, "runtime calls %v", f.rt.got())
}

func TestQRTimeout_ZeroNeverEndsALogin(t *testing.T) {
	t.Parallel()
	f := newQRFixture(t, 0)
	for _, at := range []time.Duration{0, time.Hour, 24 * time.Hour} {
		if got := f.qrAt(at); len(got) != 1 || got[0].Tags != "qr" {
			t.Fatalf("QR at %s stored %+v", at, got)
		}
	}
	if got := f.rt.got(); len(got) != 0 {
		t.Fatalf("runtime calls %v", got)
	}
}
