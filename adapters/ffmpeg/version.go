package ffmpeg

import (
	"context"
	"os/exec"
	"strings"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

var _ ports.Versioned = (*Transcoder)(nil)

// Version is the installed ffmpeg's version, from the first line of
// `ffmpeg -version` ("ffmpeg version 7.1.1-1 Copyright ...").
func (t *Transcoder) Version(ctx context.Context) (string, error) {
	if _, err := exec.LookPath(t.ffmpeg); err != nil {
		return "", fault.New(fault.KindUnavailable, ports.ReasonNoTranscoder, "ffmpeg is not installed on the server")
	}
	out, err := exec.CommandContext(ctx, t.ffmpeg, "-hide_banner", "-version").Output()
	if err != nil {
		return "", err
	}
	first, _, _ := strings.Cut(string(out), "\n")
	fields := strings.Fields(first)
	if len(fields) < 3 || fields[1] != "version" {
		return "", fault.New(fault.KindUnavailable, ports.ReasonNoTranscoder, "%s is not ffmpeg", t.ffmpeg)
	}
	return fields[2], nil
}
