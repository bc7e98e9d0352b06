package storage_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warest-go/warest/adapters/storage"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/test/contract"
)

func TestBlobStoreContract_Local(t *testing.T) {
	t.Parallel()
	contract.RunBlobStore(t, func(t *testing.T) contract.BlobStoreUnderTest {
		return servedLocal(t, storage.Config{Root: t.TempDir(), Key: "a-passphrase"})
	})
}

// With a public folder: keys under incoming-media/ (and temp/) are kept in clear there.
func TestBlobStoreContract_LocalPublicFolder(t *testing.T) {
	t.Parallel()
	contract.RunBlobStore(t, func(t *testing.T) contract.BlobStoreUnderTest {
		return servedLocal(t, storage.Config{Root: t.TempDir(), Key: "a-passphrase", PublicRoot: t.TempDir(),
			Public: []string{"incoming-media", "temp/"}})
	})
}

func TestBlobStoreContract_S3(t *testing.T) {
	t.Parallel()
	srv := contract.StartS3(t)
	// One server for the suite: its tests use keys of their own.
	contract.RunBlobStore(t, func(t *testing.T) contract.BlobStoreUnderTest {
		s, err := storage.NewS3(storage.S3Config{Endpoint: srv.Endpoint, Region: "auto", Bucket: srv.Bucket,
			AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PathStyle: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// servedLocal is an encrypted local store whose signed links an HTTP server
// serves the way the gateway does: 403 for a bad link, 404 for a missing object.
func servedLocal(t *testing.T, cfg storage.Config) *storage.Links {
	t.Helper()
	l, err := storage.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var links *storage.Links
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, info, err := links.OpenSigned(r.Context(), strings.TrimPrefix(r.URL.Path, storage.StoragesPath),
			r.URL.Query().Get("expires"), r.URL.Query().Get("sig"))
		switch {
		case fault.Is(err, fault.KindForbidden):
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		defer rc.Close()
		w.Header().Set("Content-Type", info.MIME)
		_, _ = io.Copy(w, rc)
	}))
	t.Cleanup(srv.Close)
	links, err = storage.NewLinks(l, storage.LinkConfig{BaseURL: srv.URL, Key: []byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	return links
}
