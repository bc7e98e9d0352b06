package sandbox

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/warest-go/warest/ports"
)

// Sink retries back off from retryFirst up to retryMax; a failing event is logged
// at most once per retryLogEvery.
const (
	retryFirst    = 10 * time.Millisecond
	retryMax      = time.Second
	retryLogEvery = 10 * time.Second
)

// client is one started session: a delivery goroutine feeding the sink and, while
// unpaired, a QR rotation goroutine.
type client struct {
	id   string // the process it belongs to, see AsClient
	sink ports.TransportSink

	// ctx ends delivery (Stop, Logout, Close); conn, its child, ends the simulated
	// connection (QR rotation, reconnects) and also ends on a remote logout, when
	// delivery must go on long enough to report it.
	ctx        context.Context
	cancel     context.CancelFunc
	conn       context.Context
	disconnect context.CancelFunc
	stopQR     context.CancelFunc

	wakeup chan struct{}
	done   chan struct{} // closed when delivery has ended
	// drainUntil, once set, makes the client deliver events up to that sequence
	// number and then exit: a remotely logged-out client reports that and leaves
	// later events to its successor. Guarded by Network.mu.
	drainUntil uint64
}

func newClient(id string, sink ports.TransportSink) *client {
	ctx, cancel := context.WithCancel(context.Background())
	conn, disconnect := context.WithCancel(ctx)
	return &client{id: id, sink: sink, ctx: ctx, cancel: cancel, conn: conn, disconnect: disconnect,
		stopQR: func() {}, wakeup: make(chan struct{}, 1), done: make(chan struct{})}
}

func (c *client) wake() {
	select {
	case c.wakeup <- struct{}{}:
	default:
	}
}

// run delivers the mailbox to the sink until the client is stopped or drained.
func (n *Network) run(st *sessionState, c *client) {
	defer n.goroutines.Done()
	defer close(c.done)
	defer n.forget(c)
	for {
		st.lane.Lock()
		item, ok, finished := n.head(st, c)
		if !ok {
			st.lane.Unlock()
			if finished {
				return
			}
			select {
			case <-c.wakeup:
			case <-c.ctx.Done():
			}
			continue
		}
		delivered := c.deliver(item.ev, n.log.With("session", st.id))
		if delivered {
			n.pop(st, item.seq)
		}
		st.lane.Unlock()
		if !delivered {
			return
		}
	}
}

// head returns the next event for c, or reports that c has nothing more to do.
func (n *Network) head(st *sessionState, c *client) (item queued, ok, finished bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if c.ctx.Err() != nil {
		return queued{}, false, true
	}
	draining := c.drainUntil > 0
	if len(st.mailbox) == 0 || (draining && st.mailbox[0].seq > c.drainUntil) {
		return queued{}, false, draining
	}
	return st.mailbox[0], true, false
}

// pop removes a delivered event and runs its accepted hook. It is usually the
// head, but a restarted client may have queued its TransportConnected in front
// meanwhile, and Stop may have discarded it already.
func (n *Network) pop(st *sessionState, seq uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := slices.IndexFunc(st.mailbox, func(q queued) bool { return q.seq == seq })
	if i < 0 {
		return
	}
	accepted := st.mailbox[i].accepted
	if i == 0 {
		st.mailbox[0] = queued{}
		st.mailbox = st.mailbox[1:]
	} else {
		st.mailbox = slices.Delete(st.mailbox, i, i+1)
	}
	if accepted != nil {
		accepted()
	}
}

func (n *Network) forget(c *client) {
	c.cancel() // a drained client was never cancelled
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.clients, c)
}

// deliver hands ev to the sink until it accepts it: an error means "not stored
// yet", so the event is retried rather than dropped, and logged, since it also
// holds back the session's later events. It reports false only when the client
// was stopped first; the event then stays in the mailbox.
func (c *client) deliver(ev ports.TransportEvent, log *slog.Logger) bool {
	wait := retryFirst
	var logged time.Time
	for attempt := 1; ; attempt++ {
		err := c.sink.Handle(c.ctx, ev)
		if err == nil {
			return true
		}
		if c.ctx.Err() == nil && time.Since(logged) >= retryLogEvery {
			logged = time.Now()
			log.Warn("sandbox: the gateway did not accept an event; retrying", "event", fmt.Sprintf("%T", ev),
				"attempt", attempt, "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
			return false
		}
		wait = min(2*wait, retryMax)
	}
}
