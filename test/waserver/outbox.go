package waserver

import (
	"context"
	"sync"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// outbox holds what the server owes one device, oldest first: a stanza stays until
// the device acknowledges it, so one sent on a connection that then drops is sent
// again on the next login.
type outbox struct {
	mu      sync.Mutex
	pending []queued
	conn    *conn // the device's logged-in connection, nil while offline
	ctx     context.Context
}

// queued is one stanza and what identifies the device's acknowledgement of it:
// WhatsApp acks by class (the stanza's tag), id, the stanza's sender and, for
// receipts, their type.
type queued struct {
	node    waBinary.Node
	class   string
	id      string
	from    types.JID
	receipt string // a receipt's type, "" for a delivery receipt
}

func (s *Server) outbox(key string) *outbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	ob := s.outboxes[key]
	if ob == nil {
		ob = &outbox{}
		s.outboxes[key] = ob
	}
	return ob
}

// deliver queues node for the device key and sends it now when the device is
// online; with lose, it cuts the device's connection instead (see LoseNext).
func (s *Server) deliver(key string, node waBinary.Node, lose bool) {
	q := queued{node: node, class: node.Tag}
	q.id, _ = node.Attrs["id"].(string)
	q.from, _ = node.Attrs["from"].(types.JID)
	q.receipt, _ = node.Attrs["type"].(string)
	ob := s.outbox(key)
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ob.pending = append(ob.pending, q)
	switch {
	case ob.conn != nil && lose:
		_ = ob.conn.frames.ws.CloseNow()
	case ob.conn != nil:
		_ = ob.conn.send(ob.ctx, node) // on failure it stays queued for the next login
	}
}

// sendNow sends node to the device key if it is online, and forgets it: for what
// WhatsApp does not keep for offline devices (presence, chat states).
func (s *Server) sendNow(key string, node waBinary.Node) {
	ob := s.outbox(key)
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if ob.conn != nil {
		_ = ob.conn.send(ob.ctx, node)
	}
}

// attach binds a logged-in connection to its device's outbox and sends everything
// still unacknowledged, in order.
func (c *conn) attach(ctx context.Context) {
	ob := c.srv.outbox(c.device.key())
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ob.conn, ob.ctx = c, ctx
	for _, q := range ob.pending {
		if c.send(ctx, q.node) != nil {
			return
		}
	}
}

func (c *conn) detach() {
	c.srv.mu.Lock()
	ob := c.srv.outboxes[c.device.key()]
	c.srv.mu.Unlock()
	if ob == nil {
		return
	}
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if ob.conn == c {
		ob.conn, ob.ctx = nil, nil
	}
}

// acknowledged drops the oldest pending stanza the device acknowledged: of class,
// with id, sent from the user of from, and for a receipt of type receipt.
func (c *conn) acknowledged(class, id string, from types.JID, receipt string) {
	ob := c.srv.outbox(c.device.key())
	ob.mu.Lock()
	defer ob.mu.Unlock()
	for i, q := range ob.pending {
		if q.class == class && q.id == id && q.from.User == from.User && (class != "receipt" || q.receipt == receipt) {
			ob.pending = append(ob.pending[:i:i], ob.pending[i+1:]...)
			return
		}
	}
}

// Pending is how many stanzas the server holds for the device jid that it has not
// acknowledged yet.
func (s *Server) Pending(jid types.JID) int {
	s.mu.Lock()
	d := s.deviceLocked(jid)
	s.mu.Unlock()
	if d == nil {
		return 0
	}
	ob := s.outbox(d.key())
	ob.mu.Lock()
	defer ob.mu.Unlock()
	return len(ob.pending)
}
