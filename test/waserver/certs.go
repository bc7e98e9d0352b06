package waserver

import (
	"sync"
	"time"

	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCert"
	"go.mau.fi/whatsmeow/util/keys"
	"google.golang.org/protobuf/proto"
)

var processRoot = sync.OnceValue(func() *keys.KeyPair {
	root := keys.NewKeyPair()
	whatsmeow.WACertPubKey = *root.Pub
	return root
})

// Root is the test certificate root every server of this process signs with. The
// first call makes whatsmeow trust it instead of WhatsApp's key: WACertPubKey is
// process-global, so parallel tests (and a gateway pointed at a server) share one root.
func Root() [32]byte { return *processRoot().Pub }

// certChain issues root → intermediate → leaf(static), the chain the client checks
// in the handshake; both certificates are valid for an hour around now.
func certChain(root *keys.KeyPair, static [32]byte) ([]byte, error) {
	inter := keys.NewKeyPair()
	const interSerial = 7
	interCert, err := signedCert(root, &waCert.CertChain_NoiseCertificate_Details{
		Serial: proto.Uint32(interSerial), IssuerSerial: proto.Uint32(whatsmeow.WACertIssuerSerial), Key: inter.Pub[:]})
	if err != nil {
		return nil, err
	}
	leafCert, err := signedCert(inter, &waCert.CertChain_NoiseCertificate_Details{
		Serial: proto.Uint32(interSerial + 1), IssuerSerial: proto.Uint32(interSerial), Key: static[:]})
	if err != nil {
		return nil, err
	}
	return proto.Marshal(&waCert.CertChain{Intermediate: interCert, Leaf: leafCert})
}

func signedCert(issuer *keys.KeyPair, d *waCert.CertChain_NoiseCertificate_Details) (*waCert.CertChain_NoiseCertificate, error) {
	now := time.Now()
	d.NotBefore = proto.Uint64(uint64(now.Add(-time.Hour).Unix()))
	d.NotAfter = proto.Uint64(uint64(now.Add(time.Hour).Unix()))
	raw, err := proto.Marshal(d)
	if err != nil {
		return nil, err
	}
	sig := sign(issuer, raw)
	return &waCert.CertChain_NoiseCertificate{Details: raw, Signature: sig[:]}, nil
}

// sign is an XEdDSA signature, as libsignal and WhatsApp make them.
func sign(kp *keys.KeyPair, msg []byte) [64]byte {
	return ecc.CalculateSignature(ecc.NewDjbECPrivateKey(*kp.Priv), msg)
}
