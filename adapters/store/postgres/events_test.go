package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
	"github.com/warest-go/warest/test/contract"
)

func TestEventPositionsSurviveReopen(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	contract.RunEventReopen(t, func(t *testing.T) ports.Store { return open(t, url) })
}

func newEvent(t *testing.T, id string) event.Envelope {
	t.Helper()
	e, err := event.New(event.MessageReceived, "s1", time.Now(), event.Legacy(`{"text":"`+id+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	e.ID = id
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

// replayer pages through the log as an API client does, remembering its cursor.
type replayer struct {
	s      ports.Store
	cursor int64
	seen   []string
}

func (r *replayer) poll(t *testing.T) []string {
	t.Helper()
	var got []string
	for {
		page, err := r.s.Events().ListAfter(context.Background(), r.cursor, 3)
		if err != nil {
			t.Error(err)
			return got
		}
		if len(page) == 0 {
			return got
		}
		for _, e := range page {
			if e.Seq <= r.cursor {
				t.Errorf("event %s at position %d after cursor %d", e.ID, e.Seq, r.cursor)
			}
			r.cursor = e.Seq
			got = append(got, e.ID)
			r.seen = append(r.seen, e.ID)
		}
	}
}

// relayOnce publishes what is unpublished, as the relay does.
func relayOnce(t *testing.T, s ports.Store) {
	t.Helper()
	un, err := s.Events().ListUnpublished(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range un {
		if err := s.Events().MarkPublished(t.Context(), []string{e.ID}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// An event appended first (lower seq) but committed after a later one used to be
// skipped by a reader whose cursor had passed the later one. It is now invisible to
// replay until published, and published after it, so it comes after it.
func TestReplayDoesNotSkipAnEventCommittedOutOfOrder(t *testing.T) {
	t.Parallel()
	s := open(t, contract.PostgresSchemaURL(t))
	ctx := t.Context()
	createSession(t, s, "s1")

	appended, commit := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(ctx, func(r ports.Repositories) error {
			if _, err := r.Events().Append(ctx, newEvent(t, "slow")); err != nil {
				return err
			}
			close(appended)
			<-commit
			return nil
		})
	}()
	<-appended
	if _, err := s.Events().Append(ctx, newEvent(t, "fast")); err != nil {
		t.Fatal(err)
	}

	reader := &replayer{s: s}
	if got := reader.poll(t); len(got) != 0 {
		t.Fatalf("replayed unpublished events %v", got)
	}
	relayOnce(t, s) // sees "fast" only: "slow" is not committed
	if got := reader.poll(t); fmt.Sprint(got) != "[fast]" {
		t.Fatalf("after the first relay pass: %v, want [fast]", got)
	}
	close(commit)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := reader.poll(t); len(got) != 0 {
		t.Fatalf("replayed unpublished events %v", got)
	}
	relayOnce(t, s)
	if got := reader.poll(t); fmt.Sprint(got) != "[slow]" {
		t.Fatalf("after the second relay pass: %v, want [slow]", got)
	}

	// The commits did race: by seq, "slow" sorts before "fast", where a seq cursor
	// that had passed "fast" would have skipped it.
	var slowSeq, fastSeq int64
	if err := s.DB().QueryRowContext(ctx, `SELECT (SELECT seq FROM events WHERE id = 'slow'), (SELECT seq FROM events WHERE id = 'fast')`).
		Scan(&slowSeq, &fastSeq); err != nil {
		t.Fatal(err)
	}
	if slowSeq >= fastSeq {
		t.Fatalf("seq of slow %d, of fast %d: the test did not commit out of seq order", slowSeq, fastSeq)
	}
}

type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, ...event.Envelope) error { return nil }

// Writers commit out of seq order while the relay publishes and a reader tails the
// log: the reader sees every event exactly once.
func TestReplayTailsConcurrentWritersWithoutLoss(t *testing.T) {
	t.Parallel()
	s := open(t, contract.PostgresSchemaURL(t))
	createSession(t, s, "s1")
	ctx, cancel := context.WithCancel(t.Context())
	relay := worker.NewRelay(s, nopPublisher{}, appworld.RealClock{}, notify.NewHub(), appworld.Discard)
	relay.Poll = time.Millisecond
	var relaying sync.WaitGroup
	relaying.Go(func() { relay.Run(ctx) })
	defer func() { cancel(); relaying.Wait() }()

	const writers, each = 8, 25
	var writing sync.WaitGroup
	for w := range writers {
		writing.Go(func() {
			for i := range each {
				err := s.InTx(ctx, func(r ports.Repositories) error {
					if _, err := r.Events().Append(ctx, newEvent(t, fmt.Sprintf("w%d-%d", w, i))); err != nil {
						return err
					}
					time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) // commit late, out of seq order
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	reader := &replayer{s: s}
	deadline := time.Now().Add(time.Minute)
	for len(reader.seen) < writers*each && time.Now().Before(deadline) && !t.Failed() {
		reader.poll(t)
	}
	writing.Wait()
	reader.poll(t)
	seen := map[string]int{}
	for _, id := range reader.seen {
		seen[id]++
	}
	for w := range writers {
		for i := range each {
			if id := fmt.Sprintf("w%d-%d", w, i); seen[id] != 1 {
				t.Errorf("event %s replayed %d times", id, seen[id])
			}
		}
	}
}

func TestOneRelayLeadsPerSchema(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	a, b := open(t, url), open(t, url)
	ctx := t.Context()
	leads := func(s *postgres.Store) (func(), bool) {
		t.Helper()
		release, ok, err := s.TryLeadRelay(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return release, ok
	}
	releaseA, ok := leads(a)
	if !ok {
		t.Fatal("first relay did not lead")
	}
	if _, ok := leads(b); ok {
		t.Fatal("second relay leads while the first does")
	}
	// Other schemas elect their own leader.
	other, ok := leads(open(t, contract.PostgresSchemaURL(t)))
	if !ok {
		t.Fatal("a relay of another schema could not lead")
	}
	other()
	releaseA()
	releaseB, ok := leads(b)
	if !ok {
		t.Fatal("second relay could not lead after the first released")
	}

	// A leader that dies (its connection ends) loses the lead to PostgreSQL.
	var terminated bool
	if err := a.DB().QueryRowContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND (classid::bigint << 32 | objid::bigint) = $1`,
		postgres.RelayLockID(b)).Scan(&terminated); err != nil || !terminated {
		t.Fatalf("terminate the leader's connection: %v, %v", terminated, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if releaseA, ok = leads(a); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lead of a dead connection was never freed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	releaseA()
	releaseB()
}

// recorder is a publisher that remembers what it published.
type recorder struct {
	mu  sync.Mutex
	ids []string
}

func (r *recorder) Publish(_ context.Context, es ...event.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range es {
		r.ids = append(r.ids, e.ID)
	}
	return nil
}

func (r *recorder) published() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

// Two nodes run relays on one schema: only the leader publishes, and when it stops
// the other takes over.
func TestRelayFollowerTakesOverWhenTheLeaderStops(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	type node struct {
		s    *postgres.Store
		pub  *recorder
		stop context.CancelFunc
		done chan struct{}
	}
	start := func() *node {
		n := &node{s: open(t, url), pub: &recorder{}, done: make(chan struct{})}
		relay := worker.NewRelay(n.s, n.pub, appworld.RealClock{}, notify.NewHub(), appworld.Discard)
		relay.Poll = 5 * time.Millisecond
		var ctx context.Context
		ctx, n.stop = context.WithCancel(context.Background())
		go func() { defer close(n.done); relay.Run(ctx) }()
		t.Cleanup(func() { n.stop(); <-n.done })
		return n
	}
	nodes := []*node{start(), start()}
	createSession(t, nodes[0].s, "s1")
	appendAndWait := func(id string) *node {
		t.Helper()
		if _, err := nodes[0].s.Events().Append(t.Context(), newEvent(t, id)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			un, err := nodes[0].s.Events().ListUnpublished(t.Context(), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(un) == 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		var by *node
		for _, n := range nodes {
			for _, got := range n.pub.published() {
				if got == id {
					if by != nil {
						t.Fatalf("both relays published %s", id)
					}
					by = n
				}
			}
		}
		if by == nil {
			t.Fatalf("no relay published %s", id)
		}
		return by
	}
	leader := appendAndWait("e1")
	for i := range 5 {
		if by := appendAndWait(fmt.Sprint("e1-", i)); by != leader {
			t.Fatal("the lead moved while the leader was running")
		}
	}
	leader.stop()
	<-leader.done
	follower := nodes[0]
	if follower == leader {
		follower = nodes[1]
	}
	if by := appendAndWait("e2"); by != follower {
		t.Fatal("the follower did not take over")
	}
	all, err := follower.s.Events().ListAfter(t.Context(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 || all[6].ID != "e2" {
		t.Fatalf("replay log %v", all)
	}
}
