package waserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
	"google.golang.org/protobuf/proto"
)

// Phone is a simulated primary device: it owns the account's identity key and
// signs the identity of every companion it links.
type Phone struct {
	User, LIDUser string
	Identity      *keys.KeyPair
	Name          string // the account's push name, synced to companions as app state

	mu         sync.Mutex
	lastDevice uint16
}

// NewPhone makes a primary device for the phone number user and its hidden LID
// user, named "Phone <user>".
func NewPhone(user, lidUser string) *Phone {
	return &Phone{User: user, LIDUser: lidUser, Identity: keys.NewKeyPair(), Name: "Phone " + user}
}

// linked is what the phone hands the server for one companion.
type linked struct {
	jid, lid types.JID
	keyIndex uint32
	identity []byte // ADVSignedDeviceIdentityHMAC
}

// link signs a companion with identity key companion, authenticated with its advSecret.
func (p *Phone) link(companion [32]byte, advSecret []byte) (*linked, error) {
	p.mu.Lock()
	p.lastDevice++
	dev, keyIndex := p.lastDevice, uint32(p.lastDevice)
	p.mu.Unlock()
	var raw [4]byte
	_, _ = rand.Read(raw[:])
	details, err := proto.Marshal(&waAdv.ADVDeviceIdentity{RawID: proto.Uint32(binary.BigEndian.Uint32(raw[:])),
		Timestamp: proto.Uint64(uint64(time.Now().Unix())), KeyIndex: proto.Uint32(keyIndex),
		AccountType: waAdv.ADVEncryptionType_E2EE.Enum(), DeviceType: waAdv.ADVEncryptionType_E2EE.Enum()})
	if err != nil {
		return nil, err
	}
	accountSig := sign(p.Identity, concat(whatsmeow.AdvAccountSignaturePrefix, details, companion[:]))
	signed, err := proto.Marshal(&waAdv.ADVSignedDeviceIdentity{Details: details,
		AccountSignatureKey: p.Identity.Pub[:], AccountSignature: accountSig[:]})
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, advSecret)
	mac.Write(signed)
	container, err := proto.Marshal(&waAdv.ADVSignedDeviceIdentityHMAC{Details: signed, HMAC: mac.Sum(nil)})
	if err != nil {
		return nil, err
	}
	return &linked{jid: types.JID{User: p.User, Device: dev, Server: types.DefaultUserServer},
		lid: types.JID{User: p.LIDUser, Device: dev, Server: types.HiddenUserServer}, keyIndex: keyIndex, identity: container}, nil
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
