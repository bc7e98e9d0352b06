package command

import (
	"context"
	"hash/fnv"
	"sync"

	"github.com/warest-go/warest/ports"
)

// Runtimes starts sessions' runtimes on this node, after placing a session nobody
// owns among the nodes sharing the store.
type Runtimes struct {
	s         *Sessions
	ownership ports.Ownership // nil: every session runs on this node
	starts    [64]sync.Mutex  // by session id: Resume and start take turns
}

// Resume starts a session's runtime on this node (at boot, or when it takes the
// session over from another node). It is marked starting first: the status stored
// before ("open") says nothing of what the transport finds now (it may need a QR),
// and nothing must be sent on it. A runtime already running here (a create started
// it just as this node claimed the session) is left alone: its own connection
// events keep the status, and marking it starting would hide an open connection.
func (r *Runtimes) Resume(ctx context.Context, id string) error {
	mu := r.lock(id)
	defer mu.Unlock()
	if r.s.transport.Running(ctx, id) {
		return nil
	}
	if err := r.s.markConnecting(ctx, id); err != nil {
		return err
	}
	return r.s.transport.Start(context.WithoutCancel(ctx), id, r.s.sink)
}

// start starts the session's runtime as it stands (a create or pair request).
func (r *Runtimes) start(ctx context.Context, id string) error {
	mu := r.lock(id)
	defer mu.Unlock()
	return r.s.transport.Start(context.WithoutCancel(ctx), id, r.s.sink)
}

func (r *Runtimes) lock(id string) *sync.Mutex {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	mu := &r.starts[h.Sum32()%uint32(len(r.starts))]
	mu.Lock()
	return mu
}

// runsHere places a session that has no owner (ports.Ownership.PlaceNew) and
// reports whether its runtime runs on this node. A session placed on another node
// starts there, at that node's next renewal.
func (r *Runtimes) runsHere(ctx context.Context, id string) (bool, error) {
	if r.ownership == nil {
		return true, nil
	}
	owner, err := r.ownership.PlaceNew(ctx, id)
	if err != nil {
		return false, err
	}
	return owner.NodeID == r.ownership.Self(), nil
}
