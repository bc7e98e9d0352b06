package sqlite_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: path}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStoreContract(t *testing.T) {
	t.Parallel()
	contract.RunStore(t, func(t *testing.T) ports.Store {
		return open(t, filepath.Join(t.TempDir(), "warest.db"))
	})
}

func TestEventPositionsSurviveReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	var prev *sqlite.Store
	contract.RunEventReopen(t, func(t *testing.T) ports.Store {
		if prev != nil { // one process at a time serves the file
			_ = prev.Close()
		}
		prev = open(t, path)
		return prev
	})
}

func TestOpenCreatesParentDirectoryAndReopensMigrated(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "dir", "warest.db")
	first := open(t, path)
	createSession(t, first, "s1")
	if _, err := first.Events().Append(t.Context(), newEvent(t)); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := open(t, path) // migrations already applied: must be a no-op
	got, err := second.Events().ListUnpublished(t.Context(), 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("after reopen got %d events, err %v; want 1", len(got), err)
	}
}

// A transaction that never commits must leave nothing in the file, whether fn fails
// or the process dies before COMMIT; committed rows must survive a reopen.
func TestOnlyCommittedEventsSurviveReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	s := open(t, path)
	ctx := t.Context()
	createSession(t, s, "s1")
	committed := newEvent(t)
	if err := s.InTx(ctx, func(r ports.Repositories) error {
		_, err := r.Events().Append(ctx, committed)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("crash before commit")
	if err := s.InTx(ctx, func(r ports.Repositories) error {
		for range 3 {
			if _, err := r.Events().Append(ctx, newEvent(t)); err != nil {
				return err
			}
		}
		return crash
	}); !errors.Is(err, crash) {
		t.Fatalf("InTx = %v, want %v", err, crash)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A child process appends inside a transaction and exits without committing.
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperDiesMidTransaction$")
	cmd.Env = append(os.Environ(), "WAREST_SQLITE_CRASH_DB="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("helper should die with code 3, got %v:\n%s", err, out)
	}

	reopened := open(t, path)
	got, err := reopened.Events().ListUnpublished(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != committed.ID {
		t.Fatalf("after reopen found %d events %+v, want only %s", len(got), got, committed.ID)
	}
}

// TestHelperDiesMidTransaction is the child of TestOnlyCommittedEventsSurviveReopen.
func TestHelperDiesMidTransaction(t *testing.T) {
	path := os.Getenv("WAREST_SQLITE_CRASH_DB")
	if path == "" {
		t.Skip("helper process only")
	}
	s := open(t, path)
	_ = s.InTx(t.Context(), func(r ports.Repositories) error {
		for range 3 {
			if _, err := r.Events().Append(t.Context(), newEvent(t)); err != nil {
				t.Fatal(err)
			}
		}
		os.Exit(3) // killed before COMMIT
		return nil
	})
}

func newEvent(t *testing.T) event.Envelope {
	t.Helper()
	e, err := event.New(event.MessageReceived, "s1", time.Now(), event.Legacy(`{"text":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func createSession(t *testing.T, s ports.Store, id string) {
	t.Helper()
	sess, err := session.New(id, "OWNER", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions().Create(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
}

func TestDeviceLinks(t *testing.T) {
	contract.RunDeviceLinks(t, func(t *testing.T) contract.SQLStore {
		return open(t, filepath.Join(t.TempDir(), "warest.db"))
	})
}

// Commits the gateway answered for must survive a power cut: every connection runs
// synchronous=FULL unless the operator traded it for speed.
func TestSynchronousIsFullUnlessRelaxed(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		sync sqlite.Synchronous
		want int // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{{"", 2}, {sqlite.SyncFull, 2}, {sqlite.SyncNormal, 1}} {
		s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "warest.db"), Synchronous: c.sync}, contract.Sealer{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		for i, db := range sqlite.Conns(s) {
			var got int
			if err := db.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Synchronous %q, connection %d: PRAGMA synchronous = %d, want %d", c.sync, i, got, c.want)
			}
		}
	}
}

// SQLite's statements are bounded by busy_timeout, not by a group deadline: a
// statement context that can end costs the driver a goroutine per statement to watch
// it. A group call's context can not end.
func TestGroupCallsHaveNoDeadline(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "warest.db"))
	err := s.InGroupTx(t.Context(), "", func(ctx context.Context, r ports.Repositories) error {
		if _, ok := ctx.Deadline(); ok || ctx.Done() != nil {
			return errors.New("the call's context can end")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A group commit's savepoint journal stays in memory (temp_store=MEMORY) on every
// connection: spilled to a temporary file, its writes cost a tenth of a send's CPU.
func TestTemporaryStorageIsInMemory(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "warest.db"))
	for i, db := range sqlite.Conns(s) {
		var got int
		if err := db.QueryRowContext(t.Context(), "PRAGMA temp_store").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != 2 { // 2: MEMORY
			t.Errorf("connection %d: PRAGMA temp_store = %d, want 2", i, got)
		}
	}
}

// Concurrent group calls share transactions: while one group runs, the calls
// arriving form the next one, committed once.
func TestConcurrentGroupCallsShareOneTransaction(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "warest.db"))
	ctx := t.Context()
	createSession(t, s, "s1")
	before := s.GroupStats()
	letGo := contract.HoldLane(t, s, "lane")
	var wg sync.WaitGroup
	const n = 12
	for range n {
		wg.Go(func() {
			if err := s.InGroupTx(ctx, "lane", func(ctx context.Context, r ports.Repositories) error {
				_, err := r.Events().Append(ctx, newEvent(t))
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
	letGo(n)
	wg.Wait()
	if got := s.GroupStats(); got.Groups-before.Groups != 2 || got.Calls-before.Calls != n+1 {
		t.Fatalf("group stats %+v (before %+v): want the %d calls in one group after the first", got, before, n)
	}
	if got, err := s.Events().ListUnpublished(ctx, 100); err != nil || len(got) != n {
		t.Fatalf("events %d, %v; want %d", len(got), err, n)
	}
}

// SQLite has one writer, so every transaction joins the group commit: concurrent
// InTx calls share a commit, and one that fails rolls back alone.
func TestTransactionsJoinTheGroupCommit(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "warest.db"))
	ctx := t.Context()
	createSession(t, s, "s1")
	before := s.GroupStats()
	letGo := contract.HoldLane(t, s, "lane")
	var wg sync.WaitGroup
	const n = 8
	refused := errors.New("refused")
	appended := make([]string, n)
	for i := range n {
		wg.Go(func() {
			e := newEvent(t)
			err := s.InTx(ctx, func(r ports.Repositories) error {
				if _, err := r.Events().Append(ctx, e); err != nil {
					return err
				}
				if i == 3 {
					return refused // after its write: rolled back alone
				}
				return nil
			})
			if i == 3 && !errors.Is(err, refused) || i != 3 && err != nil {
				t.Errorf("call %d: %v", i, err)
			}
			if err == nil {
				appended[i] = e.ID
			}
		})
	}
	letGo(n)
	wg.Wait()
	if got := s.GroupStats(); got.Groups-before.Groups != 2 || got.Calls-before.Calls != n+1 {
		t.Fatalf("group stats %+v (before %+v): want the %d transactions in one group after the first", got, before, n)
	}
	got, err := s.Events().ListUnpublished(ctx, 100)
	if err != nil || len(got) != n-1 {
		t.Fatalf("events %d, %v; want %d", len(got), err, n-1)
	}
	for _, e := range got {
		if !slices.Contains(appended, e.ID) {
			t.Fatalf("event %s of the refused transaction was committed", e.ID)
		}
	}
}

// A group's commit failing fails every call of the group: none may answer as if
// its rows were on disk.
func TestAFailedGroupCommitFailsEveryCallOfTheGroup(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "warest.db"))
	ctx := t.Context()
	createSession(t, s, "s1")
	refused := errors.New("disk refused the fsync")
	if err := sqlite.FailCommits(s, contract.Sealer{}, refused); err != nil {
		t.Fatal(err)
	}
	const n = 12
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.InGroupTx(ctx, "lane", func(ctx context.Context, r ports.Repositories) error {
				_, err := r.Events().Append(ctx, newEvent(t))
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, refused) {
			t.Errorf("call %d: %v, want the commit's error", i, err)
		}
	}
	if got, err := s.Events().ListUnpublished(ctx, 100); err != nil || len(got) != 0 {
		t.Fatalf("events %d, %v; want none", len(got), err)
	}
}

// One process serves a SQLite database: a second Open of the file (another process,
// or here another open file) is refused with ErrOtherNode until the first closes.
func TestSecondOpenIsRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	first, err := sqlite.Open(t.Context(), sqlite.Config{Path: path}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(t.Context(), sqlite.Config{Path: path}, contract.Sealer{}); !errors.Is(err, sqlite.ErrOtherNode) {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("second open: %v, want ErrOtherNode", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlite.Open(t.Context(), sqlite.Config{Path: path}, contract.Sealer{})
	if err != nil {
		t.Fatalf("open after the first closed: %v", err)
	}
	_ = again.Close()
}

func BenchmarkGroupLane(b *testing.B) {
	s, err := sqlite.Open(b.Context(), sqlite.Config{Path: filepath.Join(b.TempDir(), "bench.db")}, contract.Sealer{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	contract.BenchGroupLane(b, s)
}

// The send queue's reads take the partial queue index, in arrival order, and never
// scan the messages table or sort: the plans of the queries as sqlc has them.
func TestQueueReadsTakeThePartialIndex(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "warest.db"))
	src, err := os.ReadFile("../../../sql/sqlite/messages.sql")
	if err != nil {
		t.Fatal(err)
	}
	stats, err := os.ReadFile("../../../sql/sqlite/stats.sql")
	if err != nil {
		t.Fatal(err)
	}
	queries := namedQueries(string(src) + string(stats))
	db := sqlite.Conns(s)[0]
	for _, name := range []string{"ListQueuedMessages", "SessionsWithQueuedMessages", "QueuedMessagesBySession"} {
		q, ok := queries[name]
		if !ok {
			t.Fatalf("no query %s in sql/sqlite", name)
		}
		args := make([]any, strings.Count(q, "?"))
		rows, err := db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "; ")
		tableScan := slices.ContainsFunc(plan, func(d string) bool { return d == "SCAN messages" || d == "SCAN m" })
		if !strings.Contains(all, "INDEX messages_queue_idx") || strings.Contains(all, "TEMP B-TREE") || tableScan {
			t.Errorf("%s plans %q", name, all)
		}
	}
}

// namedQueries maps each sqlc query name in src to its text, parameters as "?".
func namedQueries(src string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(src, "-- name: ")[1:] {
		name, body, _ := strings.Cut(part, "\n")
		var lines []string
		for _, l := range strings.Split(body, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		q := strings.TrimSuffix(strings.TrimSpace(strings.Join(lines, "\n")), ";")
		out[strings.Fields(name)[0]] = sqlcArg.ReplaceAllString(q, "?")
	}
	return out
}

var sqlcArg = regexp.MustCompile(`sqlc\.n?arg\(\w+\)`)
