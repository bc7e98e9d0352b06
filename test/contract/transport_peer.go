package contract

import (
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// SessionPeer is a peer played by a further session of the transport under test,
// linked by the world to the phone with that number: how every world that is no
// virtual network of its own (the sandbox, WhatsApp, a protocol test server) finds
// someone to chat with.
func SessionPeer(t *testing.T, tr ports.Transport, w TransportWorld, phone string) TransportPeer {
	t.Helper()
	id := "peer-" + phone
	sink := trOpen(t, tr, w, id, phone)
	me := WaitFor[ports.TransportConnected](t, sink, 1, nil)[0].Me
	lid, err := chat.ParseJID(me.LID)
	must(t, err)
	return &sessionPeer{tr: tr, id: id, sink: sink, party: chat.Party{JID: chat.UserJID(phone), LID: lid, PushName: me.Name},
		sent: map[string]bool{}}
}

type sessionPeer struct {
	tr    ports.Transport
	id    string
	sink  *TransportSink
	party chat.Party

	mu   sync.Mutex
	sent map[string]bool // ids of the messages this peer sent
}

func (p *sessionPeer) Party() chat.Party { return p.party }

// GoOnline shows the peer's account available to those who may see it.
func (p *sessionPeer) GoOnline(t *testing.T) {
	t.Helper()
	must(t, p.tr.SetPresence(t.Context(), p.id, true))
}

func (p *sessionPeer) Send(t *testing.T, to chat.JID, c message.Content) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.Target != nil {
		// The target is named by id: whose message it is follows from who sent it.
		ref := *c.Target
		ref.Chat, ref.FromMe = to, p.sent[ref.ID]
		if !ref.FromMe {
			ref.Sender = to
		}
		c.Target = &ref
	}
	id := trSend(t, p.tr, p.id, to, c).ID
	p.sent[id] = true
	return id
}

func (p *sessionPeer) Read(t *testing.T, from chat.JID, ids []string) {
	t.Helper()
	must(t, p.tr.MarkRead(t.Context(), p.id, from, from, ids, time.Now()))
}

func (p *sessionPeer) Received(*testing.T) []message.Inbound {
	var out []message.Inbound
	for _, ev := range p.sink.Events() {
		if m, ok := ev.(ports.TransportMessage); ok {
			out = append(out, m.Message)
		}
	}
	return out
}
