// Package cluster runs this node's share of the sessions when several gateways
// share one store: it owns sessions through leases (ports.LeaseRepository), renews
// them, claims the ones nobody runs, gives some up when others have fewer, and
// hands the session workers the fencing token their writes carry. On SQLite and
// MySQL, where one node serves the database, the same code simply owns everything.
package cluster

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/warest-go/warest/ports"
)

// Config is this node's identity and the lease timing.
type Config struct {
	NodeID string        // "" picks a random one per process
	Addr   string        // base URL other nodes reach this one's API on
	TTL    time.Duration // lease lifetime; renewed every TTL/3; 0: 15 s
	// MaxMoves bounds the sessions this node gives up per interval (rebalancing,
	// draining), so a joining node gets its share without a storm of reconnects; 0: 5.
	MaxMoves int
}

// DefaultTTL is the lease lifetime when none is configured.
const DefaultTTL = 15 * time.Second

// silentFor is how long a node may stay silent before its row is deleted.
const silentFor = time.Hour

// Runtime starts and stops sessions' live connections on this node.
type Runtime interface {
	// Resume marks the session starting and starts its runtime (as at boot).
	Resume(ctx context.Context, sessionID string) error
	// Stop disconnects the session's runtime, keeping its credentials.
	Stop(ctx context.Context, sessionID string) error
}

// Cluster is this node's ownership of sessions. It implements ports.Ownership and
// ports.Fences. Its parts: the leases it holds (holdings.go), its membership loop
// (membership.go) and the placement and admin of sessions and nodes (placement.go).
type Cluster struct {
	*holdings
	*membership
	*placement
}

var (
	_ ports.Ownership = (*Cluster)(nil)
	_ ports.Fences    = (*Cluster)(nil)
)

// wallClock is the leases' default clock.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// New builds the node's cluster membership; nothing happens until Join. A nil
// clock is the wall clock (with its monotonic reading, which a paused process
// cannot fool).
func New(cfg Config, store ports.Store, runtime Runtime, clock ports.Clock, log *slog.Logger) *Cluster {
	if cfg.NodeID == "" {
		cfg.NodeID = randomID()
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.MaxMoves <= 0 {
		cfg.MaxMoves = 5
	}
	if clock == nil {
		clock = wallClock{}
	}
	run := &runner{runtime: runtime, log: log}
	h := &holdings{clock: clock, run: run, log: log, nodeID: cfg.NodeID, held: map[string]held{}, lost: map[string]int64{}}
	return &Cluster{
		holdings:   h,
		membership: &membership{cfg: cfg, store: store, clock: clock, log: log, h: h, run: run, placed: make(chan struct{}, 1)},
		placement:  &placement{cfg: cfg, store: store, clock: clock, h: h},
	}
}

// TopicPlaced is the bus topic telling a node (the key) a session was placed on it.
const TopicPlaced = "cluster.placed"

// Attach tells a node over the bus when a session is placed on it, so that it starts
// the session at once rather than at its next renewal (up to a third of the TTL
// later, which a create waiting for its QR would wait out). Call it once, before
// the bus starts.
func (c *Cluster) Attach(bus ports.Signals) {
	self := c.membership.cfg.NodeID
	c.placement.announce = func(node string) { bus.Signal(TopicPlaced, node) }
	bus.OnSignal(TopicPlaced, func(node string) {
		if node != self {
			return
		}
		select {
		case c.membership.placed <- struct{}{}:
		default: // a renewal is due already
		}
	})
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = crand.Read(b) // never fails
	return hex.EncodeToString(b)
}

// interval is how often the node heartbeats and renews: a third of the TTL, so two
// renewals may fail before a lease runs out.
func (c Config) interval() time.Duration { return c.TTL / 3 }

// runner starts and stops runtimes, logging what fails.
type runner struct {
	runtime Runtime
	log     *slog.Logger
}

func (r *runner) resume(ctx context.Context, id string) {
	if err := r.runtime.Resume(ctx, id); err != nil {
		r.log.WarnContext(ctx, "cluster: could not start a session", "session", id, "err", err)
	}
}

// startsAtOnce bounds the sessions a node starts together: a takeover starts a dead
// node's share at once, each a database write and a connection, which one at a
// time would take seconds past the lease.
const startsAtOnce = 16

// startAll starts sessions the node holds, a few at once, each under its lease's fence.
func (r *runner) startAll(ctx context.Context, h *holdings, ids []string) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, startsAtOnce)
	for _, id := range ids {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			fctx, _ := h.Fence(ctx, id)
			r.resume(fctx, id)
		})
	}
	wg.Wait()
}

func (r *runner) stop(ctx context.Context, id string) {
	if err := r.runtime.Stop(context.WithoutCancel(ctx), id); err != nil {
		r.log.WarnContext(ctx, "cluster: could not stop a session", "session", id, "err", err)
	}
}
