package worker_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// cdn is a media downloader serving files by hash; a file listed in slow waits
// until its channel closes. It records each download.
type cdn struct {
	mu        sync.Mutex
	files     map[[32]byte][]byte
	slow      map[[32]byte]chan struct{}
	downloads []string // session/message-hash
}

func (c *cdn) DownloadMedia(ctx context.Context, m message.Inbound) (io.ReadCloser, error) {
	key := [32]byte(m.Content.Media.FileSHA256)
	c.mu.Lock()
	c.downloads = append(c.downloads, m.SessionID+"/"+m.ID)
	data, ok := c.files[key]
	gate := c.slow[key]
	c.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if !ok {
		return nil, fault.NotFound("", "no such media")
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (c *cdn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.downloads)
}

// blobMap is an in-memory blob store whose links name the key.
type blobMap struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *blobMap) Put(_ context.Context, key string, r io.Reader, mime string) (ports.BlobInfo, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return ports.BlobInfo{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = data
	sum := sha256.Sum256(data)
	return ports.BlobInfo{Size: int64(len(data)), MIME: mime, SHA256: sum[:]}, nil
}

func (b *blobMap) Open(_ context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[key]
	if !ok {
		return nil, ports.BlobInfo{}, fault.NotFound("", "no blob")
	}
	return io.NopCloser(bytes.NewReader(data)), ports.BlobInfo{Size: int64(len(data))}, nil
}

func (b *blobMap) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

func (b *blobMap) SignedURL(_ context.Context, key string, ttl time.Duration) (string, error) {
	return "https://gw.test/storages/" + key + "?ttl=" + ttl.String(), nil
}

func (b *blobMap) Driver() string { return "local" }

func (b *blobMap) get(key string) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.m[key]
}

func imageEvent(t *testing.T, id, mime string, data []byte) event.Envelope {
	t.Helper()
	sum := sha256.Sum256(data)
	msg := event.InboundMessage{ID: id, Chat: chat.UserJID("6281200000001"), Sender: chat.Party{JID: chat.UserJID("6281200000001")},
		Content: message.Content{Kind: message.KindImage, Media: &message.Media{MIME: mime, Size: int64(len(data)), FileSHA256: sum[:],
			URL: "https://mmg.whatsapp.net/v/x", DirectPath: "/v/x"}}, SentAt: time.Unix(1700000000, 0)}
	e, err := event.New(event.MessageReceived, "s1", time.Unix(1700000000, 0), msg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mirrorOf(t *testing.T, e event.Envelope) *message.Mirror {
	t.Helper()
	d, err := e.Data()
	if err != nil {
		t.Fatal(err)
	}
	return d.(event.InboundMessage).Content.Media.Mirror
}

func newMirror(t *testing.T, cfg worker.MirrorConfig, c *cdn) (*worker.Mirror, *blobMap) {
	t.Helper()
	blobs := &blobMap{m: map[string][]byte{}}
	if cfg.Policy.Allow == nil {
		cfg.Policy = media.MirrorPolicy{Enabled: true, Allow: []string{"image/*"}}
	}
	m := worker.NewMirror(cfg, c, blobs, blobs, appworld.RealClock{}, appworld.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return m, blobs
}

func TestMirror_AttachStoresTheFileAndLinksIt(t *testing.T) {
	t.Parallel()
	data := []byte("\xff\xd8 photo bytes")
	c := &cdn{files: map[[32]byte][]byte{sha256.Sum256(data): data}}
	m, blobs := newMirror(t, worker.MirrorConfig{Wait: 5 * time.Second, LinkTTL: time.Minute}, c)
	e := imageEvent(t, "M1", "image/jpeg", data)
	m.Start(e)
	got := mirrorOf(t, m.Attach(t.Context(), e))
	sum := sha256.Sum256(data)
	wantKey := "incoming-media/s1/imageMessage/" + hex.EncodeToString(sum[:]) + ".jpg"
	if got == nil || got.Key != wantKey || got.Driver != "local" || got.URL != "https://gw.test/storages/"+wantKey+"?ttl=1m0s" {
		t.Fatalf("mirror = %+v, want key %s", got, wantKey)
	}
	if !bytes.Equal(blobs.get(wantKey), data) {
		t.Fatalf("stored %q", blobs.get(wantKey))
	}
	// A retried delivery finds the copy: no second download.
	if mirrorOf(t, m.Attach(t.Context(), e)) == nil || c.count() != 1 {
		t.Fatalf("downloads = %d after a second attach, want 1", c.count())
	}
}

func TestMirror_ASlowDownloadHoldsOnlyItsOwnEventForWait(t *testing.T) {
	t.Parallel()
	slow, fast := []byte("a big video, slowly"), []byte("a small photo")
	gate := make(chan struct{})
	c := &cdn{files: map[[32]byte][]byte{sha256.Sum256(slow): slow, sha256.Sum256(fast): fast},
		slow: map[[32]byte]chan struct{}{sha256.Sum256(slow): gate}}
	m, _ := newMirror(t, worker.MirrorConfig{Wait: 300 * time.Millisecond}, c)
	slowEvent, fastEvent := imageEvent(t, "SLOW", "image/png", slow), imageEvent(t, "FAST", "image/png", fast)
	m.Start(slowEvent)
	m.Start(fastEvent)

	began := time.Now()
	if mirrorOf(t, m.Attach(t.Context(), fastEvent)) == nil {
		t.Fatal("the fast file was not mirrored while the slow one downloads")
	}
	if took := time.Since(began); took > 250*time.Millisecond {
		t.Fatalf("the fast file waited %v behind the slow one", took)
	}
	began = time.Now()
	out := m.Attach(t.Context(), slowEvent)
	if took := time.Since(began); took < 300*time.Millisecond || took > 2*time.Second {
		t.Fatalf("the slow file's event waited %v, want about the 300ms bound", took)
	}
	if mirrorOf(t, out) != nil || string(out.Payload) != string(slowEvent.Payload) {
		t.Fatal("an event whose mirror is not ready must go unchanged, with the CDN fields")
	}
	close(gate)
}

func TestMirror_OnlyAllowedTypesWhenEnabled(t *testing.T) {
	t.Parallel()
	data := []byte("%PDF-1.7")
	c := &cdn{files: map[[32]byte][]byte{sha256.Sum256(data): data}}
	for name, policy := range map[string]media.MirrorPolicy{
		"type not allowed": {Enabled: true, Allow: []string{"image/*"}},
		"mirroring off":    {Enabled: false, Allow: []string{"*/*"}},
	} {
		m, _ := newMirror(t, worker.MirrorConfig{Policy: policy, Wait: time.Second}, c)
		e := imageEvent(t, "DOC", "application/pdf", data)
		m.Start(e)
		if mirrorOf(t, m.Attach(t.Context(), e)) != nil {
			t.Fatalf("%s: mirrored", name)
		}
	}
	if c.count() != 0 {
		t.Fatalf("downloaded %d files the policy refuses", c.count())
	}
}

func TestMirror_AFailedDownloadLeavesTheCDNFieldsAndIsRetried(t *testing.T) {
	t.Parallel()
	c := &cdn{files: map[[32]byte][]byte{}}
	m, _ := newMirror(t, worker.MirrorConfig{Wait: time.Second}, c)
	e := imageEvent(t, "GONE", "image/jpeg", []byte("expired on the CDN"))
	if mirrorOf(t, m.Attach(t.Context(), e)) != nil {
		t.Fatal("mirrored media that failed to download")
	}
	m.Attach(t.Context(), e)
	if c.count() != 2 {
		t.Fatalf("downloads = %d, want a retry per delivery attempt", c.count())
	}
}
