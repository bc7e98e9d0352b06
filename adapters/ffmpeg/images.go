package ffmpeg

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// encoders are the output arguments of each image format; q is the quality 1–100.
var encoders = map[string]func(q int) []string{
	"png": func(int) []string { return []string{"-c:v", "png", "-compression_level", "8", "-f", "image2"} },
	"jpg": func(q int) []string {
		// mjpeg's scale runs from 2 (best) to 31 (worst); quality 80 is about 8.
		return []string{"-pix_fmt", "yuvj420p", "-c:v", "mjpeg", "-q:v", strconv.Itoa(2 + (100-q)*29/99), "-f", "image2"}
	},
	"webp": func(q int) []string { return []string{"-c:v", "libwebp", "-quality", strconv.Itoa(q), "-f", "webp"} },
	"tiff": func(int) []string { return []string{"-c:v", "tiff", "-f", "image2"} },
	"avif": func(q int) []string {
		// libaom's crf runs from 0 (lossless) to 63.
		return []string{"-c:v", "libaom-av1", "-still-picture", "1", "-crf", strconv.Itoa((100 - q) * 63 / 100), "-cpu-used", "8", "-f", "avif"}
	},
}

// EditImage converts, resizes and compresses one image.
func (t *Transcoder) EditImage(ctx context.Context, in []byte, e ports.ImageEdit) (ports.EditedImage, error) {
	format := e.Format
	if format == "jpeg" {
		format = "jpg"
	}
	enc, ok := encoders[format]
	if !ok {
		return ports.EditedImage{}, fault.Invalid(fault.ReasonInvalidParameter, "cannot write images as %q", e.Format)
	}
	q := e.Quality
	if q <= 0 || q > 100 {
		q = 80
	}
	args := []string{"-frames:v", "1"}
	if vf := fitFilter(e.Width, e.Height, e.Fit); vf != "" {
		args = append(args, "-vf", vf)
	}
	out, err := t.run(ctx, in, format, append(args, enc(q)...)...)
	if err != nil {
		return ports.EditedImage{}, err
	}
	w, h := t.dimensions(ctx, out)
	return ports.EditedImage{Data: out, Format: format, Width: w, Height: h}, nil
}

// fitFilter scales to width×height the way sharp's fit option does; one side alone
// keeps the aspect ratio; neither leaves the size.
func fitFilter(w, h int, fit string) string {
	switch {
	case w <= 0 && h <= 0:
		return ""
	case w <= 0:
		return fmt.Sprintf("scale=-2:%d", h)
	case h <= 0:
		return fmt.Sprintf("scale=%d:-2", w)
	}
	size := fmt.Sprintf("%d:%d", w, h)
	switch fit {
	case "fill":
		return "scale=" + size
	case "inside":
		return "scale=" + size + ":force_original_aspect_ratio=decrease"
	case "outside":
		return "scale=" + size + ":force_original_aspect_ratio=increase"
	case "contain":
		return "scale=" + size + ":force_original_aspect_ratio=decrease,pad=" + size + ":(ow-iw)/2:(oh-ih)/2:color=black@0"
	}
	return "scale=" + size + ":force_original_aspect_ratio=increase,crop=" + size // cover
}

// Stills makes JPEG thumbnails: the image fitted within width×height, or count
// frames of a video taken at even steps through it (never its black first frame).
func (t *Transcoder) Stills(ctx context.Context, in []byte, video bool, width, height, count int) ([]ports.EditedImage, error) {
	args := []string{"-frames:v", "1", "-vf", fitFilter(width, height, "inside")}
	args = append(args, encoders["jpg"](80)...)
	if !video {
		out, err := t.run(ctx, in, "jpg", args...)
		if err != nil {
			return nil, err
		}
		w, h := t.dimensions(ctx, out)
		return []ports.EditedImage{{Data: out, Format: "jpg", Width: w, Height: h}}, nil
	}
	duration := t.duration(ctx, in)
	stills := make([]ports.EditedImage, 0, count)
	for i := range count {
		at := duration * float64(i+1) / float64(count+1)
		out, err := t.run(ctx, in, "jpg", append([]string{"-ss", strconv.FormatFloat(at, 'f', 3, 64)}, args...)...)
		if err != nil {
			return nil, err
		}
		w, h := t.dimensions(ctx, out)
		stills = append(stills, ports.EditedImage{Data: out, Format: "jpg", Width: w, Height: h})
	}
	return stills, nil
}

// dimensions asks ffprobe for the first video stream's size; 0×0 when it cannot say.
func (t *Transcoder) dimensions(ctx context.Context, data []byte) (int, int) {
	out := t.probe(ctx, data, "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x")
	w, h, _ := strings.Cut(out, "x")
	wi, _ := strconv.Atoi(w)
	hi, _ := strconv.Atoi(h)
	return wi, hi
}

// duration is the media's length in seconds; 0 when ffprobe cannot say (the first
// frame is then every still).
func (t *Transcoder) duration(ctx context.Context, data []byte) float64 {
	d, _ := strconv.ParseFloat(t.probe(ctx, data, "-show_entries", "format=duration", "-of", "default=nw=1:nk=1"), 64)
	return d
}

// probe runs ffprobe on a file, not a pipe: TIFF and MP4 with the index at the
// end cannot be read from a stream.
func (t *Transcoder) probe(ctx context.Context, data []byte, args ...string) string {
	f, err := os.CreateTemp("", "warest-ffprobe-")
	if err != nil {
		return ""
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if cerr := f.Close(); err != nil || cerr != nil {
		return ""
	}
	out, err := exec.CommandContext(ctx, t.ffprobe, append(append([]string{"-v", "error"}, args...), f.Name())...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
