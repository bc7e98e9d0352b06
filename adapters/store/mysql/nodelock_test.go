package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/warest-go/warest/adapters/store/mysql"
	"github.com/warest-go/warest/test/contract"
)

// The node lock outlives its connection: a dropped one (server restart, wait_timeout)
// is replaced and the lock taken again; when another session took it meanwhile, Ping
// reports another node, so health checks show it.
func TestNodeLockIsRetakenOrReportedLost(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := contract.MySQLDatabaseDSN(t)
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := mysql.NodeLockName(cfg.DBName)
	s, err := mysql.Open(ctx, mysql.Config{DSN: dsn, NodeLockCheck: 50 * time.Millisecond}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	holder := func() int64 {
		var id sql.NullInt64
		if err := admin.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id.Int64
	}
	first := holder()
	if first == 0 {
		t.Fatal("the store holds no node lock")
	}
	if _, err := admin.ExecContext(ctx, "KILL ?", first); err != nil {
		t.Fatal(err)
	}
	poll(t, "the lock taken again", func() bool { h := holder(); return h != 0 && h != first })
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after retaking: %v", err)
	}

	// Another session queues for the lock, then the store's connection drops.
	other, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	got := make(chan error, 1)
	go func() {
		var ok sql.NullInt64
		err := other.QueryRowContext(context.WithoutCancel(ctx), "SELECT GET_LOCK(?, 30)", name).Scan(&ok)
		if err == nil && ok.Int64 != 1 {
			err = errors.New("GET_LOCK timed out")
		}
		got <- err
	}()
	second := holder()
	poll(t, "the other session waiting", func() bool {
		var n int
		_ = admin.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT GET_LOCK(%'").Scan(&n)
		return n > 0
	})
	if _, err := admin.ExecContext(ctx, "KILL ?", second); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	poll(t, "Ping reporting another node", func() bool { return errors.Is(s.Ping(ctx), mysql.ErrOtherNode) })
}

func poll(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
