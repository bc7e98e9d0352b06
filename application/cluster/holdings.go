package cluster

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/warest-go/warest/ports"
)

// holdings are the leases this node holds, as it knows them, and the last token of
// those it lost: its late writes for them carry it, so the store refuses them once
// another node owns the session.
type holdings struct {
	clock  ports.Clock
	run    *runner
	log    *slog.Logger
	nodeID string

	// renewal keeps a renewal and a placement on this node apart (membership.renew).
	renewal sync.Mutex

	mu    sync.Mutex
	held  map[string]held
	lost  map[string]int64
	stops sync.WaitGroup // runtime stops in flight (Fenced)
}

// held is a lease of this node: live until until by its own clock.
type held struct {
	token int64
	until time.Time
}

// Fence returns ctx carrying the fence of this node's lease on the session; ok
// reports whether the lease is held and live by this node's clock. A session it
// lost keeps its last token; one it never held gets no fence.
func (h *holdings) Fence(ctx context.Context, sessionID string) (context.Context, bool) {
	now := h.clock.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.held[sessionID]; ok {
		return ports.WithFence(ctx, ports.Fence{SessionID: sessionID, Token: l.token}), now.Before(l.until)
	}
	if token, ok := h.lost[sessionID]; ok {
		return ports.WithFence(ctx, ports.Fence{SessionID: sessionID, Token: token}), false
	}
	return ctx, false
}

// Fenced drops a session whose write the store refused (another node owns it now)
// and stops its runtime, in the background: the caller may be the runtime itself.
func (h *holdings) Fenced(sessionID string) {
	h.mu.Lock()
	l, ok := h.held[sessionID]
	if ok {
		h.lost[sessionID] = l.token
		delete(h.held, sessionID)
	}
	h.mu.Unlock()
	if !ok {
		return
	}
	h.log.Warn("cluster: another node owns the session now; stopping its runtime", "node", h.nodeID, "session", sessionID)
	h.stops.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		h.run.stop(ctx, sessionID)
	})
}

func (h *holdings) hold(l ports.Lease, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held[l.SessionID] = held{token: l.Token, until: until}
	delete(h.lost, l.SessionID)
}

func (h *holdings) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.held)
}

// replace makes the held leases what the store renewed until until, and returns
// the sessions no longer renewed (lost) and those renewed but unknown here
// (adopted: placed here by another node).
func (h *holdings) replace(renewed []ports.Lease, until time.Time) (lost, adopted []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	keep := make(map[string]held, len(renewed))
	for _, l := range renewed {
		if _, ok := h.held[l.SessionID]; !ok {
			adopted = append(adopted, l.SessionID)
		}
		keep[l.SessionID] = held{token: l.Token, until: until}
	}
	for id, l := range h.held {
		if _, ok := keep[id]; !ok {
			lost = append(lost, id)
			h.lost[id] = l.token
		}
	}
	h.held = keep
	return lost, adopted
}

// expire drops the leases that run out by deadline and returns them.
func (h *holdings) expire(deadline time.Time) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for id, l := range h.held {
		if !deadline.Before(l.until) {
			ids = append(ids, id)
			h.lost[id] = l.token
			delete(h.held, id)
		}
	}
	return ids
}

// take drops up to n held leases (n < 0: all) and returns them, to be released.
func (h *holdings) take(n int) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for id, l := range h.held {
		if len(ids) == n {
			break
		}
		ids = append(ids, id)
		h.lost[id] = l.token
		delete(h.held, id)
	}
	return ids
}
