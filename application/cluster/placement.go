package cluster

import (
	"context"
	"time"

	"github.com/warest-go/warest/ports"
)

// placement answers who owns a session, places new ones, and administers the nodes.
type placement struct {
	cfg      Config
	store    ports.Store
	clock    ports.Clock
	h        *holdings
	announce func(nodeID string) // tells a node a session was placed on it; nil: it learns at its next renewal
}

// Self is this node's id.
func (p *placement) Self() string { return p.cfg.NodeID }

// Now is the time the leases are judged by.
func (p *placement) Now() time.Time { return p.clock.Now() }

// Owner returns the session's owner while its lease is live.
func (p *placement) Owner(ctx context.Context, sessionID string) (ports.SessionOwner, bool, error) {
	return p.store.Leases().Owner(ctx, sessionID, p.clock.Now())
}

// PlaceNew leases a session nobody owns to NewOwner's node, or to this one when
// another node sent the request here to start it (ports.PlaceHere); an owned session
// keeps its owner. Another node starts a session placed on it when told (Attach),
// else at its next renewal; one placed here is this caller's to start.
func (p *placement) PlaceNew(ctx context.Context, sessionID string) (ports.SessionOwner, error) {
	if o, ok, err := p.Owner(ctx, sessionID); err != nil || ok {
		return o, err
	}
	target := ports.Node{ID: p.cfg.NodeID, Addr: p.cfg.Addr}
	if !ports.PlacedHere(ctx) {
		var err error
		if target, err = p.leastLoaded(ctx); err != nil {
			return ports.SessionOwner{}, err
		}
	}
	now := p.clock.Now()
	p.h.renewal.Lock()
	defer p.h.renewal.Unlock()
	l, ok, err := p.store.Leases().Acquire(ctx, sessionID, target.ID, now, now.Add(p.cfg.TTL))
	if err != nil {
		return ports.SessionOwner{}, err
	}
	if !ok { // placed by another node meanwhile
		o, _, err := p.Owner(ctx, sessionID)
		return o, err
	}
	switch {
	case target.ID == p.cfg.NodeID:
		p.h.hold(l, now.Add(p.cfg.TTL))
	case p.announce != nil:
		p.announce(target.ID)
	}
	return ports.SessionOwner{NodeID: l.NodeID, Addr: target.Addr, Token: l.Token, ExpiresAt: l.ExpiresAt}, nil
}

// NewOwner is the node a new session goes to now (see leastLoaded).
func (p *placement) NewOwner(ctx context.Context) (ports.SessionOwner, error) {
	n, err := p.leastLoaded(ctx)
	return ports.SessionOwner{NodeID: n.ID, Addr: n.Addr}, err
}

// leastLoaded is the live, non-draining node holding the fewest sessions: this one
// on a tie, or when it sees none.
func (p *placement) leastLoaded(ctx context.Context) (ports.Node, error) {
	now := p.clock.Now()
	nodes, err := p.store.Leases().Nodes(ctx, now.Add(-p.cfg.TTL), now)
	if err != nil {
		return ports.Node{}, err
	}
	self := ports.Node{ID: p.cfg.NodeID, Addr: p.cfg.Addr, Sessions: p.h.count()} // as it holds them now
	target, found := self, false
	for _, n := range nodes {
		if n.Draining {
			continue
		}
		if n.ID == self.ID {
			n = self
		}
		if !found || n.Sessions < target.Sessions || (n.Sessions == target.Sessions && n.ID == self.ID) {
			target, found = n, true
		}
	}
	if !found { // none live but draining ones: keep it here
		target = self
	}
	return target, nil
}

// NodeView is a live node and the sessions it holds, for the admin API.
type NodeView struct {
	ports.Node
	Self   bool          // the node answering
	Leases []ports.Lease // its live leases, by session
}

// List returns the live nodes (seen within the TTL) by id, with their leases.
func (p *placement) List(ctx context.Context) ([]NodeView, error) {
	now := p.clock.Now()
	nodes, err := p.store.Leases().Nodes(ctx, now.Add(-p.cfg.TTL), now)
	if err != nil {
		return nil, err
	}
	live, err := p.store.Leases().Live(ctx, now)
	if err != nil {
		return nil, err
	}
	byNode := map[string][]ports.Lease{}
	for _, l := range live {
		byNode[l.NodeID] = append(byNode[l.NodeID], l)
	}
	out := make([]NodeView, len(nodes))
	for i, n := range nodes {
		out[i] = NodeView{Node: n, Self: n.ID == p.cfg.NodeID, Leases: byNode[n.ID]}
	}
	return out, nil
}

// Drain asks a node to give its sessions away, a bounded number per interval, for
// the others to take; a draining node claims none. An unknown node is KindNotFound.
func (p *placement) Drain(ctx context.Context, nodeID string) error {
	return p.store.Leases().SetDraining(ctx, nodeID, true)
}
