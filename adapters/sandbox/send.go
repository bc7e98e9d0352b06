package sandbox

import (
	"context"
	"slices"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Send posts m into its chat once per message id: peers get it as an inbound
// message and the session gets a delivery receipt per peer. A repeated id returns
// the first receipt and changes nothing but the attempts log. Injected faults
// apply first.
func (n *Network) Send(ctx context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	if m.ID == "" {
		return ports.SendReceipt{}, fault.Invalid(fault.ReasonMissingParameter, "message id is required")
	}
	if err := m.Content.Validate(); err != nil {
		return ports.SendReceipt{}, err
	}
	if err := sleep(ctx, n.latency(sessionID)); err != nil {
		return ports.SendReceipt{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.connectedLocked(ctx, sessionID)
	if err != nil {
		return ports.SendReceipt{}, err
	}
	r, dup := st.receipts[m.ID]
	st.attempts = append(st.attempts, ports.SandboxSendAttempt{ID: m.ID, At: n.now(), Repeat: dup, Client: st.client.id})
	if dup {
		return r, nil
	}
	if rate := st.faults.SendFailureRate; rate > 0 && n.rng.Float64() < rate {
		return ports.SendReceipt{}, fault.New(fault.KindUnavailable, fault.ReasonSendFailed, "sandbox: injected send failure")
	}
	if err := n.post(st.me, "", m.To, m.ID, m.Content); err != nil {
		return ports.SendReceipt{}, err
	}
	receipt := ports.SendReceipt{ID: m.ID, Timestamp: n.now()}
	if st.receipts == nil {
		st.receipts = map[string]ports.SendReceipt{}
	}
	st.receipts[m.ID] = receipt
	st.sent = append(st.sent, m)
	return receipt, nil
}

func (n *Network) latency(sessionID string) time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st, ok := n.sessions[sessionID]; ok {
		return st.faults.Latency
	}
	return 0
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sent returns the messages a session sent, oldest first.
func (n *Network) Sent(sessionID string) []message.Outbound {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st, ok := n.sessions[sessionID]; ok {
		return slices.Clone(st.sent)
	}
	return nil
}

// Attempts returns every send of the session that reached the network, oldest
// first, repeats included.
func (n *Network) Attempts(sessionID string) []ports.SandboxSendAttempt {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st, ok := n.sessions[sessionID]; ok {
		return slices.Clone(st.attempts)
	}
	return nil
}

// connectedLocked returns the session's state if the calling client (AsClient)
// runs it and it is paired and connected: like WhatsApp, the network takes a
// device's traffic only over that device's live connection. Caller holds n.mu.
func (n *Network) connectedLocked(ctx context.Context, sessionID string) (*sessionState, error) {
	st, err := n.openLocked(sessionID)
	if err == nil && st.client.id != clientOf(ctx) {
		return nil, notRunningHere(sessionID)
	}
	return st, err
}

// openLocked returns the session's state if some client runs it and it is paired
// and connected. Caller holds n.mu.
func (n *Network) openLocked(sessionID string) (*sessionState, error) {
	st, ok := n.sessions[sessionID]
	switch {
	case !ok || st.client == nil:
		return nil, fault.FailedPrecondition(fault.ReasonSessionNotOpen, "session %s is not started", sessionID)
	case st.me == nil:
		return nil, fault.FailedPrecondition(fault.ReasonNotPaired, "session %s is not paired", sessionID)
	case !st.connected:
		return nil, fault.New(fault.KindUnavailable, fault.ReasonSessionNotOpen, "session %s is reconnecting", sessionID)
	}
	return st, nil
}

// paired returns a paired session's state, started or not: the phone acts on it
// even while the gateway is away. Caller holds n.mu.
func (n *Network) paired(sessionID string) (*sessionState, error) {
	st, ok := n.sessions[sessionID]
	if !ok || st.me == nil {
		return nil, fault.FailedPrecondition(fault.ReasonNotPaired, "session %s is not paired", sessionID)
	}
	return st, nil
}
