package postgres_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// open returns a store on a fresh schema, closed before the schema is dropped.
func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Config{URL: url}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStoreContract(t *testing.T) {
	t.Parallel()
	contract.PostgresURL(t)
	contract.RunStore(t, func(t *testing.T) ports.Store { return open(t, contract.PostgresSchemaURL(t)) })
}

// Nodes booting together on one schema race to migrate; the advisory lock lets one
// apply the migrations and the others find them applied.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), postgres.Config{URL: url}, contract.Sealer{})
			if err != nil {
				errs <- err
				return
			}
			errs <- s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s := open(t, url)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestDeviceLinks(t *testing.T) {
	contract.PostgresURL(t)
	contract.RunDeviceLinks(t, func(t *testing.T) contract.SQLStore { return open(t, contract.PostgresSchemaURL(t)) })
}

// A commit the gateway answered for is on disk: the store never turns
// synchronous_commit off for its connections.
func TestSynchronousCommitStaysOn(t *testing.T) {
	t.Parallel()
	s := open(t, contract.PostgresSchemaURL(t))
	var got string
	if err := s.DB().QueryRowContext(t.Context(), "SHOW synchronous_commit").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "on" {
		t.Fatalf("synchronous_commit = %q, want on", got)
	}
}

// A node frozen (or cut off) inside a fenced transaction holds the share lock on
// its session's lease row, which a takeover waits for. IdleTx ends that transaction
// on the server, so the takeover goes ahead and the frozen write never commits.
func TestATransactionLeftIdleDoesNotHoldATakeoverBack(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	frozen, err := postgres.Open(t.Context(), postgres.Config{URL: url, IdleTx: time.Second}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = frozen.Close() })
	other := open(t, url)
	s, err := session.New("s1", "OWNER", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Sessions().Create(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	l, ok, err := frozen.Leases().Acquire(t.Context(), "s1", "frozen", t0, t0.Add(time.Second))
	if err != nil || !ok {
		t.Fatalf("acquire: %v %v", ok, err)
	}

	inside, thaw := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		ctx := ports.WithFence(t.Context(), ports.Fence{SessionID: "s1", Token: l.Token})
		done <- frozen.InTx(ctx, func(r ports.Repositories) error {
			if _, err := r.Events().Append(ctx, event.Envelope{ID: "late", Type: event.SessionStatus, SessionID: "s1",
				OccurredAt: time.Now(), Payload: []byte(`{}`)}); err != nil {
				return err
			}
			close(inside)
			<-thaw // the process is frozen here, its transaction open
			return nil
		})
	}()
	<-inside

	start := time.Now()
	later := t0.Add(2 * time.Second) // the frozen node's lease has run out
	taken, ok, err := other.Leases().Acquire(t.Context(), "s1", "other", later, later.Add(time.Minute))
	if err != nil || !ok || taken.Token != l.Token+1 {
		t.Fatalf("takeover: %+v %v %v; want the next token", taken, ok, err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("the takeover waited %v for the frozen transaction (IdleTx 1 s)", waited)
	}
	close(thaw)
	if err := <-done; err == nil {
		t.Fatal("the frozen transaction committed after the server ended it")
	}
	if _, err := other.Events().Get(t.Context(), "late"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("the frozen transaction's event: %v, want none", err)
	}
}

// pgx's own pool size (4 on a 2-core box) starves a gateway; the URL may still set it.
func TestPoolSizeDefaultsToDefaultMaxConns(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	if got := open(t, url).PoolStats().MaxOpenConnections; got != postgres.DefaultMaxConns {
		t.Fatalf("pool of %d connections, want %d", got, postgres.DefaultMaxConns)
	}
	if got := open(t, url+"&pool_max_conns=3").PoolStats().MaxOpenConnections; got != 3 {
		t.Fatalf("pool_max_conns=3: pool of %d connections", got)
	}
}

func BenchmarkGroupLane(b *testing.B) {
	s, err := postgres.Open(b.Context(), postgres.Config{URL: contract.PostgresSchemaURL(b)}, contract.Sealer{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	contract.BenchGroupLane(b, s)
}

// A group's calls run at once, their statements sent together: each still gets
// exactly its own results, and the group commits once. A call that fails among them
// sends the group back to run a call at a time: the others commit, the failing one
// leaves no trace.
func TestAGroupsCallsRunTogether(t *testing.T) {
	contract.PostgresURL(t)
	for _, c := range []struct {
		name     string
		failing  int
		counting int   // calls of InGroupTx in the group, run one at a time
		together int64 // groups run together
	}{{"all succeed", -1, 0, 1}, {"one fails", 9, 0, 0}, {"with calls one at a time", -1, 8, 1}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, contract.PostgresSchemaURL(t))
			createSession(t, s, "s1")
			before := s.GroupStats()
			letGo := contract.HoldLane(t, s, "mixed")
			const n = 24
			counted := func() {}
			if c.counting > 0 {
				counted = contract.CountingGroup(t, s, "mixed", c.counting)
			}
			check := contract.MixedGroup(t, s, "mixed", n, c.failing)
			letGo(int64(n + c.counting))
			check()
			counted()
			if got := s.GroupStats(); got.Together-before.Together != c.together || got.Groups-before.Groups != 2 || got.Reruns != before.Reruns {
				t.Fatalf("group stats %+v (before %+v): want the %d calls in one group, %d run together", got, before, n+c.counting, c.together)
			}
		})
	}
}

// PostgreSQL aborts a transaction at its first failed statement. A fn that ignores
// such an error still gets one from the commit, which the server answers with a
// rollback: nothing of the transaction is kept, and the connection goes back to the
// pool clean.
func TestACommitAfterAFailedStatementFails(t *testing.T) {
	t.Parallel()
	contract.PostgresURL(t)
	s := open(t, contract.PostgresSchemaURL(t))
	ctx := t.Context()
	createSession(t, s, "s1")
	first, orphan := newEvent(t, "E1"), newEvent(t, "E2")
	orphan.SessionID = "gone"
	err := s.InTx(ctx, func(r ports.Repositories) error {
		if _, err := r.Events().Append(ctx, first); err != nil {
			return err
		}
		_, _ = r.Events().Append(ctx, orphan) // refused: no such session (a foreign key)
		return nil
	})
	if err == nil {
		t.Fatal("commit of an aborted transaction: nil error")
	}
	if _, err := s.Events().Get(ctx, first.ID); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("write before the failed statement: %v, want none", err)
	}
	for range 2 * postgres.DefaultMaxConns { // every pooled connection works
		if _, err := s.Sessions().Get(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
	}
}

// A statement prepared while its table was small keeps a plan that reads the whole
// table (PostgreSQL's generic plan). Once the table outgrew its statistics, the
// keeper analyzes it, the connection plans the statement anew, and a lookup by id
// takes the index; a table that did not grow is left alone.
func TestTheStatisticsKeeperAnalyzesAGrownTable(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var s *postgres.Store
	var plan func() string
	// Whatever makes the connection drop its cached plans in between (autovacuum, or
	// other tests' DDL overflowing the invalidation queue, as once in CI) plans the
	// lookup on the grown table: the setup is made again then.
	for attempt := 1; ; attempt++ {
		s, plan = lookupPlannedSmall(t)
		p := plan()
		if strings.Contains(p, `"Seq Scan"`) {
			break
		}
		if attempt == 3 {
			t.Fatalf("before the keeper, the lookup planned on a small table: %s; want a scan of the whole table", p)
		}
	}
	grown, err := postgres.AnalyzeOutgrown(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(grown, []string{"events"}) {
		t.Fatalf("analyzed %q, want events alone", grown)
	}
	if p := plan(); strings.Contains(p, `"Seq Scan"`) || !strings.Contains(p, "events_id_key") {
		t.Fatalf("after the keeper, the lookup plans %s; want the id's index", p)
	}
	if grown, err := postgres.AnalyzeOutgrown(ctx, s); err != nil || len(grown) != 0 {
		t.Fatalf("a second round analyzed %q (%v): nothing grew since", grown, err)
	}
}

// lookupPlannedSmall opens a store on one connection (its prepared statements are
// all; the keeper's rounds run only when the test asks), looks events up by id while
// the table holds 100, then grows it to 10,000; plan explains the lookup now.
func lookupPlannedSmall(t *testing.T) (*postgres.Store, func() string) {
	t.Helper()
	ctx := t.Context()
	s := open(t, contract.PostgresSchemaURL(t)+"&pool_max_conns=1")
	postgres.StopStatistics(s)
	sess, err := session.New("s1", "OWNER", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions().Create(ctx, sess); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := s.DB().ExecContext(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	insert := `INSERT INTO events (id, type, session_id, occurred_at, payload)
		SELECT 'e' || n, 'message_received', 's1', now(), convert_to(repeat('x', 200), 'UTF8')
		FROM generate_series($1::int, $2::int) n`
	exec("ALTER TABLE events SET (autovacuum_enabled = false)") // the keeper's work is the test's alone
	exec(insert, 1, 100)
	var run []string // as the deliverer asks for a run's events
	for i := range 40 {
		run = append(run, fmt.Sprint("e", i+1))
	}
	for range 7 { // from the sixth run on, PostgreSQL may keep a generic plan
		if got, err := s.Events().GetMany(ctx, run); err != nil || len(got) != len(run) {
			t.Fatalf("%d events, %v", len(got), err)
		}
	}
	exec(insert, 101, 10000)
	return s, func() string {
		t.Helper()
		var name, plan string
		if err := s.DB().QueryRowContext(ctx, "SELECT name FROM pg_prepared_statements WHERE statement LIKE '-- name: ListEventsByID %'").Scan(&name); err != nil {
			t.Fatalf("the lookup's prepared statement: %v", err)
		}
		if err := s.DB().QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) EXECUTE "+name+"('{e1,e2}')").Scan(&plan); err != nil {
			t.Fatal(err)
		}
		return plan
	}
}
