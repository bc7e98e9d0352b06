package sandbox

import (
	"bytes"
	"io"
	"testing"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func TestDownloadMediaServesTheBytesThePersonSent(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	data := []byte("\x89PNG a picture")
	if _, err := n.Inject("s1", ports.SandboxInbound{From: "628333333333", MediaData: data,
		Content: message.Content{Kind: message.KindImage, Media: &message.Media{MIME: "image/png"}}}); err != nil {
		t.Fatal(err)
	}
	msg := waitFor[ports.TransportMessage](t, sink, 1)[0].Message
	got := msg.Content
	if got.Media.Size != int64(len(data)) || len(got.Media.FileSHA256) != 32 {
		t.Fatalf("media = %+v, want the file's size and hash", got.Media)
	}
	rc, err := n.DownloadMedia(t.Context(), msg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	if !bytes.Equal(b, data) {
		t.Fatalf("downloaded %q", b)
	}
	unknown := message.Content{Kind: message.KindImage, Media: &message.Media{MIME: "image/png", FileSHA256: make([]byte, 32)}}
	if _, err := n.DownloadMedia(t.Context(), message.Inbound{SessionID: "s1", Content: unknown}); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("media sent without bytes: %v, want not found", err)
	}
	if _, err := n.DownloadMedia(t.Context(), message.Inbound{SessionID: "nobody", Content: got}); err == nil {
		t.Fatal("a session that is not paired downloaded media")
	}
}
