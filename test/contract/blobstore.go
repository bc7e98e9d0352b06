package contract

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// BlobStoreUnderTest is a blob store and the links it issues to its objects.
type BlobStoreUnderTest interface {
	ports.BlobStore
	ports.BlobLinks
	ports.BlobExpirer
}

// RunBlobStore checks a blob store and its signed links. open must return an empty
// store per call; its links must be served (GET) while the test runs.
func RunBlobStore(t *testing.T, open func(t *testing.T) BlobStoreUnderTest) {
	tests := []struct {
		name string
		run  func(t *testing.T, s BlobStoreUnderTest)
	}{
		{"blobstore/put then open returns the bytes, size and type", blobRoundTrip},
		{"blobstore/put replaces an object", blobReplace},
		{"blobstore/a missing key is not found; delete repeats", blobMissing},
		{"blobstore/keys are sanitised the same way on every driver", blobSanitisedKeys},
		{"blobstore/a large object streams intact", blobLarge},
		{"blobstore/a signed link GETs the bytes without a key", blobSignedLink},
		{"blobstore/an altered or expired link is refused", blobLinkRefused},
		{"blobstore/delete older removes only old objects under the prefix", blobDeleteOlder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

func put(t *testing.T, s ports.BlobStore, key string, body []byte, mime string) ports.BlobInfo {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(body), mime)
	must(t, err)
	return info
}

func read(t *testing.T, s ports.BlobStore, key string) ([]byte, ports.BlobInfo) {
	t.Helper()
	rc, info, err := s.Open(t.Context(), key)
	must(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	must(t, err)
	return b, info
}

func blobRoundTrip(t *testing.T, s BlobStoreUnderTest) {
	body := []byte("\xff\xd8 a jpeg, more or less")
	info := put(t, s, "incoming-media/s1/imageMessage/abc.jpg", body, "image/jpeg")
	sum := sha256.Sum256(body)
	equal(t, info, ports.BlobInfo{Size: int64(len(body)), MIME: "image/jpeg", SHA256: sum[:]})
	got, gotInfo := read(t, s, "incoming-media/s1/imageMessage/abc.jpg")
	equal(t, got, body)
	equal(t, [2]any{gotInfo.Size, gotInfo.MIME}, [2]any{int64(len(body)), "image/jpeg"})
	if gotInfo.SHA256 != nil {
		equal(t, gotInfo.SHA256, sum[:])
	}
}

func blobReplace(t *testing.T, s BlobStoreUnderTest) {
	put(t, s, "k/a.txt", []byte("first"), "text/plain")
	put(t, s, "k/a.txt", []byte("second, longer"), "text/csv")
	got, info := read(t, s, "k/a.txt")
	equal(t, string(got), "second, longer")
	equal(t, info.MIME, "text/csv")
}

func blobMissing(t *testing.T, s BlobStoreUnderTest) {
	if _, _, err := s.Open(t.Context(), "no/such.bin"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("open missing: %v, want not found", err)
	}
	put(t, s, "gone.bin", []byte("x"), "application/octet-stream")
	must(t, s.Delete(t.Context(), "gone.bin"))
	must(t, s.Delete(t.Context(), "gone.bin"))
	if _, _, err := s.Open(t.Context(), "gone.bin"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("open deleted: %v, want not found", err)
	}
	if _, err := s.Put(t.Context(), "../..", bytes.NewReader(nil), ""); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("put to an empty key: %v, want invalid", err)
	}
}

func blobSanitisedKeys(t *testing.T, s BlobStoreUnderTest) {
	put(t, s, "a/../b c/d?.txt", []byte("clean"), "text/plain")
	got, _ := read(t, s, "a/b_c/d_.txt")
	equal(t, string(got), "clean")
}

func blobLarge(t *testing.T, s BlobStoreUnderTest) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB: more than one S3 part
	info := put(t, s, "big.bin", body, "application/octet-stream")
	equal(t, info.Size, int64(len(body)))
	got, _ := read(t, s, "big.bin")
	if !bytes.Equal(got, body) {
		t.Fatalf("read %d bytes back, not the %d written", len(got), len(body))
	}
}

func httpGet(t *testing.T, link string) (int, []byte) {
	t.Helper()
	res, err := http.Get(link)
	must(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(t, err)
	return res.StatusCode, b
}

func blobSignedLink(t *testing.T, s BlobStoreUnderTest) {
	body := []byte("signed bytes")
	put(t, s, "incoming-media/s1/documentMessage/f.pdf", body, "application/pdf")
	link, err := s.SignedURL(t.Context(), "incoming-media/s1/documentMessage/f.pdf", time.Minute)
	must(t, err)
	status, got := httpGet(t, link)
	equal(t, status, http.StatusOK)
	equal(t, got, body)
	if s.Driver() != "local" && s.Driver() != "s3" {
		t.Fatalf("driver %q", s.Driver())
	}
}

func blobLinkRefused(t *testing.T, s BlobStoreUnderTest) {
	put(t, s, "p/one.txt", []byte("one"), "text/plain")
	put(t, s, "p/two.txt", []byte("two"), "text/plain")
	link, err := s.SignedURL(t.Context(), "p/one.txt", time.Minute)
	must(t, err)
	for name, altered := range map[string]string{
		"other key":    strings.Replace(link, "one.txt", "two.txt", 1),
		"later expiry": alterQuery(t, link, func(q url.Values) { bump(q, "expires"); bump(q, "X-Amz-Expires") }),
	} {
		if status, body := httpGet(t, altered); status != http.StatusForbidden {
			t.Fatalf("%s: status %d (%s), want 403", name, status, body)
		}
	}
	short, err := s.SignedURL(t.Context(), "p/one.txt", time.Second)
	must(t, err)
	time.Sleep(2100 * time.Millisecond)
	if status, _ := httpGet(t, short); status != http.StatusForbidden {
		t.Fatalf("expired link: status %d, want 403", status)
	}
}

func alterQuery(t *testing.T, link string, fn func(url.Values)) string {
	t.Helper()
	u, err := url.Parse(link)
	must(t, err)
	q := u.Query()
	fn(q)
	u.RawQuery = q.Encode()
	return u.String()
}

// bump makes a numeric query parameter, when present, one larger.
func bump(q url.Values, name string) {
	if v := q.Get(name); v != "" {
		q.Set(name, v+"0")
	}
}

func blobDeleteOlder(t *testing.T, s BlobStoreUnderTest) {
	put(t, s, ports.TempBlobPrefix+"qr/a.png", []byte("a"), "image/png")
	put(t, s, ports.TempBlobPrefix+"b.png", []byte("b"), "image/png")
	put(t, s, "tempest/c.png", []byte("c"), "image/png")
	n, err := s.DeleteOlder(t.Context(), ports.TempBlobPrefix, time.Now().Add(-time.Hour))
	must(t, err)
	equal(t, n, 0)
	read(t, s, ports.TempBlobPrefix+"b.png")

	n, err = s.DeleteOlder(t.Context(), ports.TempBlobPrefix, time.Now().Add(time.Minute))
	must(t, err)
	equal(t, n, 2)
	for _, k := range []string{ports.TempBlobPrefix + "qr/a.png", ports.TempBlobPrefix + "b.png"} {
		if _, _, err := s.Open(t.Context(), k); !fault.Is(err, fault.KindNotFound) {
			t.Fatalf("%s after the sweep: %v, want not found", k, err)
		}
	}
	got, _ := read(t, s, "tempest/c.png") // another prefix, however alike
	equal(t, string(got), "c")
	n, err = s.DeleteOlder(t.Context(), "nothing-here/", time.Now().Add(time.Minute))
	must(t, err)
	equal(t, n, 0)
}
