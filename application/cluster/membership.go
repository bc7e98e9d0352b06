package cluster

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/warest-go/warest/ports"
)

// membership is the node's loop: heartbeat, renew, claim and give up sessions.
type membership struct {
	cfg     Config
	store   ports.Store
	clock   ports.Clock
	log     *slog.Logger
	h       *holdings
	run     *runner
	started time.Time
	placed  chan struct{} // a session was placed here: renew now to start it
	// behind: the last claims stopped at the interval's end below this node's fair
	// share; the loop renews and claims again at once rather than an interval later.
	behind bool
}

// Join registers the node and takes its share of the sessions nobody runs, starting
// them, as far as one interval allows (Run goes on at once); call it before the
// workers run.
func (m *membership) Join(ctx context.Context) error {
	m.started = m.clock.Now()
	return m.Tick(ctx)
}

// Run heartbeats, renews and balances every third of the TTL until ctx ends; a
// session another node placed here is started at once (see Attach), not at the
// next interval.
func (m *membership) Run(ctx context.Context) {
	t := time.NewTicker(m.cfg.interval())
	defer t.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err = m.Tick(ctx)
			for err == nil && m.behind && ctx.Err() == nil {
				err = m.Tick(ctx)
			}
		case <-m.placed:
			err = m.renew(ctx, m.clock.Now())
		}
		if err != nil && ctx.Err() == nil {
			m.log.ErrorContext(ctx, "cluster: tick", "node", m.cfg.NodeID, "err", err)
		}
	}
}

// Tick is one interval's work: heartbeat and renew, then claim or give up sessions
// toward a fair share.
func (m *membership) Tick(ctx context.Context) error {
	now := m.clock.Now()
	if err := m.store.Leases().Heartbeat(ctx, ports.NodeBeat{ID: m.cfg.NodeID, Addr: m.cfg.Addr, StartedAt: m.started, SeenAt: now}); err != nil {
		m.expire(ctx, now)
		return err
	}
	if err := m.renew(ctx, now); err != nil {
		return err
	}
	nodes, err := m.store.Leases().Nodes(ctx, now.Add(-m.cfg.TTL), now)
	if err != nil {
		return err
	}
	if err := m.balance(ctx, nodes, now); err != nil {
		return err
	}
	return m.store.Leases().ForgetSilent(ctx, now.Add(-silentFor))
}

// renew renews this node's leases, stopping what was lost and starting what another
// node placed here. While the store cannot renew, the sessions whose leases run out
// before the next interval stop: another node may take them from then on. A
// placement on this node waits for the renewal: a lease acquired and held in
// between would be taken for lost (renewed before it existed: its runtime stopped)
// or adopted (renewed before it was held: started twice).
func (m *membership) renew(ctx context.Context, now time.Time) error {
	m.h.renewal.Lock()
	renewed, err := m.store.Leases().Renew(ctx, m.cfg.NodeID, now, now.Add(m.cfg.TTL))
	var lost, adopted []string
	if err == nil {
		lost, adopted = m.h.replace(renewed, now.Add(m.cfg.TTL))
	}
	m.h.renewal.Unlock()
	if err != nil {
		m.expire(ctx, now)
		return err
	}
	for _, id := range lost {
		m.log.WarnContext(ctx, "cluster: no longer holds a session (taken over, or deleted); stopping its runtime",
			"node", m.cfg.NodeID, "session", id)
		m.run.stop(ctx, id)
	}
	m.run.startAll(ctx, m.h, adopted)
	return nil
}

// expire stops the sessions whose leases run out before the next interval.
func (m *membership) expire(ctx context.Context, now time.Time) {
	for _, id := range m.h.expire(now.Add(m.cfg.interval())) {
		m.log.WarnContext(ctx, "cluster: cannot renew a session's lease before it runs out; stopping its runtime",
			"node", m.cfg.NodeID, "session", id)
		m.run.stop(ctx, id)
	}
}

// balance claims sessions nobody runs up to this node's fair share (the sessions
// over the live, non-draining nodes, rounded up), or gives up a bounded number
// above it; a draining node gives its sessions up and claims none.
func (m *membership) balance(ctx context.Context, nodes []ports.Node, now time.Time) error {
	draining, active, total := false, 0, 0
	for _, n := range nodes {
		total += n.Sessions
		if n.ID == m.cfg.NodeID {
			draining = n.Draining
		}
		if !n.Draining {
			active++
		}
	}
	if draining {
		m.giveUp(ctx, m.cfg.MaxMoves)
		return nil
	}
	m.behind = false
	unleased, err := m.store.Leases().Unleased(ctx, now)
	if err != nil {
		return err
	}
	total += len(unleased)
	fair := (total + max(active, 1) - 1) / max(active, 1)
	mine := m.h.count()
	// Nodes claiming at once take different sessions first.
	rand.Shuffle(len(unleased), func(i, j int) { unleased[i], unleased[j] = unleased[j], unleased[i] })
	var claimed []string // started startsAtOnce at a time
	defer func() { m.run.startAll(ctx, m.h, claimed) }()
	for _, id := range unleased {
		if len(claimed) == startsAtOnce {
			m.run.startAll(ctx, m.h, claimed)
			claimed = nil
		}
		// Claiming (and starting) stops after an interval and resumes after a
		// renewal (at once: behind): every lease here, old or just claimed, runs out
		// a TTL after this tick began, so starting a thousand sessions in one go
		// outlived them all and the node lost everything it held.
		if mine >= fair || ctx.Err() != nil {
			break
		}
		if m.clock.Now().Sub(now) >= m.cfg.interval() {
			m.behind = true
			break
		}
		claim, cancel := context.WithTimeout(ctx, claimWait)
		l, ok, err := m.store.Leases().Acquire(claim, id, m.cfg.NodeID, now, now.Add(m.cfg.TTL))
		cancel()
		if err != nil {
			m.log.WarnContext(ctx, "cluster: claim a session (trying again next interval)", "session", id, "err", err)
			continue
		}
		if !ok {
			continue // another node was faster
		}
		m.h.hold(l, now.Add(m.cfg.TTL))
		mine++
		claimed = append(claimed, id)
	}
	if mine > fair && len(unleased) == 0 {
		m.giveUp(ctx, min(mine-fair, m.cfg.MaxMoves))
	}
	return nil
}

// claimWait bounds how long a claim waits for a lease row another transaction
// locks: a node frozen or cut off inside a transaction holds the fence's share lock
// until the database ends that transaction (the store's idle-transaction timeout),
// and this loop must go on renewing and claiming others meanwhile.
const claimWait = time.Second

// giveUp releases up to n sessions for other nodes to claim. Each runtime stops
// before its lease goes, so two nodes never run a session at once.
func (m *membership) giveUp(ctx context.Context, n int) {
	ids := m.h.take(n)
	for _, id := range ids {
		m.run.stop(ctx, id)
		if err := m.store.Leases().Release(ctx, id, m.cfg.NodeID, m.clock.Now()); err != nil {
			m.log.WarnContext(ctx, "cluster: release a session (it expires instead)", "session", id, "err", err)
		}
	}
	if len(ids) > 0 {
		m.log.InfoContext(ctx, "cluster: gave sessions up to other nodes", "node", m.cfg.NodeID, "sessions", len(ids))
	}
}

// Leave stops every runtime this node holds, then releases their leases and
// forgets the node, so others take its sessions at once (graceful shutdown).
func (m *membership) Leave(ctx context.Context) error {
	for _, id := range m.h.take(-1) {
		m.run.stop(ctx, id)
	}
	m.h.stops.Wait()
	now := m.clock.Now()
	if err := m.store.Leases().ReleaseAll(ctx, m.cfg.NodeID, now); err != nil {
		return err
	}
	return m.store.Leases().Forget(ctx, m.cfg.NodeID)
}
