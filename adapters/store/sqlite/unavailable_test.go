package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// Another process holding the write lock past the busy timeout makes writes fail
// as unavailable (503, ingest withholds the ack), while reads go on.
func TestWriteLockedByAnotherProcessIsUnavailable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: path, BusyTimeout: 50 * time.Millisecond}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Counters().Hit(t.Context(), ports.CounterHit{Key: "k", Window: time.Now(), Expires: time.Now().Add(time.Minute)})
	if !fault.Is(err, fault.KindUnavailable) {
		t.Fatalf("write under another's lock: %v, want unavailable", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("failed after %v, want about the busy timeout", waited)
	}
	if _, err := s.Users().List(t.Context()); err != nil {
		t.Fatalf("read under another's write lock: %v", err)
	}
	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Counters().Hit(t.Context(), ports.CounterHit{Key: "k", Window: time.Now(), Expires: time.Now().Add(time.Minute)}); err != nil {
		t.Fatalf("write once the lock is gone: %v", err)
	}
}
