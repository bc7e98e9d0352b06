package sandbox

import (
	"context"
	"errors"
	"slices"

	"github.com/warest-go/warest/ports"
)

// Start runs the session's client: an unpaired session emits rotating QR codes, a
// paired one connects at once and then receives what arrived while it was away.
// Started by another client (AsClient), the session's connection moves here and
// the other client's ends with TransportReplaced.
func (n *Network) Start(ctx context.Context, sessionID string, sink ports.TransportSink) error {
	if sink == nil {
		return errors.New("sandbox: nil sink")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errClosed
	}
	st := n.state(sessionID)
	id := clientOf(ctx)
	if st.client != nil {
		if st.client.id == id {
			return nil
		}
		n.replace(st, id)
	}
	c := newClient(id, sink)
	st.client = c
	n.clients[c] = struct{}{}
	n.goroutines.Add(1)
	go n.run(st, c)

	if st.me != nil {
		n.resume(st)
		return nil
	}
	n.showQR(st, c)
	return nil
}

// Running reports whether the ctx's client runs the session.
func (n *Network) Running(ctx context.Context, sessionID string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, ok := n.sessions[sessionID]
	return ok && st.client != nil && st.client.id == clientOf(ctx)
}

// Stop ends the client but keeps the credentials and any undelivered messages.
// A Handle call in progress sees its context cancelled; Stop does not wait for it.
// A session another client runs is left alone: the caller has nothing to stop.
func (n *Network) Stop(ctx context.Context, sessionID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st, ok := n.sessions[sessionID]; ok && st.client != nil && st.client.id == clientOf(ctx) {
		n.stopClient(st)
	}
	return nil
}

// Logout unlinks the device: credentials and undelivered events are purged. Like
// whatsmeow it emits no event; the caller records the logout itself. Only the
// client running the session, or any while none does, can log it out.
func (n *Network) Logout(ctx context.Context, sessionID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, ok := n.sessions[sessionID]
	if !ok {
		return nil
	}
	if st.client != nil && st.client.id != clientOf(ctx) {
		return notRunningHere(sessionID)
	}
	n.stopClient(st)
	n.unpair(st)
	st.mailbox = nil
	st.account = accountState{}
	return nil
}

// Device describes the linked account; empty when the session is not paired.
func (n *Network) Device(_ context.Context, sessionID string) (ports.DeviceInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, ok := n.sessions[sessionID]
	if !ok || st.me == nil {
		return ports.DeviceInfo{}, nil
	}
	return ports.DeviceInfo{Name: st.me.name, Phone: st.me.phone, Platform: platform}, nil
}

// connect marks a paired session open and tells its sink. Caller holds n.mu.
func (n *Network) connect(st *sessionState) {
	st.connected = true
	n.enqueue(st, ports.TransportConnected{SessionID: st.id, Me: st.me.identity()})
}

// resume connects a paired session at Start. TransportConnected goes ahead of
// whatever arrived while the session was stopped, as WhatsApp delivers offline
// messages after login. Caller holds n.mu.
func (n *Network) resume(st *sessionState) {
	st.connected = true
	st.nextSeq++
	connected := ports.TransportConnected{SessionID: st.id, Me: st.me.identity()}
	st.mailbox = slices.Insert(st.mailbox, 0, queued{seq: st.nextSeq, ev: connected})
	st.client.wake()
}

// stopClient cancels the running client, if any. Connection-state events still
// queued are dropped (the next Start reports a fresh state); messages and acks stay.
// Caller holds n.mu.
func (n *Network) stopClient(st *sessionState) {
	if st.client == nil {
		return
	}
	st.client.cancel()
	st.client, st.connected = nil, false
	st.qr, st.pairCode = qrState{}, pairCodeState{}
	kept := st.mailbox[:0]
	for _, q := range st.mailbox {
		switch q.ev.(type) {
		case ports.TransportQR, ports.TransportConnected, ports.TransportDisconnected:
		default:
			kept = append(kept, q)
		}
	}
	clear(st.mailbox[len(kept):])
	st.mailbox = kept
}

// unpair forgets the session's credentials. Caller holds n.mu.
func (n *Network) unpair(st *sessionState) {
	if st.me != nil && st.me.session == st {
		st.me.session = nil
	}
	st.me, st.connected = nil, false
	st.qr, st.pairCode = qrState{}, pairCodeState{}
}
