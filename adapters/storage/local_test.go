package storage_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/warest-go/warest/adapters/storage"
	"github.com/warest-go/warest/domain/fault"
)

func TestLocal_RoundTripPlainAndEncrypted(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "a-passphrase", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		t.Run("key="+key, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			l, err := storage.New(storage.Config{Root: root, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			body := []byte("secret voice note bytes")
			info, err := l.Put(t.Context(), "outbound/../x/a b.ogg", bytes.NewReader(body), "audio/ogg")
			if err != nil || info.Size != int64(len(body)) || len(info.SHA256) != 32 {
				t.Fatalf("put = %+v, %v", info, err)
			}
			onDisk, err := os.ReadFile(filepath.Join(root, "outbound", "x", "a_b.ogg"))
			if err != nil {
				t.Fatal(err)
			}
			if encrypted := !bytes.Equal(onDisk, body); encrypted != (key != "") {
				t.Fatalf("encrypted on disk = %v with key %q", encrypted, key)
			}
			rc, got, err := l.Open(t.Context(), "outbound/../x/a b.ogg")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			if !bytes.Equal(b, body) || got.MIME != "audio/ogg" || got.Size != info.Size {
				t.Fatalf("open = %q %+v", b, got)
			}
			if err := l.Delete(t.Context(), "outbound/../x/a b.ogg"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := l.Open(t.Context(), "outbound/../x/a b.ogg"); !fault.Is(err, fault.KindNotFound) {
				t.Fatalf("after delete: %v", err)
			}
		})
	}
}

func TestLocal_WrongKeyFails(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	a, _ := storage.New(storage.Config{Root: root, Key: "one"})
	if _, err := a.Put(t.Context(), "k", bytes.NewReader([]byte("x")), "text/plain"); err != nil {
		t.Fatal(err)
	}
	b, _ := storage.New(storage.Config{Root: root, Key: "two"})
	if _, _, err := b.Open(t.Context(), "k"); err == nil {
		t.Fatal("opened with the wrong key")
	}
}

func TestLocal_PublicFolderKeepsItsKeysInClear(t *testing.T) {
	t.Parallel()
	private, public := t.TempDir(), t.TempDir()
	l, err := storage.New(storage.Config{Root: private, Key: "k", PublicRoot: public, Public: []string{"incoming-media"}})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("a received photo")
	for _, key := range []string{"incoming-media/s1/imageMessage/a.jpg", "incoming-mediax/a.jpg", "outbound/a.jpg"} {
		if _, err := l.Put(t.Context(), key, bytes.NewReader(body), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := os.ReadFile(filepath.Join(public, "incoming-media", "s1", "imageMessage", "a.jpg")); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("public file = %q, %v; want the bytes in clear", got, err)
	}
	for _, rel := range []string{"incoming-mediax/a.jpg", "outbound/a.jpg"} {
		got, err := os.ReadFile(filepath.Join(private, filepath.FromSlash(rel)))
		if err != nil || bytes.Equal(got, body) {
			t.Fatalf("%s in the private folder = %q, %v; want it encrypted", rel, got, err)
		}
	}
	if _, err := os.Stat(filepath.Join(public, ".meta")); !os.IsNotExist(err) {
		t.Fatalf("metadata in the public folder: %v", err)
	}
	if _, err := storage.New(storage.Config{Root: private, Public: []string{"incoming-media"}}); err == nil {
		t.Fatal("public keys without a public root were accepted")
	}
}
