package waserver_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"

	"github.com/warest-go/warest/test/waserver"
)

func TestMediaUploadThenDownload(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	pair(t, srv, cli, evts, waserver.NewPhone("15550001111", "100200300"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	data := bytes.Repeat([]byte("warest media "), 1000)
	up, err := cli.Upload(ctx, data, whatsmeow.MediaDocument)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	doc := &waE2E.DocumentMessage{DirectPath: &up.DirectPath, MediaKey: up.MediaKey, FileSHA256: up.FileSHA256,
		FileEncSHA256: up.FileEncSHA256, FileLength: &up.FileLength}
	// whatsmeow checks the blob's SHA-256 against the upload's before decrypting it.
	got, err := cli.Download(ctx, doc)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes, not the %d uploaded", len(got), len(data))
	}
	reqs := srv.MediaRequests()
	if len(reqs) != 2 {
		t.Fatalf("media requests = %+v, want one upload and one download", reqs)
	}
	up0, down := reqs[0], reqs[1]
	if up0.Method != "POST" || up0.Status != 200 || up0.MMSType != "document" || !strings.HasPrefix(up0.Path, "/mms/document/") {
		t.Errorf("upload = %+v", up0)
	}
	if down.Method != "GET" || down.Status != 200 || down.MMSType != "document" || down.Size != up0.Size || !strings.HasPrefix(up.DirectPath, down.Path+"?") {
		t.Errorf("download = %+v, want the %d bytes uploaded, at %s", down, up0.Size, up.DirectPath)
	}
	if n := srv.IQs("w:m", "set"); n != 1 {
		t.Errorf("media_conn IQs = %d, want 1 (the client caches the host)", n)
	}
}

func TestFailMediaAnswers500(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	pair(t, srv, cli, evts, waserver.NewPhone("15550001111", "100200300"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	data := []byte("a small image")
	srv.FailMedia(1)
	if _, err := cli.Upload(ctx, data, whatsmeow.MediaImage); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("upload during a fault: err = %v, want status 500", err)
	}
	up, err := cli.Upload(ctx, data, whatsmeow.MediaImage)
	if err != nil {
		t.Fatalf("upload after the fault: %v", err)
	}
	// whatsmeow retries 502–504 by itself, not 500: the caller sees the fault.
	img := &waE2E.ImageMessage{DirectPath: &up.DirectPath, MediaKey: up.MediaKey, FileSHA256: up.FileSHA256, FileEncSHA256: up.FileEncSHA256}
	srv.FailMedia(1)
	if _, err := cli.Download(ctx, img); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("download during a fault: err = %v, want status 500", err)
	}
	if got, err := cli.Download(ctx, img); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("download after the fault = %q, %v", got, err)
	}
	var statuses []string
	for _, r := range srv.MediaRequests() {
		statuses = append(statuses, r.Method+" "+http.StatusText(r.Status))
	}
	want := []string{"POST Internal Server Error", "POST OK", "GET Internal Server Error", "GET OK"}
	if strings.Join(statuses, ", ") != strings.Join(want, ", ") {
		t.Errorf("media requests = %v, want %v", statuses, want)
	}
}
