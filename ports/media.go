package ports

import (
	"context"

	"github.com/warest-go/warest/domain/fault"
)

// Reasons of media failures; the HTTP error table maps them to 413, 415, 422, 502, 503.
const (
	ReasonTooLarge        fault.Reason = "payload_too_large"
	ReasonUnsupportedType fault.Reason = "unsupported_media_type"
	ReasonBlockedFile     fault.Reason = "blocked_file"
	ReasonConvertFailed   fault.Reason = "media_convert_failed"
	ReasonFetchFailed     fault.Reason = "media_fetch_failed"
	ReasonFetchBlocked    fault.Reason = "media_fetch_blocked"
	ReasonNoTranscoder    fault.Reason = "transcoder_unavailable"
)

// MediaFetcher downloads a client-given http(s) URL. Implementations refuse private,
// loopback, link-local and metadata addresses (after DNS and on every redirect) and
// stop at limit bytes (a fault.KindTooLarge error).
type MediaFetcher interface {
	Fetch(ctx context.Context, rawURL string, limit int64) (FetchedMedia, error)
}

// FetchedMedia is a downloaded file.
type FetchedMedia struct {
	Data     []byte
	MIME     string // the Content-Type the server declared
	FileName string // from Content-Disposition or the URL path
}

// MediaTranscoder converts media for WhatsApp. Every method fails with a
// fault.KindUnavailable error when the converter (ffmpeg) is not installed.
type MediaTranscoder interface {
	// VoiceNote makes an Ogg/Opus 48 kHz mono push-to-talk note.
	VoiceNote(ctx context.Context, in []byte) ([]byte, error)
	// GIFVideo makes an H.264 MP4 without sound, for gifPlayback.
	GIFVideo(ctx context.Context, in []byte) ([]byte, error)
	// Sticker makes a size×size WebP, the image fitted and padded transparent.
	Sticker(ctx context.Context, in []byte, size int) ([]byte, error)
	// CompressImage fits an image within maxDim and re-encodes it (JPEG, or PNG when it
	// has transparency); it returns the bytes and their MIME type.
	CompressImage(ctx context.Context, in []byte, mime string, maxDim int) ([]byte, string, error)
	// PictureJPEG makes a size×size JPEG, the image's centre cropped square, as
	// WhatsApp wants group and profile pictures.
	PictureJPEG(ctx context.Context, in []byte, size int) ([]byte, error)
	// CompressVideo scales a video to at most maxWidth and encodes H.264/AAC MP4.
	CompressVideo(ctx context.Context, in []byte, maxWidth int) ([]byte, error)
	// EditImage converts, resizes and compresses an image (the misc image route).
	EditImage(ctx context.Context, in []byte, e ImageEdit) (EditedImage, error)
	// Stills makes up to count JPEG thumbnails fitted within width×height: the image
	// itself, or frames spread over a video.
	Stills(ctx context.Context, in []byte, video bool, width, height, count int) ([]EditedImage, error)
}

// ImageEdit is what to do to an image: each zero field is left as it is.
type ImageEdit struct {
	Format  string // png, jpg, webp, tiff or avif; "" keeps PNG for PNG input, else JPEG
	Width   int    // 0: from Height and the aspect ratio
	Height  int
	Fit     string // cover (default), contain, fill, inside or outside (sharp's names)
	Quality int    // 1–100; 0: the encoder's default
}

// EditedImage is an encoded image and its size in pixels.
type EditedImage struct {
	Data          []byte
	Format        string
	Width, Height int
}
