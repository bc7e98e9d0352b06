package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

// mediaHook records the media block of each message_received webhook.
type mediaHook struct {
	mu    sync.Mutex
	media []receivedMedia
}

type receivedMedia struct {
	URL           string `json:"url"`
	DirectPath    string `json:"directPath"`
	StorageKey    string `json:"storageKey"`
	StorageDriver string `json:"storageDriver"`
	MimeType      string `json:"mimeType"`
}

func (h *mediaHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Data struct {
			Media *receivedMedia `json:"media"`
		} `json:"data"`
	}
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &b)
	if r.Header.Get("X-WAREST-Event") == "message_received" && b.Data.Media != nil {
		h.mu.Lock()
		h.media = append(h.media, *b.Data.Media)
		h.mu.Unlock()
	}
	w.WriteHeader(http.StatusOK)
}

func (h *mediaHook) first() (receivedMedia, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.media) == 0 {
		return receivedMedia{}, false
	}
	return h.media[0], true
}

func TestMediaMirror_LocalStore(t *testing.T) {
	t.Parallel()
	mirrorScenario(t, "local", map[string]string{"WAREST_STORAGE_LOCAL_SIGNED_TTL_SEC": "4"})
}

func TestMediaMirror_LocalPublicFolder(t *testing.T) {
	t.Parallel()
	public := t.TempDir()
	m, photo := mirrorScenario(t, "local", map[string]string{"WAREST_STORAGE_LOCAL_SIGNED_TTL_SEC": "4",
		"WAREST_STORAGE_LOCAL_DEFAULT_VISIBILITY": "public", "WAREST_STORAGE_LOCAL_PUBLIC_PATH": public})
	if onDisk, err := os.ReadFile(filepath.Join(public, filepath.FromSlash(m.StorageKey))); err != nil || !bytes.Equal(onDisk, photo) {
		t.Fatalf("the public folder holds %d bytes (%v), want the photo in clear", len(onDisk), err)
	}
}

func TestMediaMirror_S3(t *testing.T) {
	t.Parallel()
	s3 := contract.StartS3(t)
	mirrorScenario(t, "s3", map[string]string{"WAREST_STORAGE_DRIVER": "s3", "WAREST_STORAGE_S3_ENDPOINT": s3.Endpoint,
		"WAREST_STORAGE_S3_BUCKET": s3.Bucket, "WAREST_STORAGE_S3_KEY": s3.AccessKey, "WAREST_STORAGE_S3_SECRET": s3.SecretKey,
		"WAREST_STORAGE_S3_FORCE_PATH_STYLE": "true", "WAREST_STORAGE_S3_SIGNED_TTL_SEC": "4"})
}

// mirrorScenario: a virtual person sends an image; the receiver's message_received
// carries a signed link to the mirrored copy, which returns the same bytes, and is
// refused (403) once altered or expired.
func mirrorScenario(t *testing.T, driver string, env map[string]string) (receivedMedia, []byte) {
	s := startServer(t, env)
	hook := &mediaHook{}
	srv := httptest.NewServer(hook)
	t.Cleanup(srv.Close)
	key := openShop(t, s, "mirror-"+driver)
	subscribe(t, s, key, srv.URL)

	photo := bytes.Repeat([]byte("\xff\xd8\xff\xe0 a photo "), 4096)
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/shop/inbound", key, map[string]any{"from": "6281300000003", "kind": "image",
		"text": "look", "media": map[string]any{"mime": "image/jpeg", "data": base64.StdEncoding.EncodeToString(photo)}}); status != 200 {
		t.Fatalf("inbound: %d %+v", status, env)
	}
	var m receivedMedia
	eventually(t, "message_received with media", func() bool {
		var ok bool
		m, ok = hook.first()
		return ok
	})
	if m.StorageDriver != driver || !strings.HasPrefix(m.StorageKey, "incoming-media/shop/imageMessage/") ||
		!strings.HasSuffix(m.StorageKey, ".jpg") || m.DirectPath != "" {
		t.Fatalf("media block %+v is not a mirrored copy on %s", m, driver)
	}
	if status, body := get(t, m.URL); status != http.StatusOK || !bytes.Equal(body, photo) {
		t.Fatalf("GET the link: %d, %d bytes; want 200 and the %d bytes sent", status, len(body), len(photo))
	}
	if status, _ := get(t, tamper(t, m.URL)); status != http.StatusForbidden {
		t.Fatalf("an altered link answered %d, want 403", status)
	}
	time.Sleep(5 * time.Second) // past the 4 s link lifetime
	if status, _ := get(t, m.URL); status != http.StatusForbidden {
		t.Fatalf("an expired link answered %d, want 403", status)
	}
	return m, photo
}

func get(t *testing.T, link string) (int, []byte) {
	t.Helper()
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// tamper changes the last character of the link's signature.
func tamper(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for _, name := range []string{"sig", "X-Amz-Signature"} {
		if v := q.Get(name); v != "" {
			last := v[len(v)-1]
			repl := "A"
			if last == 'A' {
				repl = "B"
			}
			q.Set(name, v[:len(v)-1]+repl)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	t.Fatalf("link %s has no signature", link)
	return ""
}
