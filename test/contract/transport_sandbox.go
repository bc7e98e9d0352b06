package contract

import (
	"testing"

	"github.com/warest-go/warest/ports"
)

// SandboxWorld is the TransportWorld of a sandbox network: its control surface
// plays the phone that scans, and peers are other sessions on the same network.
func SandboxWorld(tr ports.Transport, net ports.SandboxNetwork) TransportWorld {
	return sandboxWorld{tr: tr, net: net}
}

type sandboxWorld struct {
	tr  ports.Transport
	net ports.SandboxNetwork
}

// Phones are fixed numbers: the sandbox links any.
func (sandboxWorld) Phones() Phones { return Phones{Own: "6281100000001", Peer: "6281200000002"} }

func (w sandboxWorld) Scan(t *testing.T, sessionID, qr, phone string) {
	t.Helper()
	must(t, w.net.Scan(sessionID, qr, phone, "Phone "+phone))
}

func (w sandboxWorld) ConfirmPairCode(t *testing.T, sessionID, code, _ string) {
	t.Helper()
	must(t, w.net.ConfirmPairCode(sessionID, code))
}

// Call makes the person with that phone (a virtual person or a peer) call the session.
func (w sandboxWorld) Call(t *testing.T, sessionID, phone string) string {
	t.Helper()
	id, err := w.net.ContactCall(sessionID, ports.SandboxCall{From: phone})
	must(t, err)
	return id
}

func (w sandboxWorld) Peer(t *testing.T, phone string) TransportPeer {
	t.Helper()
	return SessionPeer(t, w.tr, w, phone)
}

func (w sandboxWorld) Drop(t *testing.T, sessionID string) {
	t.Helper()
	must(t, w.net.Disconnect(sessionID))
}

func (w sandboxWorld) Replace(t *testing.T, sessionID string) {
	t.Helper()
	must(t, w.net.ReplaceStream(sessionID))
}

func (w sandboxWorld) RemoteLogout(t *testing.T, sessionID string) {
	t.Helper()
	must(t, w.net.RemoteLogout(sessionID, ""))
}
