package ffmpeg_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warest-go/warest/adapters/ffmpeg"
	"github.com/warest-go/warest/domain/fault"
)

func TestVersionOfTheInstalledFFmpeg(t *testing.T) {
	needFFmpeg(t)
	got, err := ffmpeg.New(ffmpeg.Config{}).Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("ffmpeg", "-version").Output()
	if got == "" || !strings.HasPrefix(string(out), "ffmpeg version "+got+" ") {
		t.Fatalf("version %q, ffmpeg says %q", got, strings.SplitN(string(out), "\n", 2)[0])
	}
}

func TestVersionFailsWithoutFFmpeg(t *testing.T) {
	_, err := ffmpeg.New(ffmpeg.Config{FFmpeg: filepath.Join(t.TempDir(), "no-ffmpeg")}).Version(context.Background())
	if !fault.Is(err, fault.KindUnavailable) {
		t.Fatalf("missing binary: %v", err)
	}
	// Something else installed under its name is not ffmpeg either.
	fake := filepath.Join(t.TempDir(), "ffmpeg")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ffmpeg.New(ffmpeg.Config{FFmpeg: fake}).Version(context.Background()); !fault.Is(err, fault.KindUnavailable) {
		t.Fatalf("not ffmpeg: %v", err)
	}
}
