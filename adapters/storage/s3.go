package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// S3Config is WAREST's S3 driver: WAREST_STORAGE_S3_ENDPOINT (empty: AWS), _REGION
// ("auto" is us-east-1), _BUCKET, _KEY, _SECRET, _SESSION and _FORCE_PATH_STYLE.
type S3Config struct {
	Endpoint     string // http(s)://host[:port]
	Region       string
	Bucket       string
	AccessKey    string
	SecretKey    string
	SessionToken string
	PathStyle    bool
}

// maxPresign is S3's longest presigned URL lifetime.
const maxPresign = 7 * 24 * time.Hour

// S3 is a BlobStore on an S3 bucket; its links are presigned GETs.
type S3 struct {
	client *minio.Client
	bucket string
}

var (
	_ ports.BlobStore   = (*S3)(nil)
	_ ports.BlobLinks   = (*S3)(nil)
	_ ports.BlobExpirer = (*S3)(nil)
)

// NewS3 connects to the bucket, which must exist.
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("storage: WAREST_STORAGE_S3_BUCKET is required with the s3 driver")
	}
	host, secure := "s3.amazonaws.com", true
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("storage: WAREST_STORAGE_S3_ENDPOINT %q is not an http(s) URL", cfg.Endpoint)
		}
		host, secure = u.Host, u.Scheme != "http"
	}
	region := cfg.Region
	if region == "" || region == "auto" {
		region = "us-east-1"
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(host, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
		Secure: secure, Region: region, BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: s3: %w", err)
	}
	return &S3{client: client, bucket: cfg.Bucket}, nil
}

// Driver is "s3".
func (*S3) Driver() string { return "s3" }

// Put streams r to the bucket (in parts when large), hashing it on the way.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, mime string) (ports.BlobInfo, error) {
	k, err := objectKey(key)
	if err != nil {
		return ports.BlobInfo{}, err
	}
	h := sha256.New()
	info, err := s.client.PutObject(ctx, s.bucket, k, io.TeeReader(r, h), -1, minio.PutObjectOptions{ContentType: mime})
	if err != nil {
		return ports.BlobInfo{}, fmt.Errorf("storage: s3 put %s: %w", k, err)
	}
	return ports.BlobInfo{Size: info.Size, MIME: mime, SHA256: h.Sum(nil)}, nil
}

// Open streams the object.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	k, err := objectKey(key)
	if err != nil {
		return nil, ports.BlobInfo{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, k, minio.GetObjectOptions{})
	if err != nil {
		return nil, ports.BlobInfo{}, s.fail("get", k, err)
	}
	st, err := obj.Stat() // the GET itself: a missing key shows here
	if err != nil {
		obj.Close()
		return nil, ports.BlobInfo{}, s.fail("get", k, err)
	}
	return obj, ports.BlobInfo{Size: st.Size, MIME: st.ContentType}, nil
}

// Delete removes the object; S3 answers a missing key with success.
func (s *S3) Delete(ctx context.Context, key string) error {
	k, err := objectKey(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, k, minio.RemoveObjectOptions{}); err != nil {
		return s.fail("delete", k, err)
	}
	return nil
}

// SignedURL presigns a GET for at most seven days.
func (s *S3) SignedURL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	k, err := objectKey(key)
	if err != nil {
		return "", err
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, k, min(max(ttl, time.Second), maxPresign), nil)
	if err != nil {
		return "", s.fail("presign", k, err)
	}
	return u.String(), nil
}

func (s *S3) fail(op, key string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return fault.NotFound("", "blob %s not found", key)
	}
	return fmt.Errorf("storage: s3 %s %s: %w", op, key, err)
}

// objectKey sanitises the key as the local store does, so one key names the same
// object on either driver.
func objectKey(key string) (string, error) {
	parts := cleanKey(key)
	if len(parts) == 0 {
		return "", fault.Invalid(fault.ReasonInvalidParameter, "invalid blob key %q", key)
	}
	return strings.Join(parts, "/"), nil
}

// DeleteOlder deletes the objects under prefix last modified before the given time.
func (s *S3) DeleteOlder(ctx context.Context, prefix string, before time.Time) (int, error) {
	p, err := objectKey(prefix)
	if err != nil {
		return 0, err
	}
	n := 0
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: p + "/", Recursive: true}) {
		if obj.Err != nil {
			return n, s.fail("list", p, obj.Err)
		}
		if !obj.LastModified.Before(before) {
			continue
		}
		if err := s.client.RemoveObject(ctx, s.bucket, obj.Key, minio.RemoveObjectOptions{}); err != nil {
			return n, s.fail("delete", obj.Key, err)
		}
		n++
	}
	return n, nil
}
