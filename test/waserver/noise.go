package waserver

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"
)

// noisePattern is 32 bytes long, so it seeds the hash as is (Noise spec).
const noisePattern = "Noise_XX_25519_AESGCM_SHA256\x00\x00\x00\x00"

// handshake is the responder's side of Noise XX as WhatsApp runs it.
type handshake struct {
	hash, salt []byte
	key        cipher.AEAD
	counter    uint32
}

func newHandshake(prologue []byte) *handshake {
	h := &handshake{hash: []byte(noisePattern), salt: []byte(noisePattern)}
	h.key = mustGCM(h.hash)
	h.mixHash(prologue)
	return h
}

func (h *handshake) mixHash(data []byte) {
	sum := sha256.Sum256(append(append([]byte{}, h.hash...), data...))
	h.hash = sum[:]
}

func (h *handshake) mixDH(priv, pub [32]byte) error {
	secret, err := curve25519.X25519(priv[:], pub[:])
	if err != nil {
		return fmt.Errorf("x25519: %w", err)
	}
	ck, k := expand(h.salt, secret)
	h.salt, h.key, h.counter = ck, mustGCM(k), 0
	return nil
}

func (h *handshake) encrypt(plaintext []byte) []byte {
	ct := h.key.Seal(nil, nonce(h.counter), plaintext, h.hash)
	h.counter++
	h.mixHash(ct)
	return ct
}

func (h *handshake) decrypt(ct []byte) ([]byte, error) {
	pt, err := h.key.Open(nil, nonce(h.counter), ct, h.hash)
	if err != nil {
		return nil, err
	}
	h.counter++
	h.mixHash(ct)
	return pt, nil
}

// split returns the transport ciphers: the first key carries client→server traffic.
func (h *handshake) split() (read, write *transportCipher) {
	k1, k2 := expand(h.salt, nil)
	return &transportCipher{aead: mustGCM(k1)}, &transportCipher{aead: mustGCM(k2)}
}

// transportCipher is one direction of the post-handshake channel: no AAD, own counter.
type transportCipher struct {
	aead    cipher.AEAD
	counter uint32
}

func (c *transportCipher) seal(pt []byte) []byte {
	ct := c.aead.Seal(nil, nonce(c.counter), pt, nil)
	c.counter++
	return ct
}

func (c *transportCipher) open(ct []byte) ([]byte, error) {
	pt, err := c.aead.Open(nil, nonce(c.counter), ct, nil)
	c.counter++
	return pt, err
}

func expand(salt, ikm []byte) (a, b []byte) {
	r := hkdf.New(sha256.New, ikm, salt, nil)
	out := make([]byte, 64)
	if _, err := io.ReadFull(r, out); err != nil {
		panic(err)
	}
	return out[:32], out[32:]
}

func nonce(counter uint32) []byte {
	iv := make([]byte, 12)
	binary.BigEndian.PutUint32(iv[8:], counter)
	return iv
}

func mustGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}
