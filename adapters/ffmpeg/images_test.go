package ffmpeg_test

import (
	"testing"

	"github.com/warest-go/warest/adapters/ffmpeg"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func TestEditImage_ConvertsResizesByFit(t *testing.T) {
	needFFmpeg(t)
	t.Parallel()
	tr := ffmpeg.New(ffmpeg.Config{})
	in := generate(t, "png", "-f", "lavfi", "-i", "testsrc=size=800x400", "-frames:v", "1")
	cases := []struct {
		edit          ports.ImageEdit
		codec         string
		width, height int
	}{
		{ports.ImageEdit{Format: "webp", Width: 200, Height: 200}, "webp", 200, 200}, // cover crops
		{ports.ImageEdit{Format: "jpeg", Width: 200, Height: 200, Fit: "inside", Quality: 30}, "mjpeg", 200, 100},
		{ports.ImageEdit{Format: "png", Width: 100, Height: 100, Fit: "fill"}, "png", 100, 100},
		{ports.ImageEdit{Format: "tiff", Width: 400}, "tiff", 400, 200}, // one side keeps the aspect ratio
		{ports.ImageEdit{Format: "avif", Width: 64, Height: 64, Fit: "contain"}, "av1", 64, 64},
	}
	for _, c := range cases {
		got, err := tr.EditImage(t.Context(), in, c.edit)
		if err != nil {
			t.Fatalf("%+v: %v", c.edit, err)
		}
		p := ffprobe(t, got.Data)
		if len(p.Streams) == 0 || p.Streams[0].CodecName != c.codec || got.Width != c.width || got.Height != c.height {
			t.Errorf("%+v: got %s %dx%d (probe %+v), want %s %dx%d", c.edit, got.Format, got.Width, got.Height, p.Streams, c.codec, c.width, c.height)
		}
	}
	if _, err := tr.EditImage(t.Context(), in, ports.ImageEdit{Format: "bmp"}); !fault.Is(err, fault.KindInvalid) {
		t.Errorf("bmp: err = %v, want invalid", err)
	}
	if _, err := tr.EditImage(t.Context(), []byte("not an image"), ports.ImageEdit{Format: "png"}); !fault.Is(err, fault.KindInvalid) {
		t.Errorf("garbage: err = %v, want invalid", err)
	}
}

func TestStills_ImageOnceVideoSpread(t *testing.T) {
	needFFmpeg(t)
	t.Parallel()
	tr := ffmpeg.New(ffmpeg.Config{})
	img := generate(t, "png", "-f", "lavfi", "-i", "testsrc=size=640x480", "-frames:v", "1")
	got, err := tr.Stills(t.Context(), img, false, 320, 320, 3)
	if err != nil || len(got) != 1 || got[0].Width != 320 || got[0].Height != 240 {
		t.Fatalf("image stills = %d, %v; want one 320x240", len(got), err)
	}
	video := generate(t, "mp4", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=3", "-pix_fmt", "yuv420p")
	got, err = tr.Stills(t.Context(), video, true, 160, 160, 3)
	if err != nil || len(got) != 3 {
		t.Fatalf("video stills = %d, %v; want 3", len(got), err)
	}
	for i, s := range got {
		if p := ffprobe(t, s.Data); p.Streams[0].CodecName != "mjpeg" || s.Width != 160 || s.Height != 120 {
			t.Errorf("still %d: %s %dx%d", i, p.Streams[0].CodecName, s.Width, s.Height)
		}
		if i > 0 && string(s.Data) == string(got[i-1].Data) {
			t.Errorf("still %d is the same frame as still %d", i, i-1)
		}
	}
}
