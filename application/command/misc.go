package command

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/ports"
)

// The misc utilities' bounds (WAREST: 50 MB files).
const (
	MaxMiscFileBytes = 50 << 20
	MaxThumbnails    = 10
	MaxImageSide     = 4096
	DefaultThumbSide = 320
	DefaultStills    = 3
)

// MiscConfig tunes the misc utilities.
type MiscConfig struct {
	// TempTTL is how long a stored misc output (output=url|file) and its link live
	// (WAREST_STORAGE_TEMP_TTL_SEC: 300 s, at least 60 s): the temp sweeper's TTL.
	TempTTL time.Duration
}

// DefaultMisc matches WAREST.
var DefaultMisc = MiscConfig{TempTTL: 300 * time.Second}

// The misc utilities, one handler per family: MiscCodes (QR, base64), MiscCrypto
// (WhatsApp media and poll votes), MiscAddresses (numbers and JIDs), MiscMedia
// (thumbnails, images) and MiscIDs (identifiers, hashes). Those that produce files
// answer them through tempFiles.

// Output modes of a misc result.
const (
	OutputBase64 = "base64" // a data URI in the answer
	OutputURL    = "url"
	OutputFile   = "file"
)

// MiscOutput is a produced file as the client gets it: a data URI, or where it was
// stored.
type MiscOutput struct {
	Mode      string
	DataURI   string // OutputBase64
	Key       string // OutputURL, OutputFile: the blob key
	URL       string // OutputURL: a signed link to Key, valid until ExpiresAt
	MIME      string
	Size      int64
	ExpiresAt time.Time // stored outputs are temporary
}

// tempFiles answers produced files: inline, or stored under ports.TempBlobPrefix,
// where the temp sweeper deletes them once the TTL has passed.
type tempFiles struct {
	ttl   time.Duration
	blobs ports.BlobStore // nil: output url|file answers 503
	links ports.BlobLinks // nil: output url answers 503
	clock ports.Clock
	ids   ports.IDs
}

func newTempFiles(cfg MiscConfig, d Deps) tempFiles {
	return tempFiles{ttl: max(cfg.TempTTL, time.Minute), blobs: d.Blobs, links: d.Links, clock: d.Clock, ids: d.IDs}
}

// deliver answers data in mode: inline as a data URI, or stored as a temporary
// file (with a signed link for output url).
func (t tempFiles) deliver(ctx context.Context, data []byte, mime, mode string) (MiscOutput, error) {
	switch mode {
	case "", OutputBase64:
		return MiscOutput{Mode: OutputBase64, DataURI: "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data),
			MIME: mime, Size: int64(len(data))}, nil
	case OutputURL, OutputFile:
	default:
		return MiscOutput{}, fault.Invalid(fault.ReasonInvalidParameter, "output must be base64, url or file")
	}
	if t.blobs == nil {
		return MiscOutput{}, fault.New(fault.KindUnavailable, "", "file storage is not configured")
	}
	if mode == OutputURL && t.links == nil {
		return MiscOutput{}, fault.New(fault.KindUnavailable, "", "storage links are not configured: ask for output file")
	}
	now := t.clock.Now().UTC()
	key := ports.TempBlobPrefix + "misc/" + now.Format("2006-01-02") + "/" + strings.ToLower(t.ids.NewID()) + "." + extOf(mime)
	info, err := t.blobs.Put(ctx, key, bytes.NewReader(data), mime)
	if err != nil {
		return MiscOutput{}, err
	}
	out := MiscOutput{Mode: mode, Key: key, MIME: mime, Size: info.Size, ExpiresAt: now.Add(t.ttl)}
	if mode == OutputURL {
		if out.URL, err = t.links.SignedURL(ctx, key, t.ttl); err != nil {
			return MiscOutput{}, err
		}
	}
	return out, nil
}

// extOf names a stored output's extension; media knows no TIFF, AVIF or SVG.
func extOf(mime string) string {
	if e, ok := map[string]string{"image/svg+xml": "svg", "image/tiff": "tiff", "image/avif": "avif"}[mime]; ok {
		return e
	}
	if e := media.ExtFor(mime); e != "" {
		return e
	}
	return "bin"
}
