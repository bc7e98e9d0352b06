package contract

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// leaseTests check session ownership: nodes, leases and the fence of worker writes.
// Times are steps of a clock the test holds (lt), as each node passes its own.
var leaseTests = []struct {
	name string
	run  func(t *testing.T, s ports.Store)
}{
	{"lease/acquire leases a new session with token 1 and refuses a live lease to anyone", leaseAcquire},
	{"lease/an expired lease is taken over with the next token", leaseTakeOver},
	{"lease/nodes racing for one session: exactly one wins", leaseRace},
	{"lease/renew extends only the node's live leases and returns them", leaseRenew},
	{"lease/release ends the holder's lease now and leaves others' alone", leaseRelease},
	{"lease/owner, nodes with their lease counts, draining and forgetting", leaseNodes},
	{"lease/unleased lists auto-start sessions no live lease holds; a deleted session loses its lease", leaseUnleased},
	{"fence/a write under an older token is refused and writes nothing, in a transaction and a group", fenceRefuses},
}

func beat(t *testing.T, s ports.Store, id string, seen time.Time) {
	t.Helper()
	must(t, s.Leases().Heartbeat(t.Context(), ports.NodeBeat{ID: id, Addr: "http://" + id + ":7308", StartedAt: lt(0), SeenAt: seen}))
}

func acquire(t *testing.T, s ports.Store, sessionID, nodeID string, now, until time.Time) (ports.Lease, bool) {
	t.Helper()
	l, ok, err := s.Leases().Acquire(t.Context(), sessionID, nodeID, now, until)
	must(t, err)
	return l, ok
}

func leaseAcquire(t *testing.T, s ports.Store) {
	ensureSession(t, s, "s1")
	l, ok := acquire(t, s, "s1", "n1", lt(0), lt(15))
	if !ok || l.SessionID != "s1" || l.NodeID != "n1" || l.Token != 1 || !l.AcquiredAt.Equal(lt(0)) || !l.ExpiresAt.Equal(lt(15)) {
		t.Fatalf("acquire = %+v, %v; want s1 leased to n1, token 1, from 0 s until 15 s", l, ok)
	}
	for _, node := range []string{"n2", "n1"} {
		if l, ok := acquire(t, s, "s1", node, lt(14), lt(29)); ok {
			t.Fatalf("%s acquired a live lease: %+v", node, l)
		}
	}
	if _, _, err := s.Leases().Acquire(t.Context(), "nobody", "n1", lt(0), lt(15)); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("acquire of a missing session: %v, want not found", err)
	}
}

func leaseTakeOver(t *testing.T, s ports.Store) {
	ensureSession(t, s, "s1")
	acquire(t, s, "s1", "n1", lt(0), lt(15))
	l, ok := acquire(t, s, "s1", "n2", lt(15), lt(30)) // expired exactly now
	if !ok || l.NodeID != "n2" || l.Token != 2 || !l.AcquiredAt.Equal(lt(15)) {
		t.Fatalf("takeover = %+v, %v; want n2 with token 2", l, ok)
	}
	// The old holder's renewal finds nothing: it lost the session.
	held, err := s.Leases().Renew(t.Context(), "n1", lt(16), lt(31))
	must(t, err)
	if len(held) != 0 {
		t.Fatalf("n1 renewed %+v after the takeover", held)
	}
	if l, ok := acquire(t, s, "s1", "n1", lt(30), lt(45)); !ok || l.Token != 3 {
		t.Fatalf("second takeover = %+v, %v; want token 3", l, ok)
	}
}

func leaseRace(t *testing.T, s ports.Store) {
	for round := range 5 {
		id := fmt.Sprint("race", round)
		ensureSession(t, s, id)
		if round%2 == 1 { // half the rounds race for an expired lease, the others for a new one
			acquire(t, s, id, "old", lt(0), lt(1))
		}
		const nodes = 8
		won := make([]bool, nodes)
		var wg sync.WaitGroup
		for i := range nodes {
			wg.Go(func() {
				_, ok, err := s.Leases().Acquire(t.Context(), id, fmt.Sprint("n", i), lt(10), lt(25))
				if err != nil {
					t.Error(err)
				}
				won[i] = ok
			})
		}
		wg.Wait()
		if n := len(slices.DeleteFunc(won, func(w bool) bool { return !w })); n != 1 {
			t.Fatalf("round %d: %d nodes won the lease, want exactly 1", round, n)
		}
	}
}

func leaseRenew(t *testing.T, s ports.Store) {
	ctx := t.Context()
	for _, id := range []string{"a", "b", "c", "d"} {
		ensureSession(t, s, id)
	}
	acquire(t, s, "a", "n1", lt(0), lt(15))
	acquire(t, s, "b", "n1", lt(0), lt(15))
	acquire(t, s, "c", "n1", lt(0), lt(5)) // runs out before the renewal
	acquire(t, s, "d", "n2", lt(0), lt(35))
	held, err := s.Leases().Renew(ctx, "n1", lt(10), lt(25))
	must(t, err)
	slices.SortFunc(held, func(x, y ports.Lease) int { return compare(x.SessionID, y.SessionID) })
	if len(held) != 2 || held[0].SessionID != "a" || held[1].SessionID != "b" ||
		!held[0].ExpiresAt.Equal(lt(25)) || held[0].Token != 1 || held[0].NodeID != "n1" {
		t.Fatalf("renew = %+v; want a and b until 25 s", held)
	}
	// n2 could not take a or b at 20 s (renewed), but takes c (expired).
	if _, ok := acquire(t, s, "a", "n2", lt(20), lt(35)); ok {
		t.Fatal("n2 took a renewed lease")
	}
	if l, ok := acquire(t, s, "c", "n2", lt(20), lt(35)); !ok || l.Token != 2 {
		t.Fatalf("n2 took c = %+v, %v; want token 2", l, ok)
	}
	live, err := s.Leases().Live(ctx, lt(20))
	must(t, err)
	var got []string
	for _, l := range live {
		got = append(got, l.NodeID+"/"+l.SessionID)
	}
	equal(t, got, []string{"n1/a", "n1/b", "n2/c", "n2/d"})
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func leaseRelease(t *testing.T, s ports.Store) {
	ctx := t.Context()
	for _, id := range []string{"a", "b", "c"} {
		ensureSession(t, s, id)
		acquire(t, s, id, "n1", lt(0), lt(15))
	}
	must(t, s.Leases().Release(ctx, "a", "n2", lt(1))) // not n2's: nothing happens
	if _, ok := acquire(t, s, "a", "n2", lt(2), lt(17)); ok {
		t.Fatal("a release by a node that does not hold the lease freed it")
	}
	must(t, s.Leases().Release(ctx, "a", "n1", lt(3)))
	if l, ok := acquire(t, s, "a", "n2", lt(3), lt(18)); !ok || l.Token != 2 {
		t.Fatalf("after release: %+v, %v; want n2 with token 2", l, ok)
	}
	must(t, s.Leases().ReleaseAll(ctx, "n1", lt(4)))
	held, err := s.Leases().Renew(ctx, "n1", lt(4), lt(19))
	must(t, err)
	if len(held) != 0 {
		t.Fatalf("n1 still holds %+v after releasing all", held)
	}
	live, err := s.Leases().Live(ctx, lt(4))
	must(t, err)
	if len(live) != 1 || live[0].SessionID != "a" || live[0].NodeID != "n2" {
		t.Fatalf("live after release all = %+v; want only n2's a", live)
	}
}

func leaseNodes(t *testing.T, s ports.Store) {
	ctx := t.Context()
	beat(t, s, "n1", lt(0))
	beat(t, s, "n2", lt(0))
	beat(t, s, "n3", lt(0))
	beat(t, s, "n1", lt(10)) // a second beat updates the node
	beat(t, s, "n2", lt(10))
	for _, id := range []string{"a", "b", "c"} {
		ensureSession(t, s, id)
	}
	acquire(t, s, "a", "n1", lt(10), lt(25))
	acquire(t, s, "b", "n1", lt(10), lt(25))
	acquire(t, s, "c", "n2", lt(10), lt(12))
	must(t, s.Leases().SetDraining(ctx, "n2", true))
	if err := s.Leases().SetDraining(ctx, "nobody", true); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("draining an unknown node: %v, want not found", err)
	}
	nodes, err := s.Leases().Nodes(ctx, lt(5), lt(13)) // n3 is silent since 0 s; c expired at 12 s
	must(t, err)
	if len(nodes) != 2 || nodes[0].ID != "n1" || nodes[0].Sessions != 2 || nodes[0].Draining ||
		nodes[0].Addr != "http://n1:7308" || !nodes[0].SeenAt.Equal(lt(10)) ||
		nodes[1].ID != "n2" || nodes[1].Sessions != 0 || !nodes[1].Draining {
		t.Fatalf("nodes = %+v; want n1 with 2 sessions, n2 draining with none", nodes)
	}
	beat(t, s, "n2", lt(11)) // a heartbeat keeps the draining flag
	if nodes, err = s.Leases().Nodes(ctx, lt(5), lt(13)); err != nil || !nodes[1].Draining {
		t.Fatalf("after a heartbeat: %+v, %v; want n2 still draining", nodes, err)
	}
	o, ok, err := s.Leases().Owner(ctx, "a", lt(13))
	must(t, err)
	if !ok || o.NodeID != "n1" || o.Addr != "http://n1:7308" || o.Token != 1 || !o.ExpiresAt.Equal(lt(25)) {
		t.Fatalf("owner of a = %+v, %v", o, ok)
	}
	if o, ok, err := s.Leases().Owner(ctx, "c", lt(13)); err != nil || ok {
		t.Fatalf("owner of an expired lease = %+v, %v, %v; want none", o, ok, err)
	}
	must(t, s.Leases().ForgetSilent(ctx, lt(5)))
	must(t, s.Leases().Forget(ctx, "n2"))
	if nodes, err = s.Leases().Nodes(ctx, lt(-100), lt(13)); err != nil || len(nodes) != 1 || nodes[0].ID != "n1" {
		t.Fatalf("after forgetting n2 and silent n3: %+v, %v; want n1 only", nodes, err)
	}
}

func leaseUnleased(t *testing.T, s ports.Store) {
	ctx := t.Context()
	for _, id := range []string{"a", "b", "c", "d"} {
		ensureSession(t, s, id)
	}
	_, err := s.Sessions().Update(ctx, "d", func(x *session.Session) error { return x.Stop(false, lt(1)) })
	must(t, err)
	acquire(t, s, "a", "n1", lt(0), lt(15))
	acquire(t, s, "b", "n1", lt(0), lt(5))
	ids, err := s.Leases().Unleased(ctx, lt(10))
	must(t, err)
	equal(t, ids, []string{"b", "c"}) // d does not start by itself
	must(t, s.Sessions().Delete(ctx, "a"))
	if live, err := s.Leases().Live(ctx, lt(10)); err != nil || len(live) != 0 {
		t.Fatalf("live after deleting a = %+v, %v; want none", live, err)
	}
}

// fenceRefuses: n1 held s1 under token 1 and n2 took it over (token 2). n1's
// writes under token 1 are refused and leave nothing; n2's go through.
func fenceRefuses(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	old, _ := acquire(t, s, "s1", "n1", lt(0), lt(15))
	cur, ok := acquire(t, s, "s1", "n2", lt(20), lt(35))
	if !ok {
		t.Fatal("takeover failed")
	}
	write := func(ctx context.Context, r ports.Repositories, n int) error {
		e := newEvent(n)
		e.SessionID = "s1"
		_, err := r.Events().Append(ctx, e)
		return err
	}
	stale := ports.WithFence(ctx, ports.Fence{SessionID: "s1", Token: old.Token})
	isFenced := func(what string, err error) {
		t.Helper()
		if fe, ok := fault.As(err); !ok || fe.Kind != fault.KindConflict || fe.Reason != fault.ReasonFenced {
			t.Fatalf("%s under the old token: %v, want conflict %s", what, err, fault.ReasonFenced)
		}
	}
	isFenced("InTx", s.InTx(stale, func(r ports.Repositories) error { return write(stale, r, 1) }))
	isFenced("InGroupTx", s.InGroupTx(stale, "s1", func(ctx context.Context, r ports.Repositories) error { return write(ctx, r, 2) }))
	_, err := s.Sessions().Update(stale, "s1", func(x *session.Session) error { return x.Stop(false, lt(21)) })
	isFenced("Sessions().Update", err)
	// Concurrent group calls: the stale one fails alone.
	fresh := ports.WithFence(ctx, ports.Fence{SessionID: "s1", Token: cur.Token})
	var wg sync.WaitGroup
	var staleErr, freshErr error
	wg.Go(func() {
		staleErr = s.InGroupTx(stale, "s1", func(ctx context.Context, r ports.Repositories) error { return write(ctx, r, 3) })
	})
	wg.Go(func() {
		freshErr = s.InGroupTx(fresh, "s1", func(ctx context.Context, r ports.Repositories) error { return write(ctx, r, 4) })
	})
	wg.Wait()
	isFenced("a group call", staleErr)
	must(t, freshErr)
	must(t, s.InTx(fresh, func(r ports.Repositories) error { return write(fresh, r, 5) }))
	for _, n := range []int{1, 2, 3} {
		if _, err := s.Events().Get(ctx, newEvent(n).ID); !fault.Is(err, fault.KindNotFound) {
			t.Fatalf("event %d written under the old token: %v", n, err)
		}
	}
	for _, n := range []int{4, 5} {
		if _, err := s.Events().Get(ctx, newEvent(n).ID); err != nil {
			t.Fatalf("event %d under the current token: %v", n, err)
		}
	}
	if sess, err := s.Sessions().Get(ctx, "s1"); err != nil || sess.Status() == session.StatusStopped {
		t.Fatalf("session after a fenced update: %v, %v; want unchanged", sess, err)
	}
}

// lt is a step of the lease tests' clock, in whole milliseconds: expiries are
// compared in the database, and these tests step exactly onto them.
func lt(seconds int) time.Time { return ms(at(seconds)) }
