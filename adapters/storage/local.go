// Package storage keeps blobs on the local disk (WAREST's local driver), optionally
// encrypted at rest with AES-256-GCM.
package storage

import (
	"bytes"
	"cmp"
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

// Config locates the store. Key enables encryption of the private folder; it is
// read as WAREST reads WAREST_STORAGE_LOCAL_ENCRYPTION_KEY (64 hex digits, base64,
// or any string hashed). Keys starting with one of Public go to PublicRoot in clear
// (WAREST's public folder, for another web server to serve); the rest to Root.
type Config struct {
	Root       string
	Key        string
	PublicRoot string
	Public     []string // key prefixes, e.g. "incoming-media/"
}

// Local is a BlobStore on two directories: <root>/<key> holds the bytes (nonce ‖
// ciphertext when encrypted), <publicRoot>/<key> public ones in clear, and
// <root>/.meta/<key>.meta.json the metadata of both.
type Local struct {
	root       string
	publicRoot string
	public     []string
	aead       cipher.AEAD // nil: plain files
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
	for _, root := range []string{cfg.Root, cfg.PublicRoot} {
		if err := os.MkdirAll(cmp.Or(root, cfg.Root), 0o700); err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	if cfg.PublicRoot == "" && len(cfg.Public) > 0 {
		return nil, errors.New("storage: public keys need a public root")
	}
	l := &Local{root: cfg.Root, publicRoot: cfg.PublicRoot}
	for _, prefix := range cfg.Public {
		l.public = append(l.public, strings.TrimSuffix(prefix, "/")+"/")
	}
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

// spot is where a key's object lives.
type spot struct {
	rel    string // the sanitised key
	file   string
	meta   string
	sealed bool // encrypted: in the private folder with a key configured
}

// locate sanitises each segment to [A-Za-z0-9._-] and drops "." and "..", as WAREST
// does, and picks the folder.
func (l *Local) locate(key string) (spot, error) {
	parts := cleanKey(key)
	if len(parts) == 0 {
		return spot{}, fault.Invalid(fault.ReasonInvalidParameter, "invalid blob key %q", key)
	}
	rel := strings.Join(parts, "/")
	root, public := l.root, false
	for _, prefix := range l.public {
		if strings.HasPrefix(rel+"/", prefix) {
			root, public = l.publicRoot, true
		}
	}
	return spot{rel: rel, file: filepath.Join(append([]string{root}, parts...)...),
		meta: filepath.Join(l.root, ".meta", filepath.FromSlash(rel)+".meta.json"), sealed: l.aead != nil && !public}, nil
}

type meta struct {
	MIME      string `json:"mimeType"`
	Size      int64  `json:"size"`
	SHA256    string `json:"checksum"`
	Encrypted bool   `json:"encrypted"`
}

// aad binds a sealed object to its sanitised key, so spellings of one key agree and
// an object moved to another key does not open.
func (s spot) aad() []byte { return []byte(s.rel) }

// Put writes the object through a temporary file and a rename, so a crash never
// leaves a half-written blob under its key.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, mime string) (ports.BlobInfo, error) {
	at, err := l.locate(key)
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
	if at.sealed {
		nonce := make([]byte, l.aead.NonceSize())
		_, _ = rand.Read(nonce)
		data = l.aead.Seal(nonce, nonce, plain, at.aad())
	}
	info := ports.BlobInfo{Size: int64(len(plain)), MIME: mime, SHA256: sum[:]}
	m, _ := json.Marshal(meta{MIME: mime, Size: info.Size, SHA256: hex.EncodeToString(sum[:]), Encrypted: at.sealed})
	if err := writeAtomic(at.file, data); err != nil {
		return ports.BlobInfo{}, err
	}
	if err := writeAtomic(at.meta, m); err != nil {
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
	at, err := l.locate(key)
	if err != nil {
		return nil, ports.BlobInfo{}, err
	}
	data, err := os.ReadFile(at.file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ports.BlobInfo{}, fault.NotFound("", "blob %s not found", key)
	}
	if err != nil {
		return nil, ports.BlobInfo{}, fmt.Errorf("storage: %w", err)
	}
	var m meta
	if raw, err := os.ReadFile(at.meta); err == nil {
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
		if data, err = l.aead.Open(nil, data[:n], data[n:], at.aad()); err != nil {
			return nil, ports.BlobInfo{}, fmt.Errorf("storage: blob %s: %w", key, err)
		}
	}
	sum := sha256.Sum256(data)
	return io.NopCloser(bytes.NewReader(data)), ports.BlobInfo{Size: int64(len(data)), MIME: m.MIME, SHA256: sum[:]}, nil
}

// Delete removes the object and its metadata; a missing key is not an error.
func (l *Local) Delete(_ context.Context, key string) error {
	at, err := l.locate(key)
	if err != nil {
		return err
	}
	for _, f := range []string{at.file, at.meta} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: %w", err)
		}
	}
	return nil
}

// DeleteOlder deletes the objects under prefix last written before the given time.
func (l *Local) DeleteOlder(ctx context.Context, prefix string, before time.Time) (int, error) {
	dir, err := l.locate(prefix)
	if err != nil {
		return 0, err
	}
	n := 0
	err = filepath.WalkDir(dir.file, func(p string, d fs.DirEntry, err error) error {
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
		rel, _ := filepath.Rel(dir.file, p)
		at, err := l.locate(dir.rel + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		for _, f := range []string{at.file, at.meta} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("storage: %w", err)
			}
		}
		n++
		return nil
	})
	return n, err
}
