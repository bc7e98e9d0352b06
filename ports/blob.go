package ports

import (
	"context"
	"io"
	"time"

	"github.com/warest-go/warest/domain/message"
)

// BlobStore keeps media bytes: outbound attachments until no message needs them, and
// mirrored inbound media. Keys are opaque, slash-separated paths chosen by the caller.
type BlobStore interface {
	// Put stores r under key, replacing any previous object; Size and SHA256 of the
	// result are computed from what was written.
	Put(ctx context.Context, key string, r io.Reader, mime string) (BlobInfo, error)
	// Open returns the object's bytes, size and MIME type (SHA256 only where the store
	// keeps it); a missing key is a fault.KindNotFound error.
	Open(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)
	// Delete removes the object; a missing key is not an error, so deletes may repeat.
	Delete(ctx context.Context, key string) error
}

// BlobInfo describes a stored object.
type BlobInfo struct {
	Size   int64
	MIME   string
	SHA256 []byte
}

// BlobLinks issues URLs through which a stored object is fetched without an API key
// until they expire: the local store's signed /storages/ route, or an S3 presigned GET.
type BlobLinks interface {
	// SignedURL returns an absolute URL that GETs key's bytes until ttl has passed.
	SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Driver names the store as WAREST's receivers know it: "local" or "s3".
	Driver() string
}

// MediaDownloader fetches the decrypted bytes of media a session received (the
// transport: WhatsApp's CDN, asking the sender to upload expired media again).
type MediaDownloader interface {
	// DownloadMedia streams the media of m, a message m.SessionID received.
	DownloadMedia(ctx context.Context, m message.Inbound) (io.ReadCloser, error)
}

// TempBlobPrefix starts the keys of temporary objects (QR images, thumbnails): they
// are deleted once older than WAREST_STORAGE_TEMP_TTL_SEC.
const TempBlobPrefix = "temp/"

// BlobExpirer deletes old objects under a key prefix.
type BlobExpirer interface {
	// DeleteOlder deletes the objects under prefix written before the given time
	// and returns how many it deleted.
	DeleteOlder(ctx context.Context, prefix string, before time.Time) (int, error)
}
