package contract

import (
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
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

func (w sandboxWorld) ConfirmPairCode(t *testing.T, sessionID, code string) {
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
	id := "peer-" + phone
	sink := trOpen(t, w.tr, w, id, phone)
	me := WaitFor[ports.TransportConnected](t, sink, 1, nil)[0].Me
	lid, err := chat.ParseJID(me.LID)
	must(t, err)
	return &sandboxPeer{tr: w.tr, id: id, sink: sink, party: chat.Party{JID: chat.UserJID(phone), LID: lid, PushName: me.Name}}
}

// sandboxPeer is a second session on the network.
type sandboxPeer struct {
	tr    ports.Transport
	id    string
	sink  *TransportSink
	party chat.Party
}

func (p *sandboxPeer) Party() chat.Party { return p.party }

// GoOnline shows the peer's account available to those who may see it.
func (p *sandboxPeer) GoOnline(t *testing.T) {
	t.Helper()
	must(t, p.tr.SetPresence(t.Context(), p.id, true))
}

func (p *sandboxPeer) Send(t *testing.T, to chat.JID, c message.Content) string {
	t.Helper()
	if c.Target != nil {
		ref := *c.Target
		ref.Chat = to
		c.Target = &ref
	}
	return trSend(t, p.tr, p.id, to, c).ID
}

func (p *sandboxPeer) Read(t *testing.T, from chat.JID, ids []string) {
	t.Helper()
	must(t, p.tr.MarkRead(t.Context(), p.id, from, from, ids, time.Time{}))
}

func (p *sandboxPeer) Received(*testing.T) []message.Inbound {
	var out []message.Inbound
	for _, ev := range p.sink.Events() {
		if m, ok := ev.(ports.TransportMessage); ok {
			out = append(out, m.Message)
		}
	}
	return out
}
