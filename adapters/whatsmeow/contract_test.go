package whatsmeow

import (
	"io"
	"log/slog"
	"os"
	"regexp"
	"testing"

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

func (liveWorld) ConfirmPairCode(t *testing.T, sessionID, code, phone string) {
	t.Logf("session %s: enter the pair code %s on the phone of %s", sessionID, code, phone)
}

func (w liveWorld) Peer(t *testing.T, phone string) contract.TransportPeer {
	return contract.SessionPeer(t, w.tr, w, phone)
}

func (liveWorld) Drop(t *testing.T, _ string) {
	t.Skip("!!! NOT RUN live: nobody can drop one device's connection to WhatsApp on demand")
}

func (liveWorld) Replace(t *testing.T, _ string) {
	t.Skip("!!! NOT RUN live: replacing the stream takes a second client with the same device keys")
}

func (liveWorld) RemoteLogout(t *testing.T, sessionID string) {
	t.Logf("session %s: on the phone, open Linked devices and log this device out", sessionID)
}
