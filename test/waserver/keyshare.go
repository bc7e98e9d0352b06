package waserver

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"time"

	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/libsignal/keys/identity"
	"go.mau.fi/libsignal/keys/prekey"
	"go.mau.fi/libsignal/protocol"
	"go.mau.fi/libsignal/session"
	signalmem "go.mau.fi/libsignal/tests"
	"go.mau.fi/libsignal/util/optional"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// phoneSignal is the phone's Signal side (device 0 of its account) in memory:
// libsignal's own stores, guarded by the accountState's mutex.
type phoneSignal struct {
	identity *signalmem.InMemoryIdentityKey
	sessions *signalmem.InMemorySession
	prekeys  *signalmem.InMemoryPreKey
	signed   *signalmem.InMemorySignedPreKey
}

func newPhoneSignal(p *Phone) *phoneSignal {
	var reg [2]byte
	_, _ = rand.Read(reg[:])
	pair := identity.NewKeyPair(identity.NewKey(ecc.NewDjbECPublicKey(*p.Identity.Pub)), ecc.NewDjbECPrivateKey(*p.Identity.Priv))
	return &phoneSignal{identity: signalmem.NewInMemoryIdentityKey(pair, uint32(binary.BigEndian.Uint16(reg[:])&0x3fff)+1),
		sessions: signalmem.NewInMemorySession(store.SignalProtobufSerializer), prekeys: signalmem.NewInMemoryPreKey(),
		signed: signalmem.NewInMemorySignedPreKey()}
}

// encrypt starts a session with the companion from its bundle and encrypts
// plaintext for it: a prekey message (pkmsg), padded as WhatsApp pads (v=2).
func (ps *phoneSignal) encrypt(to types.JID, bundle *prekey.Bundle, plaintext []byte) ([]byte, error) {
	ctx := context.Background()
	addr := to.SignalAddress()
	builder := session.NewBuilder(ps.sessions, ps.prekeys, ps.signed, ps.identity, addr, store.SignalProtobufSerializer)
	if err := builder.ProcessBundle(ctx, bundle); err != nil {
		return nil, err
	}
	var pad [1]byte
	_, _ = rand.Read(pad[:])
	n := pad[0]&0xf | 1 // 1..15 bytes of value n
	for range n {
		plaintext = append(plaintext, n)
	}
	ct, err := session.NewCipher(builder, addr).Encrypt(ctx, plaintext)
	if err != nil {
		return nil, err
	}
	if ct.Type() != protocol.PREKEY_TYPE {
		return nil, errors.New("the first message of a session is not a prekey message")
	}
	return ct.Serialize(), nil
}

// shareAppStateKey has the phone send its app state key to the companion d once,
// when d has finished logging in (so it has uploaded the prekeys a session needs,
// and its login is not slowed by the sync that follows): an AppStateSyncKeyShare
// protocol message from the phone's device 0, Signal-encrypted, queued in d's
// outbox like any message, so it arrives exactly once (again only if unacknowledged).
func (c *conn) shareAppStateKey() {
	s, d := c.srv, c.device
	if d == nil {
		return
	}
	s.mu.Lock()
	as := s.appStates[d.jid.User]
	s.mu.Unlock()
	if as == nil {
		return
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	if as.shared[d.key()] {
		return
	}
	s.mu.Lock()
	bundle, err := s.takeBundleLocked(d)
	s.mu.Unlock()
	if err != nil {
		return // no keys uploaded yet: the next login tries again
	}
	msg, err := proto.Marshal(&waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_APP_STATE_SYNC_KEY_SHARE.Enum(),
		AppStateSyncKeyShare: &waE2E.AppStateSyncKeyShare{Keys: []*waE2E.AppStateSyncKey{{
			KeyID: &waE2E.AppStateSyncKeyId{KeyID: as.keyID},
			KeyData: &waE2E.AppStateSyncKeyData{KeyData: as.key, Timestamp: proto.Int64(time.Now().UnixMilli()),
				Fingerprint: &waE2E.AppStateSyncKeyFingerprint{RawID: proto.Uint32(keyFingerprintID()), CurrentIndex: proto.Uint32(0),
					DeviceIndexes: []uint32{0}}},
		}}},
	}})
	if err != nil {
		return
	}
	ct, err := as.signal.encrypt(d.lid, bundle, msg)
	if err != nil {
		return
	}
	as.shared[d.key()] = true
	phone := types.JID{User: as.phone.LIDUser, Server: types.HiddenUserServer}
	s.deliver(d.key(), waBinary.Node{Tag: "message",
		Attrs:   waBinary.Attrs{"id": s.newID(), "from": phone, "t": unixNow(), "type": "text", "category": "peer"},
		Content: []waBinary.Node{{Tag: "enc", Attrs: waBinary.Attrs{"v": "2", "type": "pkmsg"}, Content: ct}}}, false)
}

// takeBundleLocked is d's prekey bundle for a new session, taking one of its
// one-time prekeys as a bundle fetch does.
func (s *Server) takeBundleLocked(d *device) (*prekey.Bundle, error) {
	b := s.bundles[d.key()]
	if b == nil || len(b.registration) != 4 || len(b.identity) != 32 {
		return nil, errors.New("no bundle")
	}
	sID, sPub, sSig := b.signed.GetChildByTag("id"), b.signed.GetChildByTag("value"), b.signed.GetChildByTag("signature")
	spub, _ := sPub.Content.([]byte)
	ssig, _ := sSig.Content.([]byte)
	if len(spub) != 32 || len(ssig) != 64 {
		return nil, errors.New("no signed prekey")
	}
	preID, prePub := optional.NewEmptyUint32(), ecc.ECPublicKeyable(nil)
	if len(b.oneTime) > 0 {
		k := b.oneTime[0]
		b.oneTime = b.oneTime[1:]
		if pub, ok := k.GetChildByTag("value").Content.([]byte); ok && len(pub) == 32 {
			preID, prePub = optional.NewOptionalUint32(keyID(k.GetChildByTag("id"))), ecc.NewDjbECPublicKey([32]byte(pub))
		}
	}
	return prekey.NewBundle(binary.BigEndian.Uint32(b.registration), uint32(d.jid.Device), preID, keyID(sID),
		prePub, ecc.NewDjbECPublicKey([32]byte(spub)), [64]byte(ssig), identity.NewKey(ecc.NewDjbECPublicKey([32]byte(b.identity)))), nil
}

// keyID reads a prekey's 3-byte big-endian id.
func keyID(n waBinary.Node) uint32 {
	raw, _ := n.Content.([]byte)
	var id uint32
	for _, b := range raw {
		id = id<<8 | uint32(b)
	}
	return id
}

// keyFingerprintID is a random raw id for the shared key's fingerprint.
func keyFingerprintID() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
