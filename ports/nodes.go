package ports

import (
	"context"
	"time"
)

// Node is one gateway process sharing the store with others.
type Node struct {
	ID       string    // stable for the life of the process
	Addr     string    // base URL other nodes reach its HTTP API on, e.g. http://10.0.0.5:7308
	SeenAt   time.Time // its last heartbeat
	Draining bool      // an admin asked it to give its sessions away
	Sessions int       // sessions it holds a live lease on
}

// SessionOwner is the node holding a session's lease. Token is the fencing token:
// it increases on every takeover, and the store refuses a worker's write made under
// an older one.
type SessionOwner struct {
	NodeID    string
	Addr      string
	Token     int64
	ExpiresAt time.Time
}

// Ownership answers which node runs a session's live connection. Operations that
// need the connection (QR, pair code, group/profile calls, presence) run on the
// owner; another node forwards them there, or answers 503 while nobody owns it.
type Ownership interface {
	// Self is this node's id.
	Self() string
	// Owner returns the session's owner while its lease is live; ok is false when
	// no live node holds it (never leased, released, or expired).
	Owner(ctx context.Context, sessionID string) (owner SessionOwner, ok bool, err error)
	// PlaceNew chooses the owner of a session that has none (NewOwner, or this node
	// for a request another node sent here to start it: PlaceHere) and leases it to
	// that node; a session already owned keeps its owner.
	PlaceNew(ctx context.Context, sessionID string) (SessionOwner, error)
	// NewOwner is the node a new session goes to now: the least loaded live,
	// non-draining one, this one on a tie. It leases nothing: a session that does not
	// exist yet has no row to lease, so the request creating it is sent there.
	NewOwner(ctx context.Context) (SessionOwner, error)
}

type placeHereKey struct{}

// PlaceHere marks ctx as a request another node sent to this one to start a session
// here (its NewOwner): PlaceNew leases the session to this node.
func PlaceHere(ctx context.Context) context.Context {
	return context.WithValue(ctx, placeHereKey{}, true)
}

// PlacedHere reports whether ctx is such a request.
func PlacedHere(ctx context.Context) bool { here, _ := ctx.Value(placeHereKey{}).(bool); return here }
