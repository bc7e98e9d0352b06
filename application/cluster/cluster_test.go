package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/application/cluster"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

const ttl = 15 * time.Second

// clock is the leases' clock, stepped by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) step(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// runtime records every start and stop, and at each stop whether the node still
// held the session's lease (a session must stop before its lease is released).
type runtime struct {
	node  string
	store ports.Store
	clock *clock
	mu    sync.Mutex
	log   []string
	// startTakes is how far each start moves the clock (a slow start).
	startTakes time.Duration
}

func (r *runtime) Resume(_ context.Context, id string) error {
	r.clock.step(r.startTakes)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, "start "+id)
	return nil
}

func (r *runtime) Stop(ctx context.Context, id string) error {
	o, ok, err := r.store.Leases().Owner(ctx, id, r.clock.Now())
	held := err == nil && ok && o.NodeID == r.node
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, fmt.Sprintf("stop %s (held %v)", id, held))
	return nil
}

func (r *runtime) events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.log)
	r.log = nil
	return out
}

type node struct {
	*cluster.Cluster
	rt *runtime
}

func newNode(t *testing.T, store ports.Store, c *clock, id string, maxMoves int) node {
	rt := &runtime{node: id, store: store, clock: c}
	return node{cluster.New(cluster.Config{NodeID: id, Addr: "http://" + id, TTL: ttl, MaxMoves: maxMoves},
		store, rt, c, slog.New(slog.DiscardHandler)), rt}
}

func (n node) tick(t *testing.T) {
	t.Helper()
	if err := n.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func (n node) join(t *testing.T) {
	t.Helper()
	if err := n.Join(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func world(t *testing.T, sessions ...string) (ports.Store, *clock) {
	store := appworld.NewStore(t)
	for _, id := range sessions {
		s, err := session.New(id, "OWNER", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Sessions().Create(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	return store, &clock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
}

// owned lists the sessions a node owns by the store, sorted.
func owned(t *testing.T, store ports.Store, c *clock, nodeID string) []string {
	t.Helper()
	live, err := store.Leases().Live(t.Context(), c.Now())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range live {
		if l.NodeID == nodeID {
			ids = append(ids, l.SessionID)
		}
	}
	return ids
}

func sorted(s []string) []string { slices.Sort(s); return s }

// sessionIDs names n sessions s000, s001…
func sessionIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("s%03d", i)
	}
	return ids
}

func TestOneNodeOwnsEveryAutoStartSession(t *testing.T) {
	t.Parallel()
	store, c := world(t, "a", "b", "c", "stopped")
	if _, err := store.Sessions().Update(t.Context(), "stopped", func(s *session.Session) error { return s.Stop(false, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	a := newNode(t, store, c, "A", 0)
	a.join(t)
	if got := sorted(a.rt.events()); !slices.Equal(got, []string{"start a", "start b", "start c"}) {
		t.Fatalf("join started %v; want a, b and c once each", got)
	}
	if got := owned(t, store, c, "A"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("A owns %v", got)
	}
	c.step(ttl / 3)
	a.tick(t)
	c.step(ttl / 3)
	a.tick(t)
	if ev := a.rt.events(); len(ev) != 0 {
		t.Fatalf("renewals started or stopped %v", ev)
	}
	if _, ok := a.Fence(t.Context(), "a"); !ok {
		t.Fatal("A's renewed lease is not live")
	}
}

// A node that stops renewing (dead, paused, cut off) loses its sessions once the
// lease runs out: another takes them over with a newer token; the old owner's
// writes under its token are refused and, at its next tick, it stops them.
func TestTakeOverAfterTheLeaseRunsOut(t *testing.T) {
	t.Parallel()
	store, c := world(t, "s1", "s2")
	a, b := newNode(t, store, c, "A", 0), newNode(t, store, c, "B", 0)
	a.join(t)
	b.join(t)
	a.rt.events()
	if got := owned(t, store, c, "B"); len(got) != 0 {
		t.Fatalf("B took %v from a live owner", got)
	}
	staleCtx, ok := a.Fence(t.Context(), "s1")
	if !ok {
		t.Fatal("A does not own s1")
	}
	// A stays silent: its leases run out after a TTL, and after one more interval
	// B no longer counts A as live, so its fair share is both.
	for range 4 {
		c.step(ttl / 3)
		b.tick(t)
	}
	if got := owned(t, store, c, "B"); !slices.Equal(got, []string{"s1", "s2"}) {
		t.Fatalf("B owns %v after A's leases ran out; want s1 and s2", got)
	}
	if got := sorted(b.rt.events()); !slices.Equal(got, []string{"start s1", "start s2"}) {
		t.Fatalf("B started %v", got)
	}
	if _, ok := a.Fence(t.Context(), "s1"); ok {
		t.Fatal("A still thinks its run-out lease is live")
	}
	err := store.InTx(staleCtx, func(r ports.Repositories) error {
		_, err := r.Events().Append(staleCtx, event.Envelope{ID: "late", Type: event.SessionStatus, SessionID: "s1",
			OccurredAt: time.Now(), Payload: []byte(`{}`)})
		return err
	})
	if fe, ok := fault.As(err); !ok || fe.Reason != fault.ReasonFenced {
		t.Fatalf("A's write after the takeover: %v, want refused as fenced", err)
	}
	if _, err := store.Events().Get(t.Context(), "late"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("the fenced write left its event: %v", err)
	}
	a.tick(t) // A comes back: its renewal holds nothing
	if got := sorted(a.rt.events()); !slices.Equal(got, []string{"stop s1 (held false)", "stop s2 (held false)"}) {
		t.Fatalf("A after coming back: %v; want both stopped", got)
	}
	if _, ok := b.Fence(t.Context(), "s1"); !ok {
		t.Fatal("B does not own s1")
	}
}

// A joining node gets its fair share over time: the loaded node gives up at most
// MaxMoves sessions per interval, stopping each before releasing its lease.
func TestJoiningNodeGetsItsShareAFewAtATime(t *testing.T) {
	t.Parallel()
	store, c := world(t, "s1", "s2", "s3", "s4", "s5")
	a, b := newNode(t, store, c, "A", 1), newNode(t, store, c, "B", 1)
	a.join(t)
	a.rt.events()
	b.join(t) // fair share ceil(5/2) = 3, but nothing is free yet
	for round := 0; round < 4; round++ {
		c.step(ttl / 3)
		a.tick(t)
		stops := a.rt.events()
		if len(stops) > 1 {
			t.Fatalf("round %d: A gave up %v at once; at most 1 per interval", round, stops)
		}
		for _, s := range stops {
			if !slices.Contains([]string{"stop s1 (held true)", "stop s2 (held true)", "stop s3 (held true)",
				"stop s4 (held true)", "stop s5 (held true)"}, s) {
				t.Fatalf("round %d: %s; a session must stop while its lease is still held", round, s)
			}
		}
		b.tick(t)
	}
	na, nb := len(owned(t, store, c, "A")), len(owned(t, store, c, "B"))
	if na != 3 || nb != 2 {
		t.Fatalf("A owns %d and B %d; want 3 and 2", na, nb)
	}
	if got := b.rt.events(); len(got) != 2 {
		t.Fatalf("B started %v; want the 2 it took", got)
	}
}

// A node with more sessions to claim than it can start in an interval claims the
// rest at its next ticks, each after a renewal: it never lets the leases it holds
// run out while it starts others.
func TestSlowStartsClaimOverSeveralTicks(t *testing.T) {
	t.Parallel()
	ids := sessionIDs(100)
	store, c := world(t, ids...)
	a := newNode(t, store, c, "A", 0)
	// Each start moves the clock, also those started together: 25 s to start all,
	// longer than the TTL, and 4 s for one batch of 16, within an interval.
	a.rt.startTakes = 250 * time.Millisecond
	a.join(t)
	for range 10 { // each tick comes late, as soon as the one before ends
		a.tick(t)
	}
	if got := owned(t, store, c, "A"); !slices.Equal(got, ids) {
		t.Fatalf("A owns %d of the 100 sessions: %v", len(got), got)
	}
	if got := a.rt.events(); len(got) != len(ids) || slices.ContainsFunc(got, func(e string) bool { return !strings.HasPrefix(e, "start ") }) {
		t.Fatalf("A did %v; want each session started once and none stopped", got)
	}
}

// pausedRenewal is a store whose renewals, once armed, wait after their statement
// until the test lets them go on.
type pausedRenewal struct {
	ports.Store
	leases *pausedLeases
}

func (s pausedRenewal) Leases() ports.LeaseRepository { return s.leases }

type pausedLeases struct {
	ports.LeaseRepository
	armed            atomic.Bool
	renewed, proceed chan struct{}
}

func (l *pausedLeases) Renew(ctx context.Context, nodeID string, now, until time.Time) ([]ports.Lease, error) {
	leases, err := l.LeaseRepository.Renew(ctx, nodeID, now, until)
	if l.armed.Load() {
		close(l.renewed)
		<-l.proceed
	}
	return leases, err
}

// A session placed on this node while it renews its leases is neither lost (its
// lease came after the renewal statement) nor adopted: it stays held and is not
// stopped or started by the renewal. (The session is stopped, as one being started
// again is, so that no claim of the tick takes it first.)
func TestPlacingDuringARenewal(t *testing.T) {
	t.Parallel()
	base, c := world(t, "s1", "new1")
	if _, err := base.Sessions().Update(t.Context(), "new1", func(s *session.Session) error { return s.Stop(false, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	store := pausedRenewal{Store: base, leases: &pausedLeases{LeaseRepository: base.Leases(),
		renewed: make(chan struct{}), proceed: make(chan struct{})}}
	a := newNode(t, store, c, "A", 0)
	a.join(t)
	a.rt.events()
	// A session nobody runs yet keeps the tick claiming, never giving up: it
	// counts its share from a listing that may come before the placement.
	unclaimed, _ := session.New("x", "OWNER", time.Now())
	if err := base.Sessions().Create(t.Context(), unclaimed); err != nil {
		t.Fatal(err)
	}
	c.step(ttl / 3)

	store.leases.armed.Store(true)
	ticked := make(chan error, 1)
	go func() { ticked <- a.Tick(t.Context()) }()
	<-store.leases.renewed
	placed := make(chan error, 1)
	go func() { _, err := a.PlaceNew(t.Context(), "new1"); placed <- err }()
	time.Sleep(100 * time.Millisecond) // room for the placement to slip between renewal and its outcome
	close(store.leases.proceed)
	if err := <-ticked; err != nil {
		t.Fatal(err)
	}
	if err := <-placed; err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Fence(t.Context(), "new1"); !ok {
		t.Fatal("A does not hold new1 it placed on itself")
	}
	if got := a.rt.events(); slices.ContainsFunc(got, func(e string) bool { return strings.Contains(e, "new1") }) {
		t.Fatalf("the tick did %v; want nothing with the placed session", got)
	}
}

// A draining node gives its sessions away (bounded per interval) and claims none.
func TestDrainingNodeGivesItsSessionsAway(t *testing.T) {
	t.Parallel()
	store, c := world(t, "s1", "s2", "s3")
	a, b := newNode(t, store, c, "A", 2), newNode(t, store, c, "B", 2)
	a.join(t)
	b.join(t)
	if err := b.Drain(t.Context(), "A"); err != nil { // any node may be asked
		t.Fatal(err)
	}
	for range 3 {
		c.step(ttl / 3)
		a.tick(t)
		b.tick(t)
	}
	if got := owned(t, store, c, "A"); len(got) != 0 {
		t.Fatalf("draining A still owns %v", got)
	}
	if got := owned(t, store, c, "B"); len(got) != 3 {
		t.Fatalf("B owns %v; want all 3", got)
	}
	views, err := a.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 2 || !views[0].Draining || views[0].ID != "A" || !views[0].Self || len(views[1].Leases) != 3 {
		t.Fatalf("nodes = %+v", views)
	}
	if err := a.Drain(t.Context(), "nobody"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("draining an unknown node: %v", err)
	}
}

// A new session goes to the least loaded live node (this one on a tie); that node
// starts it at its next renewal. An owned session keeps its owner.
func TestPlaceNewPicksTheLeastLoadedNode(t *testing.T) {
	t.Parallel()
	store, c := world(t, "s1", "s2")
	a, b := newNode(t, store, c, "A", 0), newNode(t, store, c, "B", 0)
	a.join(t) // A owns s1 and s2
	b.join(t)
	a.rt.events()
	create := func(id string) {
		s, _ := session.New(id, "OWNER", time.Now())
		if err := store.Sessions().Create(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	create("new1")
	o, err := a.PlaceNew(t.Context(), "new1")
	if err != nil || o.NodeID != "B" || o.Addr != "http://B" || o.Token != 1 {
		t.Fatalf("placing new1 from A: %+v, %v; want B", o, err)
	}
	if o, err := a.PlaceNew(t.Context(), "new1"); err != nil || o.NodeID != "B" {
		t.Fatalf("placing new1 again: %+v, %v; want it kept on B", o, err)
	}
	c.step(ttl / 3)
	b.tick(t)
	if got := b.rt.events(); !slices.Equal(got, []string{"start new1"}) {
		t.Fatalf("B started %v; want new1, placed on it", got)
	}
	create("new2")
	if o, err := a.PlaceNew(t.Context(), "new2"); err != nil || o.NodeID != "B" {
		t.Fatalf("new2 (A 2, B 1): %+v, %v; want B", o, err)
	}
	create("new3")
	if o, err := b.PlaceNew(t.Context(), "new3"); err != nil || o.NodeID != "B" {
		t.Fatalf("new3 from B on a tie (2 and 2): %+v, %v; want B, the placing node", o, err)
	}
	if _, ok := b.Fence(t.Context(), "new3"); !ok {
		t.Fatal("B does not hold the session it placed on itself")
	}
	// A holds 2, B 3 (once it renewed: new2): a new session goes to A, wherever
	// asked, unless a node was sent the request to start it there.
	b.tick(t)
	if o, err := b.NewOwner(t.Context()); err != nil || o.NodeID != "A" || o.Addr != "http://A" {
		t.Fatalf("B's NewOwner: %+v, %v; want A", o, err)
	}
	create("new4")
	if o, err := b.PlaceNew(ports.PlaceHere(t.Context()), "new4"); err != nil || o.NodeID != "B" {
		t.Fatalf("new4 sent to B to start there: %+v, %v; want B", o, err)
	}
}

// A worker whose write was fenced reports it: the node drops the session and stops
// its runtime; Leave stops the rest, then releases every lease at once.
func TestFencedAndLeave(t *testing.T) {
	t.Parallel()
	store, c := world(t, "s1", "s2")
	a := newNode(t, store, c, "A", 0)
	a.join(t)
	a.rt.events()
	a.Fenced("s1")
	if err := a.Leave(t.Context()); err != nil { // waits for the fenced stop too
		t.Fatal(err)
	}
	if got := sorted(a.rt.events()); !slices.Equal(got, []string{"stop s1 (held true)", "stop s2 (held true)"}) {
		t.Fatalf("stops %v; want s1 (fenced) and s2 (leave), each before its release", got)
	}
	if live, err := store.Leases().Live(t.Context(), c.Now()); err != nil || len(live) != 0 {
		t.Fatalf("leases after leave: %+v, %v; want none", live, err)
	}
	if views, err := a.List(t.Context()); err != nil || len(views) != 0 {
		t.Fatalf("nodes after leave: %+v, %v; want none", views, err)
	}
}

// bus is an in-process ports.Signals: every signal reaches every handler of its
// topic, as the cross-node bus does.
type bus struct {
	mu       sync.Mutex
	handlers map[string][]func(string)
}

func (b *bus) Signal(topic, key string) {
	b.mu.Lock()
	hs := slices.Clone(b.handlers[topic])
	b.mu.Unlock()
	for _, h := range hs {
		go h(key)
	}
}

func (b *bus) OnSignal(topic string, fn func(string)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handlers[topic] = append(b.handlers[topic], fn)
}

// A node told over the bus that a session was placed on it starts the session at
// once, not at its next renewal (a third of the TTL later: 20 minutes here).
func TestPlacedSessionStartsAtOnceOnItsNode(t *testing.T) {
	t.Parallel()
	store, c := world(t, "s1")
	nodeOf := func(id string) node {
		rt := &runtime{node: id, store: store, clock: c}
		return node{cluster.New(cluster.Config{NodeID: id, Addr: "http://" + id, TTL: time.Hour}, store, rt, c, slog.New(slog.DiscardHandler)), rt}
	}
	a, b := nodeOf("A"), nodeOf("B")
	signals := &bus{handlers: map[string][]func(string){}}
	a.Attach(signals)
	b.Attach(signals)
	a.join(t) // A owns s1
	b.join(t)
	a.rt.events()
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Go(func() { a.Run(ctx) })
	wg.Go(func() { b.Run(ctx) })

	s, _ := session.New("new1", "OWNER", time.Now())
	if err := store.Sessions().Create(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	placed := time.Now()
	if o, err := a.PlaceNew(t.Context(), "new1"); err != nil || o.NodeID != "B" {
		t.Fatalf("placing new1 from A: %+v, %v; want B", o, err)
	}
	appworld.Eventually(t, 0, func() bool { return slices.Contains(b.rt.events(), "start new1") },
		"B did not start new1, placed on it")
	t.Logf("started %v after the placement", time.Since(placed))
	if got := a.rt.events(); len(got) != 0 {
		t.Fatalf("A did %v; want nothing", got)
	}
}

// beats records when each heartbeat came, by the wall clock.
type beats struct {
	ports.LeaseRepository
	mu sync.Mutex
	at []time.Time
}

func (b *beats) Heartbeat(ctx context.Context, beat ports.NodeBeat) error {
	b.mu.Lock()
	b.at = append(b.at, time.Now())
	b.mu.Unlock()
	return b.LeaseRepository.Heartbeat(ctx, beat)
}

type beatStore struct {
	ports.Store
	b *beats
}

func (s beatStore) Leases() ports.LeaseRepository { return s.b }

// A node whose claims stopped at the interval's end, below its fair share (a
// takeover of many sessions, slow starts), renews and claims again at once, not an
// interval later: the sessions it is taking over have no runtime meanwhile.
func TestBehindNodeGoesOnClaimingAtOnce(t *testing.T) {
	t.Parallel()
	ids := sessionIDs(100)
	base, c := world(t, ids...)
	b := &beats{LeaseRepository: base.Leases()}
	store := beatStore{Store: base, b: b}
	const ttl = 3 * time.Second // an interval of 1 s, on the wall clock too (Run's ticker)
	// 16 starts outlast an interval.
	rt := &runtime{node: "A", store: store, clock: c, startTakes: 100 * time.Millisecond}
	a := cluster.New(cluster.Config{NodeID: "A", Addr: "http://A", TTL: ttl}, store, rt, c, slog.New(slog.DiscardHandler))
	if err := a.Join(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(owned(t, base, c, "A")); n == 0 || n == len(ids) {
		t.Fatalf("A claimed %d sessions at join; want one interval's worth", n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	appworld.Eventually(t, 20*time.Second, func() bool { return len(owned(t, base, c, "A")) == len(ids) }, "A owns every session")
	cancel()
	<-done
	b.mu.Lock()
	defer b.mu.Unlock()
	// Join's beat, the ticker's first (an interval later), then the catch-up ticks.
	for i := 2; i < len(b.at); i++ {
		if gap := b.at[i].Sub(b.at[i-1]); gap > ttl/6 {
			t.Fatalf("claims went on %v after the tick before (heartbeats %v); want at once", gap, b.at)
		}
	}
	if got := rt.events(); len(got) != len(ids) || slices.ContainsFunc(got, func(e string) bool { return !strings.HasPrefix(e, "start ") }) {
		t.Fatalf("A did %v; want each session started once and none stopped", got)
	}
}
