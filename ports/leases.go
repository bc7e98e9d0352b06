package ports

import (
	"context"
	"time"
)

// Lease is a node's hold on a session: the node runs the session's live connection
// while ExpiresAt is in the future. Token is the fencing token (see SessionOwner).
type Lease struct {
	SessionID  string
	NodeID     string
	Token      int64
	AcquiredAt time.Time
	ExpiresAt  time.Time
}

// NodeBeat is a node's heartbeat.
type NodeBeat struct {
	ID        string
	Addr      string
	StartedAt time.Time
	SeenAt    time.Time
}

// LeaseRepository stores the nodes sharing a store and their session leases. Every
// time comes from the caller's clock: a lease is live while ExpiresAt > now.
type LeaseRepository interface {
	// Heartbeat creates the node or records that it is alive (SeenAt, Addr); it
	// keeps the node's draining flag.
	Heartbeat(ctx context.Context, b NodeBeat) error
	// SetDraining marks a node as draining (or not); an unknown node is KindNotFound.
	SetDraining(ctx context.Context, nodeID string, draining bool) error
	// Forget deletes a node that stops (graceful shutdown).
	Forget(ctx context.Context, nodeID string) error
	// ForgetSilent deletes the nodes last seen before before (dead for long).
	ForgetSilent(ctx context.Context, before time.Time) error
	// Nodes lists the nodes seen at or after since, by id, each with the number of
	// live leases it holds at now.
	Nodes(ctx context.Context, since, now time.Time) ([]Node, error)
	// Renew extends every live lease of the node until until, in one statement, and
	// returns them: what it still holds (in no particular order).
	Renew(ctx context.Context, nodeID string, now, until time.Time) ([]Lease, error)
	// Acquire leases a session to nodeID from now until until: a session never
	// leased gets token 1; one whose lease expired or was released is taken over
	// with the next token. A live lease (whoever holds it) is left alone and ok is
	// false, so of nodes racing for a session exactly one wins. A missing session is
	// KindNotFound.
	Acquire(ctx context.Context, sessionID, nodeID string, now, until time.Time) (l Lease, ok bool, err error)
	// Release ends the node's live lease on a session now (its token stays, so the
	// next owner gets a newer one); a lease the node does not hold is left alone.
	Release(ctx context.Context, sessionID, nodeID string, now time.Time) error
	// ReleaseAll ends every live lease of the node now.
	ReleaseAll(ctx context.Context, nodeID string, now time.Time) error
	// Owner returns the live lease of a session and its node's address; ok is false
	// when no live lease holds it.
	Owner(ctx context.Context, sessionID string, now time.Time) (owner SessionOwner, ok bool, err error)
	// Live lists the live leases at now, by node then session.
	Live(ctx context.Context, now time.Time) ([]Lease, error)
	// Unleased lists the auto-start sessions no live lease holds at now, by id.
	Unleased(ctx context.Context, now time.Time) ([]string, error)
}

// Fence is the lease a session's worker writes under: the store refuses its writes
// (KindConflict, ReasonFenced) once another node took the session over.
type Fence struct {
	SessionID string
	Token     int64
}

type fenceKey struct{}

// WithFence makes the writes of transactions run with ctx (Store.InTx, InGroupTx,
// and the repositories' own transactions) checked against f in the same transaction.
func WithFence(ctx context.Context, f Fence) context.Context {
	return context.WithValue(ctx, fenceKey{}, f)
}

// FenceOf returns the fence ctx carries, if any.
func FenceOf(ctx context.Context) (Fence, bool) {
	f, ok := ctx.Value(fenceKey{}).(Fence)
	return f, ok
}

// Fences gives a session's workers (send queue, ingest) the fence of this node's
// lease on it.
type Fences interface {
	// Fence returns ctx carrying the session's fence while this node holds a lease
	// on it that has not run out by its own clock; ok is false otherwise, and the
	// worker must neither send nor write for the session.
	Fence(ctx context.Context, sessionID string) (context.Context, bool)
	// Fenced reports that the store refused a write under the session's fence: the
	// node lost the session, and stops its runtime.
	Fenced(sessionID string)
}
