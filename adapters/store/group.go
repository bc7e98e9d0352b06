package store

import (
	"context"
	"hash/fnv"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Group commit. A durable commit costs an fsync (SQLite with synchronous=FULL) or a
// WAL flush (PostgreSQL): a few milliseconds that dwarf the statements of a send
// acceptance. So concurrent small transactions (InGroupTx) share one: a single
// committer goroutine takes every call waiting, runs their fns one after another
// in one transaction, each inside a SAVEPOINT so that a failing fn rolls back only
// its own writes, commits once, then answers every call. While it commits, new calls
// queue up and form the next group, so a group grows with the load and an idle
// gateway commits a lone call at once, with no window to wait out.
//
// Guarantees: a call returns nil only after its writes are committed; if the commit
// fails, every call of the group fails with that error. The statements of one
// committer run one at a time, so checks made in one statement with their write,
// like idempotency claims and limit counters, stay exact: a later statement sees an
// earlier one's writes (or their absence, rolled back).
// A database that aborts the whole transaction for one statement (MySQL picks a
// deadlock's victim so) takes every call's writes with it: the group runs again, so
// a fn may run more than once and must set its results afresh each time.
//
// Together: where round trips cost more than the statements (PostgreSQL), the
// committer first runs the group's interleaved calls (InterleavedGroupTx) at once,
// each on its own goroutine and queries (Tx.Together), their statements sent in
// batches, a statement of every call per round trip; then the others one at a time
// as above, in the same transaction. No savepoint can tell one interleaved call's
// writes from another's, so one that fails sends the whole group back to run a call
// at a time; a group of successful calls, the usual case, commits as one.
//
// Lanes: a caller names the lane of its call, and the calls of one lane go to one
// committer. SQLite has one (one writer). PostgreSQL has several, committing in
// parallel on their own connections, where one committer would spend its time
// waiting for round trips; calls that lock the same rows must share a lane, or two
// groups could each hold a row the other waits for (a deadlock).

const (
	maxGroup     = 256              // calls per transaction: bounds the wait of a group's first call
	maxRuns      = 3                // of a group whose transaction the database aborted
	groupTimeout = 30 * time.Second // a group's statements and commit on a database server: a stuck one fails it
	savepoint    = "warest_group"
)

var errClosed = fault.New(fault.KindUnavailable, "", "Database unavailable, retry later")

type groupCall struct {
	ctx        context.Context
	fn         func(context.Context, *Repos) error
	interleave bool // InterleavedGroupTx's
	err        error
	panicked   any
	done       chan struct{}
}

// committer is one lane's group committer.
type committer struct {
	calls    chan *groupCall // unbuffered: a call is either taken or its caller still holds it
	waiting  atomic.Int64    // callers about to hand over a call
	groups   atomic.Int64
	together atomic.Int64
	taken    atomic.Int64
	reruns   atomic.Int64
	quit     chan struct{} // closed by Close, shared by the lanes
	stopped  chan struct{}
}

// lanes are a Core's committers.
type lanes struct {
	all  []*committer
	quit chan struct{}
	stop sync.Once
}

func newLanes(n int) *lanes {
	l := &lanes{quit: make(chan struct{})}
	for range max(n, 1) {
		l.all = append(l.all, &committer{calls: make(chan *groupCall), quit: l.quit, stopped: make(chan struct{})})
	}
	return l
}

// of returns the committer of lane name.
func (l *lanes) of(name string) *committer {
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	return l.all[h.Sum32()%uint32(len(l.all))]
}

// GroupStats counts the transactions the group committer ran, the calls they held,
// those that ran their calls at once (Together), the groups run again after the
// database aborted them, and the calls waiting now.
type GroupStats struct{ Groups, Calls, Together, Reruns, Waiting int64 }

// GroupStats reports the group committers' work.
func (db *Core) GroupStats() GroupStats {
	var st GroupStats
	for _, g := range db.group.all {
		st.Groups += g.groups.Load()
		st.Calls += g.taken.Load()
		st.Together += g.together.Load()
		st.Reruns += g.reruns.Load()
		st.Waiting += g.waiting.Load()
	}
	return st
}

// InGroupTx runs fn in a transaction it may share with concurrent callers of the
// same lane (see the group commit above and ports.Store); fn's error rolls back fn's
// writes only and is returned as is. fn must use the ctx and r it is given, never
// the Store (SQLite's one connection is the committer's), and be short: the calls
// of its group wait for it.
func (db *Core) InGroupTx(ctx context.Context, lane string, fn func(ctx context.Context, r ports.Repositories) error) error {
	return db.inGroup(ctx, lane, false, func(ctx context.Context, r *Repos) error { return fn(ctx, r) })
}

// InterleavedGroupTx is InGroupTx for fns that may run at once (see Together above
// and ports.Store).
func (db *Core) InterleavedGroupTx(ctx context.Context, lane string, fn func(ctx context.Context, r ports.Repositories) error) error {
	return db.inGroup(ctx, lane, true, func(ctx context.Context, r *Repos) error { return fn(ctx, r) })
}

func (db *Core) inGroup(ctx context.Context, lane string, interleave bool, fn func(context.Context, *Repos) error) error {
	c := &groupCall{ctx: ctx, fn: fn, interleave: interleave, done: make(chan struct{})}
	g := db.group.of(lane)
	g.waiting.Add(1)
	select {
	case g.calls <- c:
	case <-g.quit:
		g.waiting.Add(-1)
		return errClosed
	}
	<-c.done
	if c.panicked != nil {
		panic(c.panicked)
	}
	return c.err
}

// Close stops the group committers; later InGroupTx calls fail with KindUnavailable.
func (db *Core) Close() {
	db.group.stop.Do(func() { close(db.group.quit) })
	for _, g := range db.group.all {
		<-g.stopped
	}
}

func (db *Core) commitGroups(g *committer) {
	defer close(g.stopped)
	for {
		var batch []*groupCall
		select {
		case c := <-g.calls:
			batch = append(batch, c)
		case <-g.quit:
			return
		}
		g.waiting.Add(-1)
		// Callers that are runnable run first and hand over their calls: on a busy
		// box groups grow (the send benchmark's from 6 calls to 11–16, so half the
		// commits or fewer); on an idle one this returns at once.
		runtime.Gosched()
		// Until idle: every caller that has started handing over a call joins.
	join:
		for len(batch) < maxGroup && g.waiting.Load() > 0 {
			select {
			case c := <-g.calls:
				batch = append(batch, c)
				g.waiting.Add(-1)
			case <-g.quit: // a waiting caller may give up instead
				break join
			}
		}
		g.groups.Add(1)
		g.taken.Add(int64(len(batch)))
		db.runGroup(g, batch)
		for _, c := range batch {
			close(c.done)
		}
	}
}

// runGroup runs batch in one transaction and sets each call's outcome, running it
// again when the database aborted the transaction.
func (db *Core) runGroup(g *committer, batch []*groupCall) {
	for runs := 1; ; runs++ {
		aborted := db.tryGroup(g, batch)
		if aborted == nil {
			return
		}
		if runs == maxRuns {
			for _, c := range batch {
				if c.ctx.Err() == nil {
					c.err, c.panicked = aborted, nil
				}
			}
			return
		}
		g.reruns.Add(1)
		for _, c := range batch {
			c.err, c.panicked = nil, nil
		}
	}
}

// tryGroup runs batch in one transaction and sets each call's outcome, or returns the
// error with which the database aborted the whole transaction.
func (db *Core) tryGroup(g *committer, batch []*groupCall) (aborted error) {
	ctx := context.Background()
	if !db.D.InProcess {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, groupTimeout)
		defer cancel()
	}
	deadline, _ := ctx.Deadline() // none in process
	isAborted := func(err error) bool { return db.D.Aborted != nil && db.D.Aborted(err) }
	fail := func(calls []*groupCall, err error) {
		for _, c := range calls {
			if c.err == nil && c.panicked == nil {
				c.err = err
			}
		}
	}
	all := batch // the calls the commit decides; batch: those still to run one at a time
	tx, err := db.begin(ctx)
	if at, rest := interleaved(batch); err == nil && tx.Together != nil && len(at) > 1 {
		if db.together(ctx, tx, at, deadline) {
			g.together.Add(1)
			batch = rest
		} else {
			_ = tx.Rollback(ctx)
			tx, err = db.begin(ctx)
		}
	}
	if err != nil {
		fail(all, db.D.Wrap(err, "begin"))
		return nil
	}
	defer func() { _ = tx.Rollback(ctx) }()
	r, err := db.txRepos(tx.Queries)
	if err != nil {
		fail(all, err)
		return nil
	}
	r.recv.group = ctx // a caller's cancellation must not interrupt a shared statement
	defer db.putRepos(r)
	// At most one round trip per call around its fn: the savepoint a call runs in is
	// opened together with the release of the one before (COMMIT releases the last),
	// and one rolled back stays open, empty, for the next call. A dialect that can
	// send them ahead with the fn's first statement saves that round trip too.
	next := []string{"SAVEPOINT " + savepoint}
	for _, c := range batch {
		if err := c.ctx.Err(); err != nil { // the caller is gone: do not write for it
			c.err = err
			continue
		}
		if len(all) == 1 { // alone, a call needs no savepoint: its failure rolls back the transaction
			if run(c, r.Repos, deadline); isAborted(c.err) {
				return c.err
			}
			if c.err != nil || c.panicked != nil {
				return nil
			}
			break
		}
		if len(next) > 0 {
			if err := tx.ahead(ctx, next); err != nil {
				fail(all, db.D.Wrap(err, "savepoint")) // the transaction is in doubt: nothing of it commits
				return nil
			}
		}
		run(c, r.Repos, deadline)
		switch {
		case isAborted(c.err):
			return c.err
		case c.err == nil && c.panicked == nil:
			next = []string{"RELEASE SAVEPOINT " + savepoint, "SAVEPOINT " + savepoint}
			continue
		}
		if err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+savepoint); err != nil {
			fail(all, db.D.Wrap(err, "rollback to savepoint"))
			return nil
		}
		next = nil
	}
	if err := tx.Commit(ctx); err != nil {
		if err = db.D.Wrap(err, "commit"); isAborted(err) {
			return err
		}
		fail(all, err)
	}
	return nil
}

// interleaved splits batch into its interleaved calls and the others.
func interleaved(batch []*groupCall) (at, rest []*groupCall) {
	for _, c := range batch {
		if c.interleave {
			at = append(at, c)
		} else {
			rest = append(rest, c)
		}
	}
	return at, rest
}

// together runs batch's calls at once on tx (Tx.Together), setting each call's
// outcome; false, with no outcome set, when a call failed or panicked: the shared
// statements do not tell which writes were its own, so the group must run again, a
// call at a time in savepoints.
func (db *Core) together(ctx context.Context, tx Tx, batch []*groupCall, deadline time.Time) bool {
	calls := make([]*groupCall, 0, len(batch))
	for _, c := range batch {
		if c.err = c.ctx.Err(); c.err == nil { // else the caller is gone: do not write for it
			calls = append(calls, c)
		}
	}
	queries, leave := tx.Together(ctx, len(calls))
	repos := make([]*txRepos, len(calls))
	for i, q := range queries {
		r, err := db.txRepos(q)
		if err != nil {
			return false // the group a call at a time reports it
		}
		r.recv.group = ctx
		repos[i] = r
	}
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() {
			defer leave()
			run(c, repos[i].Repos, deadline)
		})
	}
	wg.Wait()
	for _, r := range repos {
		db.putRepos(r)
	}
	if slices.ContainsFunc(calls, func(c *groupCall) bool { return c.err != nil || c.panicked != nil }) {
		for _, c := range calls {
			c.err, c.panicked = nil, nil
		}
		return false
	}
	return true
}

// run runs c's fn on r and sets its outcome. fn keeps its caller's values (tracing)
// but not its cancellation: a cancelled statement can break the shared transaction
// (pgx closes the connection). It has the group's deadline, if any.
func run(c *groupCall, r *Repos, deadline time.Time) {
	ctx := context.WithoutCancel(c.ctx)
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	c.err, c.panicked = call(ctx, c.fn, r)
}

// call runs fn after the check of its fence, returning a panic instead of raising
// it: the caller re-raises it in its own goroutine.
func call(ctx context.Context, fn func(context.Context, *Repos) error, r *Repos) (err error, panicked any) {
	defer func() { panicked = recover() }()
	if err := checkFence(ctx, r); err != nil {
		return err, nil
	}
	return fn(ctx, r), nil
}
