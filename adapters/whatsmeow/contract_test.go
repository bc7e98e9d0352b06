package whatsmeow

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// The shared transport suite against the real network. It needs people: each QR
// code and pair code it logs must be scanned or entered on the phone of the number
// it names, so it only runs with WAREST_WA_LIVE=1 and two real phones, named by
// WAREST_WA_LIVE_PHONE (the session under test) and WAREST_WA_LIVE_PEER.
func TestTransportContractLive(t *testing.T) {
	phones := livePhones(t)
	contract.RunTransport(t, contract.TransportHarness{New: func(t *testing.T) (ports.Transport, contract.TransportWorld) {
		tr, err := New(t.Context(), Config{}, openDB(t), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Close(t.Context()) })
		return tr, liveWorld{tr: tr, phones: phones}
	}})
}

// TestPeopleContractLive runs the profile, contact and call suite on real phones,
// like TestTransportContractLive.
func TestPeopleContractLive(t *testing.T) {
	phones := livePhones(t)
	contract.RunPeople(t, contract.PeopleHarness{New: func(t *testing.T) (contract.PeopleTransport, contract.TransportWorld) {
		tr, err := New(t.Context(), Config{}, openDB(t), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Close(t.Context()) })
		return tr, liveWorld{tr: tr, phones: phones}
	}})
}

// livePhones skips unless WAREST_WA_LIVE=1, then takes the two phones' numbers
// from the environment: the suite cannot link numbers nobody holds.
func livePhones(t *testing.T) contract.Phones {
	t.Helper()
	if os.Getenv("WAREST_WA_LIVE") != "1" {
		t.Skip("live WhatsApp suite: set WAREST_WA_LIVE=1, WAREST_WA_LIVE_PHONE and WAREST_WA_LIVE_PEER, " +
			"and have both phones at hand to scan the QR codes it logs")
	}
	p := contract.Phones{Own: os.Getenv("WAREST_WA_LIVE_PHONE"), Peer: os.Getenv("WAREST_WA_LIVE_PEER")}
	digits := regexp.MustCompile(`^[1-9][0-9]{6,14}$`)
	if !digits.MatchString(p.Own) || !digits.MatchString(p.Peer) || p.Own == p.Peer {
		t.Fatalf("WAREST_WA_LIVE_PHONE=%q and WAREST_WA_LIVE_PEER=%q must be two different phone numbers, "+
			"digits only with the country code (e.g. 6281234567890)", p.Own, p.Peer)
	}
	return p
}

// liveWorld asks a person to act as the phones; peers are further sessions of the
// same transport, linked to other phones.
type liveWorld struct {
	tr     *Transport
	phones contract.Phones
}

func (w liveWorld) Phones() contract.Phones { return w.phones }

func (liveWorld) Scan(t *testing.T, sessionID, qr, phone string) {
	t.Logf("session %s: scan this QR code with the phone of %s:\n%s", sessionID, phone, qr)
}

func (liveWorld) ConfirmPairCode(t *testing.T, sessionID, code string) {
	t.Logf("session %s: enter the pair code %s on the phone", sessionID, code)
}

func (w liveWorld) Peer(t *testing.T, phone string) contract.TransportPeer {
	id := "peer-" + phone
	sink := &contract.TransportSink{}
	if err := w.tr.Start(t.Context(), id, sink); err != nil {
		t.Fatal(err)
	}
	w.Scan(t, id, contract.WaitFor[ports.TransportQR](t, sink, 1, nil)[0].Code, phone)
	me := contract.WaitFor[ports.TransportConnected](t, sink, 1, nil)[0].Me
	lid, _ := chat.ParseJID(me.LID)
	return &livePeer{tr: w.tr, id: id, sink: sink, party: chat.Party{JID: chat.UserJID(phone), LID: lid, PushName: me.Name}}
}

type livePeer struct {
	tr    *Transport
	id    string
	sink  *contract.TransportSink
	party chat.Party
}

func (p *livePeer) Party() chat.Party { return p.party }

func (p *livePeer) Send(t *testing.T, to chat.JID, c message.Content) string {
	if c.Target != nil {
		ref := *c.Target
		ref.Chat = to
		c.Target = &ref
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	m := message.Outbound{ID: "3EB0" + hex.EncodeToString(id), SessionID: p.id, To: to, Content: c}
	if _, err := p.tr.Send(t.Context(), p.id, m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func (p *livePeer) Read(t *testing.T, from chat.JID, ids []string) {
	if err := p.tr.MarkRead(t.Context(), p.id, from, from, ids, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func (p *livePeer) Received(*testing.T) []message.Inbound {
	var out []message.Inbound
	for _, ev := range p.sink.Events() {
		if m, ok := ev.(ports.TransportMessage); ok {
			out = append(out, m.Message)
		}
	}
	return out
}
