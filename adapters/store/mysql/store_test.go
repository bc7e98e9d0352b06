package mysql_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/mysql"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// open returns a store on dsn, closed before the test's database is dropped.
func open(t *testing.T, dsn string) *mysql.Store {
	t.Helper()
	s, err := mysqlOpen(t, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mysqlOpen(t *testing.T, dsn string) (*mysql.Store, error) {
	s, err := mysql.Open(t.Context(), mysql.Config{DSN: dsn}, contract.Sealer{})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, nil
}

func TestStoreContract(t *testing.T) {
	t.Parallel()
	contract.MySQLDSN(t)
	contract.RunStore(t, func(t *testing.T) ports.Store { return open(t, contract.MySQLDatabaseDSN(t)) })
}

func TestDeviceLinks(t *testing.T) {
	contract.MySQLDSN(t)
	contract.RunDeviceLinks(t, func(t *testing.T) contract.SQLStore { return open(t, contract.MySQLDatabaseDSN(t)) })
}

// A reopened store (the node before it stopped) goes on numbering after it.
func TestEventPositionsSurviveReopen(t *testing.T) {
	t.Parallel()
	dsn := contract.MySQLDatabaseDSN(t)
	var last *mysql.Store
	contract.RunEventReopen(t, func(t *testing.T) ports.Store {
		if last != nil {
			if err := last.Close(); err != nil {
				t.Fatal(err)
			}
		}
		last = open(t, dsn)
		return last
	})
}

// A second node on the same database is refused with a clear error while the first
// runs, and starts once the first has stopped.
func TestSecondNodeIsRefused(t *testing.T) {
	t.Parallel()
	dsn := contract.MySQLDatabaseDSN(t)
	first := open(t, dsn)
	start := time.Now()
	_, err := mysql.Open(t.Context(), mysql.Config{DSN: dsn, NodeLockWait: time.Second}, contract.Sealer{})
	if !errors.Is(err, mysql.ErrOtherNode) {
		t.Fatalf("second node: %v, want ErrOtherNode", err)
	}
	if waited := time.Since(start); waited < time.Second || waited > 10*time.Second {
		t.Fatalf("refused after %v, want about the 1 s wait", waited)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := open(t, dsn)
	if err := second.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// InnoDB rolls back the whole transaction of a deadlock's victim, the writes of every
// call in its group with it: the group runs again and each call commits once.
func TestGroupRunsAgainAfterADeadlock(t *testing.T) {
	t.Parallel()
	s := open(t, contract.MySQLDatabaseDSN(t))
	ctx := t.Context()
	window, expires := time.Unix(1000, 0), time.Unix(2000, 0)
	// Two calls in two lanes ("a" and "b" have committers of their own) take two rows
	// in opposite orders; each waits (a while, on the first run only) for the other
	// to hold its first row.
	held := map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{})}
	runs := map[string]int{}
	var mu sync.Mutex
	lock := func(lane, first, second string) error {
		return s.InGroupTx(ctx, lane, func(ctx context.Context, r ports.Repositories) error {
			mu.Lock()
			runs[lane]++
			firstRun := runs[lane] == 1
			mu.Unlock()
			if _, err := r.Counters().Hit(ctx, ports.CounterHit{Key: first, Window: window, Expires: expires}); err != nil {
				return err
			}
			if firstRun {
				close(held[lane])
				select {
				case <-held[second]:
				case <-time.After(5 * time.Second):
				}
			}
			_, err := r.Counters().Hit(ctx, ports.CounterHit{Key: second, Window: window, Expires: expires})
			return err
		})
	}
	var wg sync.WaitGroup
	var errA, errB error
	wg.Go(func() { errA = lock("a", "a", "b") })
	wg.Go(func() { errB = lock("b", "b", "a") })
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("calls: %v, %v; want both committed", errA, errB)
	}
	if st := s.GroupStats(); st.Reruns != 1 {
		t.Fatalf("group stats %+v, want one group run again", st)
	}
	for _, key := range []string{"a", "b"} { // one hit of each call, none of the aborted run
		if n, err := s.Counters().Hit(ctx, ports.CounterHit{Key: key, Window: window, Expires: expires}); err != nil || n[0] != 3 {
			t.Errorf("counter %s after a third hit: %d, %v; want 3", key, n, err)
		}
	}
}
