package secretbox

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const keySize = 32

// DeriveKey returns a 32-byte key for a purpose other than sealing (signing the
// login cookie, say), derived from the configured key with HKDF-SHA256 under the
// purpose label: the sealing key is never used by a second algorithm, and one
// purpose's key reveals neither it nor another purpose's key.
func DeriveKey(cfg Config, purpose string) ([]byte, error) {
	key, err := loadKey(cfg)
	if err != nil {
		return nil, err
	}
	return hkdf.Key(sha256.New, key, nil, purpose, keySize)
}

func loadKey(cfg Config) ([]byte, error) {
	switch {
	case cfg.Key != "":
		return parseKey(cfg.Key), nil
	case cfg.KeyFile != "":
		return loadOrCreateKeyFile(cfg.KeyFile)
	}
	return nil, errors.New("secretbox: neither Key nor KeyFile is configured")
}

// parseKey accepts 32 bytes written as hex or base64; anything else is a passphrase.
func parseKey(s string) []byte {
	s = strings.TrimSpace(s)
	if k, err := hex.DecodeString(s); err == nil && len(k) == keySize {
		return k
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == keySize {
			return k
		}
	}
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// loadOrCreateKeyFile reads a raw 32-byte key, creating it on first use. The new key
// is written to a temporary file and hard-linked into place, so two processes
// starting together agree on one key and nobody reads a half-written file.
func loadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("secretbox: key dir: %w", err)
	}
	key = make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("secretbox: generate key: %w", err)
	}
	if err := publishKeyFile(path, key); errors.Is(err, fs.ErrExist) {
		return readKeyFile(path)
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

func readKeyFile(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secretbox: key file: %w", err)
	}
	if len(key) != keySize {
		return nil, fmt.Errorf("secretbox: key file %s holds %d bytes, want %d", path, len(key), keySize)
	}
	return key, nil
}

func publishKeyFile(path string, key []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secretbox-key-*")
	if err != nil {
		return fmt.Errorf("secretbox: key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp already uses 0600; Chmod makes that explicit and umask-proof.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("secretbox: key file: %w", err)
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return fmt.Errorf("secretbox: key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secretbox: key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secretbox: key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("secretbox: key file: %w", err)
	}
	return nil
}
