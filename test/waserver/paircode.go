package waserver

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
	"golang.org/x/crypto/curve25519"
)

// ErrCodeRejected is EnterCode's error when the companion's key bundle does not
// decrypt: the code typed is not the one the companion showed.
var ErrCodeRejected = errors.New("pairing code rejected")

// linkCode is a companion's request to be linked by a code typed on the phone
// (whatsmeow's PairPhone) instead of a scanned QR code.
type linkCode struct {
	user    string // the phone number the companion asked for
	wrapped []byte // its ephemeral public key, encrypted with the code
	ref     []byte
	attempt sync.Mutex          // code entries run one at a time
	finish  chan *waBinary.Node // companion_finish IQs, for the code entry waiting on them
}

// linkCodeReg handles the companion's two link_code_companion_reg IQs.
func (c *conn) linkCodeReg(ctx context.Context, iq *waBinary.Node) {
	reg := iq.GetChildByTag("link_code_companion_reg")
	switch reg.Attrs["stage"] {
	case "companion_hello":
		c.companionHello(ctx, iq, &reg)
	case "companion_finish":
		c.companionFinish(ctx, iq, &reg)
	default:
		c.replyError(ctx, iq, 400, "bad-request")
	}
}

// companionHello records the request and answers the pairing ref; the phone's turn
// comes when its owner types the code (EnterCode).
func (c *conn) companionHello(ctx context.Context, iq, reg *waBinary.Node) {
	phone, _ := reg.Attrs["jid"].(types.JID)
	wrapped, _ := reg.GetChildByTag("link_code_pairing_wrapped_companion_ephemeral_pub").Content.([]byte)
	authKey, _ := reg.GetChildByTag("companion_server_auth_key_pub").Content.([]byte)
	if c.pairing == nil || phone.User == "" || len(wrapped) != 80 || !bytes.Equal(authKey, c.clientStatic[:]) {
		c.replyError(ctx, iq, 400, "bad-request")
		return
	}
	ref := make([]byte, 24)
	_, _ = rand.Read(ref)
	ref = []byte(base64.RawURLEncoding.EncodeToString(ref))
	c.srv.mu.Lock()
	c.pairing.code = &linkCode{user: phone.User, wrapped: wrapped, ref: ref, finish: make(chan *waBinary.Node, 1)}
	c.srv.mu.Unlock()
	c.reply(ctx, iq, waBinary.Node{Tag: "link_code_companion_reg",
		Content: []waBinary.Node{{Tag: "link_code_pairing_ref", Content: ref}}})
}

// companionFinish hands the companion's key bundle to the code entry waiting for it,
// which answers the IQ.
func (c *conn) companionFinish(ctx context.Context, iq, reg *waBinary.Node) {
	c.srv.mu.Lock()
	var lc *linkCode
	if c.pairing != nil {
		lc = c.pairing.code
	}
	c.srv.mu.Unlock()
	ref, _ := reg.GetChildByTag("link_code_pairing_ref").Content.([]byte)
	if lc == nil || !bytes.Equal(ref, lc.ref) {
		c.replyError(ctx, iq, 400, "bad-request")
		return
	}
	select {
	case lc.finish <- iq:
	default:
		c.replyError(ctx, iq, 409, "conflict")
	}
}

// EnterCode plays the phone's owner typing the companion's pairing code: the phone
// unwraps the companion's ephemeral key with it, sends its own wrapped the same way,
// and, once the companion's key bundle decrypts, links it as Scan does. A wrong code
// makes the bundle undecryptable: the companion's finish is refused and nothing is
// linked. Only a companion that asked for phone's number can be linked.
func (s *Server) EnterCode(ctx context.Context, phone *Phone, code string) (types.JID, error) {
	c, lc := s.codeRequest(phone.User)
	if c == nil {
		return types.EmptyJID, fmt.Errorf("no device waits for a code from %s", phone.User)
	}
	lc.attempt.Lock()
	defer lc.attempt.Unlock()
	select {
	case <-lc.finish: // left over from an entry that gave up waiting
	default:
	}
	code = strings.ToUpper(strings.ReplaceAll(code, "-", ""))
	companionEph, err := codeCipher(code, lc.wrapped[:32], lc.wrapped[32:48], lc.wrapped[48:])
	if err != nil {
		return types.EmptyJID, err
	}
	eph := keys.NewKeyPair()
	salt, iv := make([]byte, 32), make([]byte, 16)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(iv)
	wrappedEph, err := codeCipher(code, salt, iv, eph.Pub[:])
	if err != nil {
		return types.EmptyJID, err
	}
	err = c.send(ctx, waBinary.Node{Tag: "notification",
		Attrs: waBinary.Attrs{"from": types.ServerJID, "type": "link_code_companion_reg", "id": s.newID(), "t": unixNow()},
		Content: []waBinary.Node{{Tag: "link_code_companion_reg", Content: []waBinary.Node{
			{Tag: "link_code_pairing_ref", Content: lc.ref},
			{Tag: "link_code_pairing_wrapped_primary_ephemeral_pub", Content: concat(salt, iv, wrappedEph)},
			{Tag: "primary_identity_pub", Content: phone.Identity.Pub[:]},
		}}}})
	if err != nil {
		return types.EmptyJID, err
	}
	var finish *waBinary.Node
	select {
	case finish = <-lc.finish:
	case <-ctx.Done():
		return types.EmptyJID, ctx.Err()
	}
	advSecret, err := phone.openKeyBundle(eph, companionEph, c.pairing.identity, finish)
	if err != nil {
		c.replyError(ctx, finish, 400, "bad-request")
		return types.EmptyJID, fmt.Errorf("%w: %w", ErrCodeRejected, err)
	}
	c.reply(ctx, finish)
	s.mu.Lock()
	delete(s.pending, c.pairing.ref)
	s.mu.Unlock()
	return s.link(ctx, c, phone, advSecret)
}

// codeRequest finds an unpaired connection that asked to be linked to user by code.
func (s *Server) codeRequest(user string) (*conn, *linkCode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.pending {
		if lc := c.pairing.code; lc != nil && lc.user == user {
			return c, lc
		}
	}
	return nil, nil
}

// codeCipher is AES-CTR under PBKDF2-SHA256(code, salt): it wraps and unwraps the
// ephemeral keys of the link-code exchange.
func codeCipher(code string, salt, iv, in []byte) ([]byte, error) {
	key, err := pbkdf2.Key(sha256.New, code, salt, 2<<16, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(in))
	cipher.NewCTR(block, iv).XORKeyStream(out, in)
	return out, nil
}

// openKeyBundle decrypts the companion's key bundle (salt ‖ nonce ‖ AES-GCM of its
// identity ‖ the phone's identity ‖ randomness) and derives the advSecret both sides
// then hold.
func (p *Phone) openKeyBundle(eph *keys.KeyPair, companionEph []byte, companion [32]byte, finish *waBinary.Node) ([]byte, error) {
	reg := finish.GetChildByTag("link_code_companion_reg")
	wrapped, _ := reg.GetChildByTag("link_code_pairing_wrapped_key_bundle").Content.([]byte)
	if len(wrapped) < 44 {
		return nil, errors.New("key bundle too short")
	}
	shared, err := curve25519.X25519(eph.Priv[:], companionEph)
	if err != nil {
		return nil, err
	}
	key, err := hkdf.Key(sha256.New, shared, wrapped[:32], "link_code_pairing_key_bundle_encryption_key", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	bundle, err := gcm.Open(nil, wrapped[32:44], wrapped[44:], nil)
	if err != nil {
		return nil, errors.New("key bundle does not decrypt")
	}
	if len(bundle) != 96 || !bytes.Equal(bundle[:32], companion[:]) || !bytes.Equal(bundle[32:64], p.Identity.Pub[:]) {
		return nil, errors.New("key bundle names other identities")
	}
	identityShared, err := curve25519.X25519(p.Identity.Priv[:], companion[:])
	if err != nil {
		return nil, err
	}
	return hkdf.Key(sha256.New, concat(shared, identityShared, bundle[64:]), nil, "adv_secret", 32)
}
