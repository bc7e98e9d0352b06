// Package ffmpeg converts media with the ffmpeg binary: voice notes, GIF videos,
// stickers and WAREST's image and video compression.
package ffmpeg

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Config names the binaries; empty means "ffmpeg"/"ffprobe" on PATH
// (FFMPEG_PATH / WAREST_COMPRESS_FFMPEG_PATH).
type Config struct {
	FFmpeg  string
	FFprobe string
}

// Transcoder implements ports.MediaTranscoder.
type Transcoder struct {
	ffmpeg, ffprobe string
}

var _ ports.MediaTranscoder = (*Transcoder)(nil)

func New(cfg Config) *Transcoder {
	t := &Transcoder{ffmpeg: cfg.FFmpeg, ffprobe: cfg.FFprobe}
	if t.ffmpeg == "" {
		t.ffmpeg = "ffmpeg"
	}
	if t.ffprobe == "" {
		t.ffprobe = filepath.Join(filepath.Dir(t.ffmpeg), "ffprobe")
		if filepath.Dir(t.ffmpeg) == "." {
			t.ffprobe = "ffprobe"
		}
	}
	return t
}

// run writes in to a temporary file, runs ffmpeg with args between input and output
// (MP4 needs a seekable output for +faststart), and returns the output bytes.
func (t *Transcoder) run(ctx context.Context, in []byte, outExt string, args ...string) ([]byte, error) {
	if _, err := exec.LookPath(t.ffmpeg); err != nil {
		return nil, fault.New(fault.KindUnavailable, ports.ReasonNoTranscoder, "ffmpeg is not installed on the server")
	}
	dir, err := os.MkdirTemp("", "warest-ffmpeg-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	inPath, outPath := filepath.Join(dir, "in"), filepath.Join(dir, "out."+outExt)
	if err := os.WriteFile(inPath, in, 0o600); err != nil {
		return nil, err
	}
	full := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", inPath}, args...)
	cmd := exec.CommandContext(ctx, t.ffmpeg, append(full, outPath)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fault.Wrap(fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String())), fault.KindInvalid,
			ports.ReasonConvertFailed, "the media could not be converted")
	}
	out, err := os.ReadFile(outPath)
	if err != nil || len(out) == 0 {
		return nil, fault.New(fault.KindInvalid, ports.ReasonConvertFailed, "the media could not be converted")
	}
	return out, nil
}

// VoiceNote: WAREST's isVN conversion, Opus 48 kHz mono, -application voip, 96k.
func (t *Transcoder) VoiceNote(ctx context.Context, in []byte) ([]byte, error) {
	return t.run(ctx, in, "ogg", "-vn", "-map_metadata", "-1", "-ac", "1", "-ar", "48000", "-c:a", "libopus",
		"-b:a", "96k", "-application", "voip", "-f", "ogg")
}

// evenWidth scales to at most w pixels wide with even dimensions (H.264 needs them).
func evenWidth(w int) string {
	return fmt.Sprintf("scale='trunc(min(%d,iw)/2)*2':-2", w)
}

// GIFVideo: WAREST's video compression without sound, ready for gifPlayback.
func (t *Transcoder) GIFVideo(ctx context.Context, in []byte) ([]byte, error) {
	return t.run(ctx, in, "mp4", "-an", "-vf", evenWidth(720), "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
		"-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4")
}

// Sticker fits the image into size×size, pads it transparent and encodes WebP.
func (t *Transcoder) Sticker(ctx context.Context, in []byte, size int) ([]byte, error) {
	s := strconv.Itoa(size)
	vf := "scale=" + s + ":" + s + ":force_original_aspect_ratio=decrease,format=rgba,pad=" + s + ":" + s +
		":(ow-iw)/2:(oh-ih)/2:color=0x00000000"
	return t.run(ctx, in, "webp", "-vf", vf, "-frames:v", "1", "-c:v", "libwebp", "-quality", "80",
		"-compression_level", "4", "-f", "webp")
}

// CompressImage fits the image within maxDim (never enlarging) and writes JPEG, or
// PNG when it has an alpha channel (WAREST: PNG_TO_JPEG unless transparent).
func (t *Transcoder) CompressImage(ctx context.Context, in []byte, _ string, maxDim int) ([]byte, string, error) {
	d := strconv.Itoa(maxDim)
	vf := "scale='min(" + d + ",iw)':'min(" + d + ",ih)':force_original_aspect_ratio=decrease"
	if t.hasAlpha(ctx, in) {
		out, err := t.run(ctx, in, "png", "-vf", vf, "-frames:v", "1", "-c:v", "png", "-compression_level", "8", "-f", "image2")
		return out, "image/png", err
	}
	// -q:v 4 is about quality 82 on the mjpeg scale (2 best … 31 worst).
	out, err := t.run(ctx, in, "jpg", "-vf", vf+",format=yuvj420p", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2")
	return out, "image/jpeg", err
}

// PictureJPEG scales the image to cover size×size (enlarging a small one: WhatsApp
// shows group and profile pictures at one size), crops the centre and writes JPEG.
func (t *Transcoder) PictureJPEG(ctx context.Context, in []byte, size int) ([]byte, error) {
	d := strconv.Itoa(size)
	vf := "scale=" + d + ":" + d + ":force_original_aspect_ratio=increase,crop=" + d + ":" + d + ",format=yuvj420p"
	return t.run(ctx, in, "jpg", "-vf", vf, "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2")
}

// CompressVideo: WAREST's settings, width ≤ maxWidth, x264 crf 28 veryfast, AAC 96k.
func (t *Transcoder) CompressVideo(ctx context.Context, in []byte, maxWidth int) ([]byte, error) {
	return t.run(ctx, in, "mp4", "-vf", evenWidth(maxWidth), "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
		"-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-f", "mp4")
}

// hasAlpha asks ffprobe for the pixel format; unknown counts as opaque.
func (t *Transcoder) hasAlpha(ctx context.Context, in []byte) bool {
	cmd := exec.CommandContext(ctx, t.ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=pix_fmt",
		"-of", "default=nw=1:nk=1", "-")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	f := strings.TrimSpace(string(out))
	return strings.Contains(f, "a") && (strings.HasPrefix(f, "rgba") || strings.HasPrefix(f, "ya") ||
		strings.HasPrefix(f, "bgra") || strings.HasPrefix(f, "argb") || strings.HasPrefix(f, "abgr") || strings.Contains(f, "yuva") || f == "pal8")
}
