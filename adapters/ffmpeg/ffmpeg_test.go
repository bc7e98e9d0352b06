package ffmpeg_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/warest-go/warest/adapters/ffmpeg"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("WAREST_REQUIRE_FFMPEG") == "1" {
			t.Fatal("ffmpeg is required (WAREST_REQUIRE_FFMPEG=1)")
		}
		t.Skip("!!! ffmpeg not installed: media pipeline tests NOT RUN")
	}
}

// generate makes a test input with ffmpeg's lavfi sources.
func generate(t *testing.T, ext string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "in."+ext)
	cmd := exec.Command("ffmpeg", append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate %s: %v\n%s", ext, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type probe struct {
	Format struct {
		FormatName string `json:"format_name"`
	} `json:"format"`
	Streams []struct {
		CodecType  string `json:"codec_type"`
		CodecName  string `json:"codec_name"`
		SampleRate string `json:"sample_rate"`
		Channels   int    `json:"channels"`
		Width      int    `json:"width"`
		Height     int    `json:"height"`
	} `json:"streams"`
}

func ffprobe(t *testing.T, data []byte) probe {
	t.Helper()
	cmd := exec.Command("ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVoiceNote_OggOpus48kMono(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	in := generate(t, "wav", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-ac", "2", "-ar", "44100")
	out, err := ffmpeg.New(ffmpeg.Config{}).VoiceNote(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	p := ffprobe(t, out)
	if p.Format.FormatName != "ogg" || len(p.Streams) != 1 || p.Streams[0].CodecName != "opus" ||
		p.Streams[0].SampleRate != "48000" || p.Streams[0].Channels != 1 {
		t.Fatalf("voice note %+v", p)
	}
}

func TestGIFVideo_H264MP4WithoutAudio(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	in := generate(t, "gif", "-f", "lavfi", "-i", "testsrc=size=321x240:rate=10:duration=1")
	out, err := ffmpeg.New(ffmpeg.Config{}).GIFVideo(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	p := ffprobe(t, out)
	if !bytes.Contains(out[:64], []byte("ftyp")) || len(p.Streams) != 1 || p.Streams[0].CodecName != "h264" || p.Streams[0].Width%2 != 0 {
		t.Fatalf("gif video %+v", p)
	}
}

func TestSticker_512WebP(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	in := generate(t, "png", "-f", "lavfi", "-i", "testsrc=size=800x400", "-frames:v", "1")
	out, err := ffmpeg.New(ffmpeg.Config{}).Sticker(context.Background(), in, 512)
	if err != nil {
		t.Fatal(err)
	}
	p := ffprobe(t, out)
	if string(out[8:12]) != "WEBP" || p.Streams[0].CodecName != "webp" || p.Streams[0].Width != 512 || p.Streams[0].Height != 512 {
		t.Fatalf("sticker %+v", p)
	}
}

func TestCompressImage_FitsAndPicksFormat(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	tr := ffmpeg.New(ffmpeg.Config{})
	photo := generate(t, "png", "-f", "lavfi", "-i", "testsrc=size=2000x1000", "-frames:v", "1")
	out, mime, err := tr.CompressImage(context.Background(), photo, "image/png", 1280)
	if err != nil {
		t.Fatal(err)
	}
	if p := ffprobe(t, out); mime != "image/jpeg" || p.Streams[0].Width != 1280 || p.Streams[0].Height != 640 {
		t.Fatalf("opaque png → %s %+v", mime, p)
	}
	alpha := generate(t, "png", "-f", "lavfi", "-i", "color=c=red@0.5:size=300x200,format=rgba", "-frames:v", "1")
	out, mime, err = tr.CompressImage(context.Background(), alpha, "image/png", 1280)
	if err != nil {
		t.Fatal(err)
	}
	if p := ffprobe(t, out); mime != "image/png" || p.Streams[0].Width != 300 {
		t.Fatalf("transparent png → %s %+v (must stay PNG and never grow)", mime, p)
	}
}

func TestPictureJPEG_640SquareEvenFromWideOrTransparent(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	tr := ffmpeg.New(ffmpeg.Config{})
	for name, in := range map[string][]byte{
		"wide":        generate(t, "png", "-f", "lavfi", "-i", "testsrc=size=1200x300", "-frames:v", "1"),
		"small tall":  generate(t, "png", "-f", "lavfi", "-i", "testsrc=size=200x300", "-frames:v", "1"),
		"small alpha": generate(t, "png", "-f", "lavfi", "-i", "color=c=red@0.5:size=100x200,format=rgba", "-frames:v", "1"),
	} {
		out, err := tr.PictureJPEG(context.Background(), in, 640)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p := ffprobe(t, out); !bytes.HasPrefix(out, []byte{0xFF, 0xD8, 0xFF}) || p.Streams[0].Width != 640 || p.Streams[0].Height != 640 {
			t.Fatalf("%s → %+v, want a 640x640 JPEG", name, p)
		}
	}
}

func TestCompressVideo_720WideH264AAC(t *testing.T) {
	t.Parallel()
	needFFmpeg(t)
	in := generate(t, "mkv", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=10:duration=1", "-f", "lavfi", "-i", "sine=duration=1",
		"-shortest", "-c:v", "mpeg4", "-c:a", "pcm_s16le")
	out, err := ffmpeg.New(ffmpeg.Config{}).CompressVideo(context.Background(), in, 720)
	if err != nil {
		t.Fatal(err)
	}
	codecs := map[string]string{}
	p := ffprobe(t, out)
	for _, s := range p.Streams {
		codecs[s.CodecType] = s.CodecName
		if s.CodecType == "video" && (s.Width != 720 || s.Height != 406) {
			t.Fatalf("video size %dx%d", s.Width, s.Height)
		}
	}
	if codecs["video"] != "h264" || codecs["audio"] != "aac" {
		t.Fatalf("codecs %v", codecs)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	_, err := ffmpeg.New(ffmpeg.Config{FFmpeg: "/nonexistent/ffmpeg"}).VoiceNote(context.Background(), []byte("x"))
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.KindUnavailable || fe.Reason != ports.ReasonNoTranscoder {
		t.Fatalf("missing ffmpeg: %v", err)
	}
	needFFmpeg(t)
	_, err = ffmpeg.New(ffmpeg.Config{}).VoiceNote(context.Background(), []byte("not audio at all"))
	if fe, ok := fault.As(err); !ok || fe.Reason != ports.ReasonConvertFailed {
		t.Fatalf("garbage input: %v", err)
	}
}
