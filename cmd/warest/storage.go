package main

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/secretbox"
	"github.com/warest-go/warest/adapters/storage"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/ports"
)

// Storage is the blob store's configuration, from WAREST's WAREST_STORAGE_* names.
type Storage struct {
	Driver string // local | s3
	// PublicRoot keeps mirrored media and temporary files in clear when Public is set
	// (WAREST_STORAGE_LOCAL_DEFAULT_VISIBILITY=public); they are still reached through signed links.
	PublicRoot string
	Public     bool
	S3         storage.S3Config
	BaseURL    string        // WAREST_BASE_URL: where signed local links point
	LinkTTL    time.Duration // how long a signed link (local or presigned S3) works
	TempTTL    time.Duration // how long temporary files (QR images, thumbnails) live
	Mirror     worker.MirrorConfig
}

// loadStorage reads WAREST_STORAGE_DRIVER, the S3 settings, the signed-link TTLs,
// WAREST_STORAGE_TEMP_TTL_SEC (minimum 60), WAREST_BASE_URL and media mirroring:
// WAREST_DOWNLOAD_MEDIA_RECEIVED, _ALLOW_MIMETYPES; ours: _WAIT_MS, _TIMEOUT_MS.
func loadStorage(e env, port, dataDir string) (Storage, error) {
	s := Storage{Driver: strings.ToLower(e.str("local", "WAREST_STORAGE_DRIVER")),
		PublicRoot: e.str(filepath.Join(dataDir, "public", "storages"), "WAREST_STORAGE_LOCAL_PUBLIC_PATH")}
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	s.BaseURL = strings.TrimRight(e.str("http://"+net.JoinHostPort("localhost", port), "WAREST_BASE_URL", "WAREST_PUBLIC_URL"), "/")
	temp, err := e.num(300, "WAREST_STORAGE_TEMP_TTL_SEC")
	collect(err)
	s.TempTTL = time.Duration(max(temp, 60)) * time.Second
	var ttl int
	switch s.Driver {
	case "local":
		switch v := strings.ToLower(e.str("private", "WAREST_STORAGE_LOCAL_DEFAULT_VISIBILITY")); v {
		case "private", "public":
			s.Public = v == "public"
		default:
			errs = append(errs, fmt.Errorf("WAREST_STORAGE_LOCAL_DEFAULT_VISIBILITY must be private or public, got %q", v))
		}
		ttl, err = e.num(900, "WAREST_STORAGE_LOCAL_SIGNED_TTL_SEC")
	case "s3":
		ttl, err = e.num(900, "WAREST_STORAGE_S3_SIGNED_TTL_SEC")
		pathStyle, perr := e.flag(false, "WAREST_STORAGE_S3_FORCE_PATH_STYLE")
		collect(perr)
		s.S3 = storage.S3Config{Endpoint: e.str("", "WAREST_STORAGE_S3_ENDPOINT"), Region: e.str("auto", "WAREST_STORAGE_S3_REGION"),
			Bucket: e.str("", "WAREST_STORAGE_S3_BUCKET"), AccessKey: e.str("", "WAREST_STORAGE_S3_KEY"),
			SecretKey: e.str("", "WAREST_STORAGE_S3_SECRET"), SessionToken: e.str("", "WAREST_STORAGE_S3_SESSION"), PathStyle: pathStyle}
		if s.S3.Bucket == "" {
			errs = append(errs, errors.New("WAREST_STORAGE_DRIVER=s3 needs WAREST_STORAGE_S3_BUCKET"))
		}
	default:
		errs = append(errs, fmt.Errorf("WAREST_STORAGE_DRIVER must be local or s3, got %q", s.Driver))
	}
	collect(err)
	if ttl <= 0 {
		ttl = 900
	}
	s.LinkTTL = time.Duration(ttl) * time.Second

	s.Mirror.LinkTTL = s.LinkTTL
	s.Mirror.Policy.Enabled, err = e.flag(true, "WAREST_DOWNLOAD_MEDIA_RECEIVED")
	collect(err)
	s.Mirror.Policy.Allow = media.DefaultMirrorTypes
	if raw := e.str("", "WAREST_DOWNLOAD_MEDIA_ALLOW_MIMETYPES"); raw != "" {
		s.Mirror.Policy.Allow = strings.Split(raw, ",")
	}
	s.Mirror.Wait, err = e.millis(10*time.Second, "WAREST_DOWNLOAD_MEDIA_WAIT_MS")
	collect(err)
	s.Mirror.Timeout, err = e.millis(2*time.Minute, "WAREST_DOWNLOAD_MEDIA_TIMEOUT_MS")
	collect(err)
	return s, errors.Join(errs...)
}

// linkPurpose labels the signing key of local storage links, derived from the secret key.
const linkPurpose = "WAREST storage link HMAC-SHA256 v1"

// storageOptions wires the configured blob store. The local store's links are
// served by the HTTP API under /storages/.
func storageOptions(cfg Config) fx.Option {
	if cfg.Storage.Driver == "s3" {
		return fx.Options(storage.S3Module, fx.Supply(cfg.Storage.S3))
	}
	return fx.Options(
		storage.LocalModule,
		fx.Provide(
			func(c Config) storage.Config {
				cfg := storage.Config{Root: c.Messaging.StorageRoot, Key: c.Messaging.StorageKey}
				if c.Storage.Public {
					cfg.PublicRoot, cfg.Public = c.Storage.PublicRoot, []string{media.MirrorPrefix, ports.TempBlobPrefix}
				}
				return cfg
			},
			func(c Config, keys secretbox.Config) (storage.LinkConfig, error) {
				key, err := secretbox.DeriveKey(keys, linkPurpose)
				if err != nil {
					return storage.LinkConfig{}, fmt.Errorf("storage link key: %w", err)
				}
				return storage.LinkConfig{BaseURL: c.Storage.BaseURL, Key: key}, nil
			},
			func(l *storage.Links) httpapi.SignedStorage { return l },
		),
	)
}
