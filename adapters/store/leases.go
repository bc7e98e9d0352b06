package store

import (
	"context"
	"errors"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Leases() ports.LeaseRepository { return leases{r} }

type leases struct{ r *Repos }

func (l leases) Heartbeat(ctx context.Context, b ports.NodeBeat) error {
	err := l.r.Q.HeartbeatNode(ctx, NodeRow{ID: b.ID, Addr: b.Addr, StartedAt: b.StartedAt, SeenAt: b.SeenAt})
	return l.r.D.Wrap(err, "node heartbeat")
}

func (l leases) SetDraining(ctx context.Context, nodeID string, draining bool) error {
	n, err := l.r.Q.SetNodeDraining(ctx, NodeRow{ID: nodeID, Draining: draining})
	if err != nil {
		return l.r.D.Wrap(err, "drain node")
	}
	if n == 0 {
		return fault.NotFound(fault.ReasonNodeNotFound, "node %s not found", nodeID)
	}
	return nil
}

func (l leases) Forget(ctx context.Context, nodeID string) error {
	return l.r.D.Wrap(l.r.Q.DeleteNode(ctx, nodeID), "forget node")
}

func (l leases) ForgetSilent(ctx context.Context, before time.Time) error {
	return l.r.D.Wrap(l.r.Q.DeleteNodesSeenBefore(ctx, before), "forget silent nodes")
}

func (l leases) Nodes(ctx context.Context, since, now time.Time) ([]ports.Node, error) {
	rows, err := l.r.Q.ListLiveNodes(ctx, LeaseArg{SeenAt: since, Now: now})
	if err != nil {
		return nil, l.r.D.Wrap(err, "list nodes")
	}
	out := make([]ports.Node, len(rows))
	for i, n := range rows {
		out[i] = ports.Node{ID: n.ID, Addr: n.Addr, SeenAt: n.SeenAt, Draining: n.Draining, Sessions: int(n.Sessions)}
	}
	return out, nil
}

func (l leases) Renew(ctx context.Context, nodeID string, now, until time.Time) ([]ports.Lease, error) {
	rows, err := l.r.Q.RenewLeases(ctx, LeaseArg{NodeID: nodeID, Now: now, ExpiresAt: until})
	if err != nil {
		return nil, l.r.D.Wrap(err, "renew leases")
	}
	out := make([]ports.Lease, len(rows))
	for i, row := range rows {
		out[i] = toLease(row)
	}
	return out, nil
}

func (l leases) Acquire(ctx context.Context, sessionID, nodeID string, now, until time.Time) (ports.Lease, bool, error) {
	var row LeaseRow
	// A transaction: MySQL acquires in several statements.
	err := l.r.Atomic(ctx, func(r *Repos) error {
		var err error
		row, err = r.Q.AcquireLease(ctx, LeaseArg{SessionID: sessionID, NodeID: nodeID, AcquiredAt: now, ExpiresAt: until})
		return err
	})
	switch {
	case errors.Is(err, l.r.D.NoRows):
		return ports.Lease{}, false, nil
	case l.r.D.ForeignKeyViolation(err):
		return ports.Lease{}, false, SessionGone(sessionID)
	case err != nil:
		return ports.Lease{}, false, l.r.D.Wrap(err, "acquire lease")
	}
	return toLease(row), true, nil
}

func (l leases) Release(ctx context.Context, sessionID, nodeID string, now time.Time) error {
	_, err := l.r.Q.ReleaseLease(ctx, LeaseArg{SessionID: sessionID, NodeID: nodeID, Now: now})
	return l.r.D.Wrap(err, "release lease")
}

func (l leases) ReleaseAll(ctx context.Context, nodeID string, now time.Time) error {
	return l.r.D.Wrap(l.r.Q.ReleaseNodeLeases(ctx, LeaseArg{NodeID: nodeID, Now: now}), "release leases")
}

func (l leases) Owner(ctx context.Context, sessionID string, now time.Time) (ports.SessionOwner, bool, error) {
	row, err := l.r.Q.GetSessionOwner(ctx, LeaseArg{SessionID: sessionID, Now: now})
	if errors.Is(err, l.r.D.NoRows) {
		return ports.SessionOwner{}, false, nil
	}
	if err != nil {
		return ports.SessionOwner{}, false, l.r.D.Wrap(err, "session owner")
	}
	return ports.SessionOwner{NodeID: row.NodeID, Addr: row.Addr, Token: row.Token, ExpiresAt: row.ExpiresAt}, true, nil
}

func (l leases) Live(ctx context.Context, now time.Time) ([]ports.Lease, error) {
	rows, err := l.r.Q.ListLiveLeases(ctx, now)
	if err != nil {
		return nil, l.r.D.Wrap(err, "list leases")
	}
	out := make([]ports.Lease, len(rows))
	for i, row := range rows {
		out[i] = toLease(row)
	}
	return out, nil
}

func (l leases) Unleased(ctx context.Context, now time.Time) ([]string, error) {
	ids, err := l.r.Q.ListUnleasedSessions(ctx, now)
	return ids, l.r.D.Wrap(err, "list unleased sessions")
}

func toLease(row LeaseRow) ports.Lease {
	return ports.Lease{SessionID: row.SessionID, NodeID: row.NodeID, Token: row.Token,
		AcquiredAt: row.AcquiredAt, ExpiresAt: row.ExpiresAt}
}

// checkFence refuses the transaction of a worker whose fence (ports.WithFence) is
// older than the session's lease: another node took the session over. It runs in
// the transaction, before fn's writes, and its share lock (PostgreSQL, MySQL) holds
// a takeover back until the transaction ends. A session without a lease row is not
// fenced: it has no other owner.
func checkFence(ctx context.Context, r *Repos) error {
	f, ok := ports.FenceOf(ctx)
	if !ok {
		return nil
	}
	token, err := r.Q.FenceToken(ctx, f.SessionID)
	switch {
	case errors.Is(err, r.D.NoRows):
		return nil
	case err != nil:
		return r.D.Wrap(err, "fence check")
	case token != f.Token:
		return fault.Conflict(fault.ReasonFenced, "session %s is owned by another node now (lease token %d, this write's %d)",
			f.SessionID, token, f.Token)
	}
	return nil
}
