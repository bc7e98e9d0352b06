package whatsmeow

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// openDB opens a temporary SQLite database the way the app does (migrated, foreign
// keys on) holding session "s1": a device link belongs to a session.
func openDB(t *testing.T) Database {
	t.Helper()
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "warest.db")}, plainSealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	sess, err := session.New("s1", "OWNER", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions().Create(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	return Database{DB: s.DB(), Dialect: s.Dialect(), Devices: s}
}

// plainSealer stands in for the secret sealer: these tests store no secrets.
type plainSealer struct{}

func (plainSealer) Seal(s string) (string, error) { return s, nil }
func (plainSealer) Open(s string) (string, error) { return s, nil }

// closedPort returns a local address nothing listens on: dialing it fails at once.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// offline returns a config whose websocket dials go to a closed local port, with
// millisecond backoff.
func offline(t *testing.T) Config {
	addr := closedPort(t)
	return Config{
		Backoff: Backoff{Base: time.Millisecond, Max: 16 * time.Millisecond, Jitter: 0.2},
		dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

func newTestTransport(t *testing.T, cfg Config) *Transport {
	t.Helper()
	tr, err := New(t.Context(), cfg, openDB(t), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close(context.Background()) })
	return tr
}

// recorder is a sink that keeps what it is given and can be told to fail.
type recorder struct {
	mu      sync.Mutex
	events  []ports.TransportEvent
	fail    bool
	refused int // events refused while fail was set
	added   chan struct{}
}

func newRecorder() *recorder { return &recorder{added: make(chan struct{}, 1024)} }

func (r *recorder) Handle(_ context.Context, e ports.TransportEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		r.refused++
		return errors.New("store unavailable")
	}
	r.events = append(r.events, e)
	r.added <- struct{}{}
	return nil
}

func (r *recorder) all() []ports.TransportEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ports.TransportEvent(nil), r.events...)
}

// waitFor blocks until pred holds for the recorded events (or the test times out).
func (r *recorder) waitFor(t *testing.T, pred func([]ports.TransportEvent) bool) []ports.TransportEvent {
	t.Helper()
	for {
		if evs := r.all(); pred(evs) {
			return evs
		}
		select {
		case <-r.added:
		case <-hangGuard(t):
			t.Fatalf("gave up waiting; got %d events: %#v", len(r.all()), r.all())
		}
	}
}

func only[T ports.TransportEvent](evs []ports.TransportEvent) []T {
	var out []T
	for _, e := range evs {
		if x, ok := e.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// hangGuard fires long after anything should have happened: it turns a hang into a
// failure with context, and is no timing assertion.
func hangGuard(t *testing.T) <-chan time.Time {
	t.Helper()
	return time.After(30 * time.Second)
}
