// Package storage keeps blobs on the local disk (WAREST's local driver), optionally
// encrypted at rest with AES-256-GCM.
package storage

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Config locates the store. Key enables encryption; it is read as WAREST reads
// WAREST_STORAGE_LOCAL_ENCRYPTION_KEY (64 hex digits, base64, or any string hashed).
type Config struct {
	Root string
	Key  string
}

// Local is a BlobStore on a directory: <root>/<key> holds the bytes (nonce ‖
// ciphertext when encrypted), <root>/.meta/<key>.json the metadata.
type Local struct {
	root string
	aead cipher.AEAD // nil: plain files
}

var (
	_ ports.BlobStore   = (*Local)(nil)
	_ ports.BlobExpirer = (*Local)(nil)
)

// New prepares the directory.
func New(cfg Config) (*Local, error) {
	if cfg.Root == "" {
		return nil, errors.New("storage: empty root")
	}
	if err := os.MkdirAll(cfg.Root, 0o700); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	l := &Local{root: cfg.Root}
	if cfg.Key != "" {
		block, err := aes.NewCipher(deriveKey(cfg.Key))
		if err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
		if l.aead, err = cipher.NewGCM(block); err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	return l, nil
}

// deriveKey follows WAREST: 64 hex digits are the key; base64 of 32+ bytes is cut to
// 32; anything else is hashed with SHA-256.
func deriveKey(s string) []byte {
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) >= 32 {
		return b[:32]
	}
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// cleanKey is the key's segments, each sanitised to [A-Za-z0-9._-], without ".",
// ".." and ".meta".
func cleanKey(key string) []string {
	var parts []string
	for _, seg := range strings.Split(key, "/") {
		seg = unsafeChars.ReplaceAllString(seg, "_")
		if seg != "" && seg != "." && seg != ".." && seg != ".meta" {
			parts = append(parts, seg)
		}
	}
	return parts
}

// path sanitises each segment to [A-Za-z0-9._-] and drops "." and "..", as WAREST does.
func (l *Local) path(key string) (string, error) {
	parts := cleanKey(key)
	if len(parts) == 0 {
		return "", fault.Invalid(fault.ReasonInvalidParameter, "invalid blob key %q", key)
	}
	return filepath.Join(append([]string{l.root}, parts...)...), nil
}

type meta struct {
	MIME      string `json:"mimeType"`
	Size      int64  `json:"size"`
	SHA256    string `json:"checksum"`
	Encrypted bool   `json:"encrypted"`
}

// aad binds a sealed object to its sanitised key, so spellings of one key agree and
// an object moved to another key does not open.
func (l *Local) aad(p string) []byte {
	rel, _ := filepath.Rel(l.root, p)
	return []byte(filepath.ToSlash(rel))
}

func (l *Local) metaPath(p string) string {
	rel, _ := filepath.Rel(l.root, p)
	return filepath.Join(l.root, ".meta", rel+".meta.json")
}

// Put writes the object through a temporary file and a rename, so a crash never
// leaves a half-written blob under its key.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, mime string) (ports.BlobInfo, error) {
	p, err := l.path(key)
	if err != nil {
		return ports.BlobInfo{}, err
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return ports.BlobInfo{}, fmt.Errorf("storage: read: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return ports.BlobInfo{}, err
	}
	sum := sha256.Sum256(plain)
	data := plain
	if l.aead != nil {
		nonce := make([]byte, l.aead.NonceSize())
		_, _ = rand.Read(nonce)
		data = l.aead.Seal(nonce, nonce, plain, l.aad(p))
	}
	info := ports.BlobInfo{Size: int64(len(plain)), MIME: mime, SHA256: sum[:]}
	m, _ := json.Marshal(meta{MIME: mime, Size: info.Size, SHA256: hex.EncodeToString(sum[:]), Encrypted: l.aead != nil})
	if err := writeAtomic(p, data); err != nil {
		return ports.BlobInfo{}, err
	}
	if err := writeAtomic(l.metaPath(p), m); err != nil {
		return ports.BlobInfo{}, err
	}
	return info, nil
}

func writeAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("storage: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("storage: write: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}

// Open reads and, when needed, decrypts the object.
func (l *Local) Open(_ context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, ports.BlobInfo{}, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ports.BlobInfo{}, fault.NotFound("", "blob %s not found", key)
	}
	if err != nil {
		return nil, ports.BlobInfo{}, fmt.Errorf("storage: %w", err)
	}
	var m meta
	if raw, err := os.ReadFile(l.metaPath(p)); err == nil {
		_ = json.Unmarshal(raw, &m)
	}
	if m.Encrypted {
		if l.aead == nil {
			return nil, ports.BlobInfo{}, fmt.Errorf("storage: blob %s is encrypted and no key is configured", key)
		}
		n := l.aead.NonceSize()
		if len(data) < n {
			return nil, ports.BlobInfo{}, fmt.Errorf("storage: blob %s is truncated", key)
		}
		if data, err = l.aead.Open(nil, data[:n], data[n:], l.aad(p)); err != nil {
			return nil, ports.BlobInfo{}, fmt.Errorf("storage: blob %s: %w", key, err)
		}
	}
	sum := sha256.Sum256(data)
	return io.NopCloser(bytes.NewReader(data)), ports.BlobInfo{Size: int64(len(data)), MIME: m.MIME, SHA256: sum[:]}, nil
}

// Delete removes the object and its metadata; a missing key is not an error.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	for _, f := range []string{p, l.metaPath(p)} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: %w", err)
		}
	}
	return nil
}

// DeleteOlder deletes the objects under prefix last written before the given time.
func (l *Local) DeleteOlder(ctx context.Context, prefix string, before time.Time) (int, error) {
	dir, err := l.path(prefix)
	if err != nil {
		return 0, err
	}
	n := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.ModTime().Before(before) {
			return nil // gone meanwhile, or young
		}
		for _, f := range []string{p, l.metaPath(p)} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("storage: %w", err)
			}
		}
		n++
		return nil
	})
	return n, err
}
