package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/ffmpeg"
	"github.com/warest-go/warest/adapters/mediafetch"
	"github.com/warest-go/warest/application/command"
)

// Messaging is the configuration of limits and media, from WAREST's variables.
type Messaging struct {
	Limits       command.Limits
	Media        command.MediaConfig
	MediaLimit   int64 // per request body of the media routes (FILE_RAW_LIMIT_MB)
	FetchTimeout time.Duration
	FFmpeg       string
	StorageRoot  string
	StorageKey   string // empty: blobs are stored in clear
	// MediaRetention is how long outbound media outlives its messages' last change
	// once all are sent or failed; 0 keeps it forever.
	MediaRetention time.Duration
	// HistoryRetention is how long sessions keep their chat history unless one
	// sets its own; 0 keeps it forever.
	HistoryRetention time.Duration
	// SendExpiry is how long a message may wait in the queue for its session (the
	// session disconnected) before it fails as expired; 0 lets it wait forever.
	SendExpiry time.Duration
}

// loadMessaging reads RATE_LIMIT_*, QUOTA_*, SPAM_COOLDOWN_MS, the media limits and
// WAREST_COMPRESS_*; ours: WAREST_PACE_MS, WAREST_QUOTA_PER_KEY (keyId=max,…),
// WAREST_OUTBOUND_MEDIA_RETENTION_MS, WAREST_SEND_EXPIRY_MS, WAREST_HISTORY_RETENTION_DAYS.
func loadMessaging(e env, dataDir string) (Messaging, error) {
	m := Messaging{Limits: command.DefaultLimits, Media: command.DefaultMedia}
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	m.Limits.Rate.Size, err = e.millis(time.Minute, "RATE_LIMIT_WINDOW_MS")
	collect(err)
	m.Limits.Rate.Limit, err = e.num(120, "RATE_LIMIT_MAX")
	collect(err)
	m.Limits.Quota.Size, err = e.millis(time.Minute, "QUOTA_WINDOW_MS")
	collect(err)
	m.Limits.Quota.Limit, err = e.num(500, "QUOTA_MAX")
	collect(err)
	m.Limits.Cooldown, err = e.millis(3*time.Second, "SPAM_COOLDOWN_MS")
	collect(err)
	m.Limits.Pace, err = e.millis(0, "WAREST_PACE_MS")
	collect(err)
	m.Limits.QuotaPerKey, err = e.keyLimits("WAREST_QUOTA_PER_KEY")
	collect(err)
	mb, err := e.num(int(m.Media.PerFileLimit>>20), "MEDIA_PER_FILE_MB")
	collect(err)
	m.Media.PerFileLimit = int64(mb) << 20
	mb, err = e.num(100, "FILE_RAW_LIMIT_MB")
	collect(err)
	m.MediaLimit = int64(mb) << 20
	m.FetchTimeout, err = e.millis(time.Minute, "UPLOAD_FETCH_TIMEOUT_MS")
	collect(err)
	m.Media.ImageMaxDim, err = e.num(m.Media.ImageMaxDim, "WAREST_COMPRESS_IMAGE_MAX_DIMENSION")
	collect(err)
	m.Media.VideoMaxWidth, err = e.num(m.Media.VideoMaxWidth, "WAREST_COMPRESS_VIDEO_MAX_WIDTH")
	collect(err)
	m.Media.CompressDisabled = e.str("true", "WAREST_COMPRESS_ENABLED") == "false"
	m.MediaRetention, err = e.millis(24*time.Hour, "WAREST_OUTBOUND_MEDIA_RETENTION_MS")
	collect(err)
	m.SendExpiry, err = e.millis(command.DefaultConfig.SendExpiry, "WAREST_SEND_EXPIRY_MS")
	collect(err)
	days, err := e.num(0, "WAREST_HISTORY_RETENTION_DAYS")
	collect(err)
	m.HistoryRetention = time.Duration(days) * 24 * time.Hour
	m.FFmpeg = e.str("", "FFMPEG_PATH", "WAREST_COMPRESS_FFMPEG_PATH")
	m.StorageRoot = e.str(filepath.Join(dataDir, "private", "storages"), "WAREST_STORAGE_LOCAL_PRIVATE_PATH", "WAREST_STORAGE_LOCAL_PATH")
	if e.str("true", "WAREST_STORAGE_LOCAL_ENCRYPT_PRIVATE", "WAREST_STORAGE_LOCAL_ENCRYPT") != "false" {
		m.StorageKey = e.str("warest-storage-secret", "WAREST_STORAGE_LOCAL_ENCRYPTION_KEY", "WAREST_STORAGE_SHARED_SECRET",
			"WAREST_WEBHOOK_DEFAULT_SECRET")
	}
	if m.Limits.Rate.Size > 0 && m.Limits.Rate.Size < time.Second {
		errs = append(errs, fmt.Errorf("RATE_LIMIT_WINDOW_MS must be at least 1000"))
	}
	return m, errors.Join(errs...)
}

// keyLimits reads "keyId=max,keyId=max".
func (e env) keyLimits(name string) (map[string]int, error) {
	raw := e.str("", name)
	if raw == "" {
		return nil, nil
	}
	out := map[string]int{}
	for _, pair := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || k == "" || err != nil || n < 0 {
			return nil, fmt.Errorf("%s must be keyId=max pairs separated by commas, got %q", name, pair)
		}
		out[strings.TrimSpace(k)] = n
	}
	return out, nil
}

// messagingOptions wires the media adapters.
func messagingOptions(cfg Config) fx.Option {
	return fx.Options(
		storageOptions(cfg),
		mediafetch.Module,
		ffmpeg.Module,
		fx.Provide(
			func(c Config) mediafetch.Config { return mediafetch.Config{Timeout: c.Messaging.FetchTimeout} },
			func(c Config) ffmpeg.Config { return ffmpeg.Config{FFmpeg: c.Messaging.FFmpeg} },
		),
	)
}
