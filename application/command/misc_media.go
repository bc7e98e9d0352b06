package command

import (
	"context"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/ports"
)

// MiscMedia makes thumbnails and edits images.
type MiscMedia struct {
	clock ports.Clock
	media mediaPrep
	out   tempFiles
}

// ThumbnailInput asks for thumbnails of an image or a video.
type ThumbnailInput struct {
	File          MediaSource
	Video         bool
	Width, Height int // default 320
	Count         int // video stills, default 3, at most MaxThumbnails
	Output        string
}

// Thumbnail is one produced still.
type Thumbnail struct {
	MiscOutput
	Width, Height int
}

// Thumbnails makes JPEG stills fitted within width×height.
func (m *MiscMedia) Thumbnails(ctx context.Context, in ThumbnailInput) ([]Thumbnail, error) {
	w, h, err := sides(in.Width, in.Height, DefaultThumbSide)
	if err != nil {
		return nil, err
	}
	count := 1
	if in.Video {
		if count = in.Count; count == 0 {
			count = DefaultStills
		}
		if count < 1 || count > MaxThumbnails {
			return nil, fault.Invalid(fault.ReasonInvalidParameter, "count must be 1 to %d", MaxThumbnails)
		}
	}
	src, err := m.loadVisual(ctx, in.File, in.Video)
	if err != nil {
		return nil, err
	}
	stills, err := m.media.transcoder.Stills(ctx, src, in.Video, w, h, count)
	if err != nil {
		return nil, err
	}
	out := make([]Thumbnail, 0, len(stills))
	for _, s := range stills {
		o, err := m.out.deliver(ctx, s.Data, "image/jpeg", in.Output)
		if err != nil {
			return nil, err
		}
		out = append(out, Thumbnail{MiscOutput: o, Width: s.Width, Height: s.Height})
	}
	return out, nil
}

// sides checks a requested size; zero takes def (or, for one side of an image
// edit, the aspect ratio when def is 0).
func sides(w, h, def int) (int, int, error) {
	if w == 0 {
		w = def
	}
	if h == 0 {
		h = def
	}
	if w < 0 || h < 0 || w > MaxImageSide || h > MaxImageSide {
		return 0, 0, fault.Invalid(fault.ReasonInvalidParameter, "width and height must be 1 to %d", MaxImageSide)
	}
	return w, h, nil
}

// loadVisual loads a file (at most 50 MB) that must be an image, or a video.
func (m *MiscMedia) loadVisual(ctx context.Context, f MediaSource, video bool) ([]byte, error) {
	if m.media.transcoder == nil {
		return nil, fault.New(fault.KindUnavailable, ports.ReasonNoTranscoder, "converting media is not configured")
	}
	src, err := m.media.load(ctx, f)
	if err != nil {
		return nil, err
	}
	want := "image/"
	if video {
		want = "video/"
	}
	if got := media.Pick(media.Sniff(src.Data), src.MIME, src.FileName); !strings.HasPrefix(got, want) {
		// 400, not the send routes' 415: the reference declares no 415 for misc.
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "the file is %s, not %s", firstNonEmpty(got, "unknown"), strings.TrimSuffix(want, "/"))
	}
	return src.Data, nil
}

// ImageInput is an image and what to do to it.
type ImageInput struct {
	File     MediaSource
	Convert  string // png, jpg, jpeg, webp, tiff, avif; "" keeps the input's format when it can
	Width    int
	Height   int
	Fit      string
	Quality  int // compress: 1–100
	Output   string
	Compress bool
}

// ImageResult is the processed image and what was done.
type ImageResult struct {
	MiscOutput
	Format        string
	Width, Height int
	Actions       []string // converted, resized, compressed
	CreatedAt     time.Time
}

var imageMIMEs = map[string]string{"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "tiff": "image/tiff",
	"avif": "image/avif"}

var fits = map[string]bool{"": true, "cover": true, "contain": true, "fill": true, "inside": true, "outside": true}

// EditImage converts, resizes and compresses an image.
func (m *MiscMedia) EditImage(ctx context.Context, in ImageInput) (ImageResult, error) {
	format := strings.ToLower(in.Convert)
	if format == "jpeg" {
		format = "jpg"
	}
	if _, ok := imageMIMEs[format]; !ok && format != "" {
		return ImageResult{}, fault.Invalid(fault.ReasonInvalidParameter, "convert must be png, jpg, webp, tiff or avif")
	}
	if !fits[strings.ToLower(in.Fit)] {
		return ImageResult{}, fault.Invalid(fault.ReasonInvalidParameter, "fit must be cover, contain, fill, inside or outside")
	}
	if _, _, err := sides(in.Width, in.Height, 0); err != nil {
		return ImageResult{}, err
	}
	if in.Compress && (in.Quality < 1 || in.Quality > 100) {
		return ImageResult{}, fault.Invalid(fault.ReasonInvalidParameter, "compress.quality must be 1 to 100")
	}
	data, err := m.loadVisual(ctx, in.File, false)
	if err != nil {
		return ImageResult{}, err
	}
	var actions []string
	source := strings.TrimPrefix(media.ExtFor(media.Sniff(data)), ".")
	switch {
	case format != "" && format != source:
		actions = append(actions, "converted")
	case format == "":
		format = source
		if _, ok := imageMIMEs[format]; !ok {
			format = "png" // a GIF or BMP becomes PNG
			actions = append(actions, "converted")
		}
	}
	if in.Width > 0 || in.Height > 0 {
		actions = append(actions, "resized")
	}
	if in.Compress {
		actions = append(actions, "compressed")
	}
	img, err := m.media.transcoder.EditImage(ctx, data, ports.ImageEdit{Format: format, Width: in.Width, Height: in.Height,
		Fit: strings.ToLower(in.Fit), Quality: in.Quality})
	if err != nil {
		return ImageResult{}, err
	}
	o, err := m.out.deliver(ctx, img.Data, imageMIMEs[format], in.Output)
	if err != nil {
		return ImageResult{}, err
	}
	return ImageResult{MiscOutput: o, Format: format, Width: img.Width, Height: img.Height, Actions: append([]string{}, actions...),
		CreatedAt: m.clock.Now()}, nil
}
