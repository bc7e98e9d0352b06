// Package secretbox seals secrets at rest (webhook secrets) with AES-256-GCM.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/warest-go/warest/ports"
)

// sealedPrefix versions the format so the algorithm or key can change later.
const sealedPrefix = "v1:"

var _ ports.SecretSealer = (*Box)(nil)

// Config chooses the key. Key wins when set: 32 bytes as hex or base64, or else a
// passphrase hashed with SHA-256. Otherwise KeyFile is read, or created with a
// random key on first use so a local install keeps a stable key.
type Config struct {
	Key     string
	KeyFile string
}

// Box seals and opens secrets with one AES-256-GCM key.
type Box struct {
	aead cipher.AEAD
}

// New loads the key described by cfg.
func New(cfg Config) (*Box, error) {
	key, err := loadKey(cfg)
	if err != nil {
		return nil, err
	}
	return newBox(key)
}

func newBox(key []byte) (*Box, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain under a fresh random nonce: "v1:" + base64(nonce|ciphertext).
func (b *Box) Seal(plain string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secretbox: nonce: %w", err)
	}
	sealed := b.aead.Seal(nonce, nonce, []byte(plain), nil)
	return sealedPrefix + base64.StdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value made by Seal; a tampered value or another key fails.
func (b *Box) Open(sealed string) (string, error) {
	encoded, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errors.New("secretbox: not a sealed value (missing v1: prefix)")
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("secretbox: malformed sealed value: %w", err)
	}
	n := b.aead.NonceSize()
	if len(raw) < n+b.aead.Overhead() {
		return "", errors.New("secretbox: sealed value too short")
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", errors.New("secretbox: cannot open sealed value (wrong key or tampered)")
	}
	return string(plain), nil
}
