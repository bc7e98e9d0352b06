package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// LinkConfig makes the local store's objects reachable by signed URLs:
// <BaseURL>/storages/<key>?expires=<unix seconds>&sig=<HMAC-SHA256>. Key is a
// 32-byte key of its own (cmd derives it from the secret key with HKDF).
type LinkConfig struct {
	BaseURL string // the gateway as its clients reach it, e.g. https://wa.example.com
	Key     []byte
	Now     func() time.Time // nil: time.Now
}

// StoragesPath is where the HTTP server serves signed local links.
const StoragesPath = "/storages/"

// Links is a local store whose objects are served through signed, expiring URLs.
type Links struct {
	*Local
	base string
	key  []byte
	now  func() time.Time
}

var _ ports.BlobLinks = (*Links)(nil)

// NewLinks signs links to l's objects.
func NewLinks(l *Local, cfg LinkConfig) (*Links, error) {
	if len(cfg.Key) < 32 {
		return nil, errors.New("storage: the link signing key must be 32 bytes")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Links{Local: l, base: strings.TrimRight(cfg.BaseURL, "/"), key: cfg.Key, now: cfg.Now}, nil
}

// Driver is "local".
func (*Links) Driver() string { return "local" }

// SignedURL returns a link to key valid for ttl.
func (s *Links) SignedURL(_ context.Context, key string, ttl time.Duration) (string, error) {
	k, err := objectKey(key)
	if err != nil {
		return "", err
	}
	expires := strconv.FormatInt(s.now().Add(ttl).Unix(), 10)
	q := url.Values{"expires": {expires}, "sig": {s.sign(k, expires)}}
	return s.base + StoragesPath + escapeKey(k) + "?" + q.Encode(), nil
}

// OpenSigned opens the object a signed link names; an expired or altered link is
// fault.KindForbidden, whatever the key.
func (s *Links) OpenSigned(ctx context.Context, key, expires, sig string) (io.ReadCloser, ports.BlobInfo, error) {
	k, err := objectKey(key)
	if err != nil {
		return nil, ports.BlobInfo{}, fault.Forbidden("invalid storage link")
	}
	if !hmac.Equal([]byte(sig), []byte(s.sign(k, expires))) {
		return nil, ports.BlobInfo{}, fault.Forbidden("invalid storage link signature")
	}
	at, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !s.now().Before(time.Unix(at, 0)) {
		return nil, ports.BlobInfo{}, fault.Forbidden("storage link expired")
	}
	return s.Open(ctx, k)
}

// sign is the base64url HMAC of the method, key and expiry: a link opens one
// object, for reading, until then.
func (s *Links) sign(key, expires string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("GET\n" + key + "\n" + expires))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func escapeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
