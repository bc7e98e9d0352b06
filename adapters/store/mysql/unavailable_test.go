package mysql_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// Another connection holding a row past innodb_lock_wait_timeout makes a write to it
// fail as unavailable (503, ingest withholds the ack), while reads go on.
func TestWriteLockedByAnotherConnectionIsUnavailable(t *testing.T) {
	t.Parallel()
	dsn := contract.MySQLDatabaseDSN(t)
	s, err := mysqlOpen(t, dsn+"?innodb_lock_wait_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	window := time.Now()
	if _, err := s.Counters().Hit(ctx, ports.CounterHit{Key: "k", Window: window, Expires: window.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "SELECT * FROM limiter_counters WHERE `key` = 'k' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Counters().Hit(ctx, ports.CounterHit{Key: "k", Window: window, Expires: window.Add(time.Minute)})
	if !fault.Is(err, fault.KindUnavailable) {
		t.Fatalf("write under another's lock: %v, want unavailable", err)
	}
	if waited := time.Since(start); waited < time.Second || waited > 10*time.Second {
		t.Fatalf("failed after %v, want about the 1 s lock wait", waited)
	}
	if _, err := s.Users().List(ctx); err != nil {
		t.Fatalf("read under another's lock: %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Counters().Hit(ctx, ports.CounterHit{Key: "k", Window: window, Expires: window.Add(time.Minute)}); err != nil || n[0] != 2 { // the refused hit counted nothing
		t.Fatalf("write once the lock is gone: %d, %v", n, err)
	}
}
