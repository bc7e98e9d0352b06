package sandbox

import (
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Disconnect simulates a dropped connection: TransportDisconnected now, then
// TransportConnected after Config.ReconnectDelay. Sends fail in between.
func (n *Network) Disconnect(sessionID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.openLocked(sessionID)
	if err != nil {
		return err
	}
	st.connected = false
	n.enqueue(st, ports.TransportDisconnected{SessionID: sessionID, Reason: "sandbox: simulated connection loss", Code: "network",
		Attempt: 1, RetryIn: n.cfg.ReconnectDelay})
	c := st.client
	time.AfterFunc(n.cfg.ReconnectDelay, func() { n.reconnect(st, c) })
	return nil
}

func (n *Network) reconnect(st *sessionState, c *client) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st.client == c && c.conn.Err() == nil && st.me != nil && !st.connected {
		n.connect(st)
	}
}

// RemoteLogout simulates the phone unlinking the device: credentials are purged,
// TransportLoggedOut is delivered after anything already queued, and the client
// ends. A stopped session learns it when it starts again.
func (n *Network) RemoteLogout(sessionID, reason string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.paired(sessionID)
	if err != nil {
		return err
	}
	if reason == "" {
		reason = "sandbox: logged out from phone"
	}
	n.unpair(st)
	st.account = accountState{}
	n.endStream(st, ports.TransportLoggedOut{SessionID: sessionID, Reason: reason})
	return nil
}

// ReplaceStream simulates another client taking the session over: the session
// keeps its credentials but does not reconnect until it is started again.
func (n *Network) ReplaceStream(sessionID string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.openLocked(sessionID)
	if err != nil {
		return err
	}
	st.connected = false
	n.endStream(st, ports.TransportReplaced{SessionID: sessionID})
	return nil
}

// endStream queues the last event of a connection and lets the client finish
// delivering up to it and exit. Caller holds n.mu.
func (n *Network) endStream(st *sessionState, last ports.TransportEvent) {
	n.enqueue(st, last)
	if c := st.client; c != nil {
		c.disconnect()
		c.drainUntil = st.nextSeq
		st.client = nil
		c.wake()
	}
}

// SetFaults sets the session's injected send failures and latency.
func (n *Network) SetFaults(sessionID string, f ports.SandboxFaults) error {
	if f.SendFailureRate < 0 || f.SendFailureRate > 1 || f.Latency < 0 {
		return fault.Invalid(fault.ReasonInvalidParameter, "the failure rate must be within 0..1 and the latency not negative")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.state(sessionID).faults = f
	return nil
}
