package secretbox

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

func mustBox(t *testing.T, cfg Config) *Box {
	t.Helper()
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	b := mustBox(t, Config{Key: "correct horse battery staple"})
	for _, plain := range []string{"", "s3cret", strings.Repeat("ü", 1000)} {
		sealed, err := b.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "v1:") || strings.Contains(sealed, "s3cret") {
			t.Fatalf("sealed = %q", sealed)
		}
		got, err := b.Open(sealed)
		if err != nil || got != plain {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	t.Parallel()
	b := mustBox(t, Config{Key: "k"})
	x, _ := b.Seal("same")
	y, _ := b.Seal("same")
	if x == y {
		t.Fatal("two seals of one value are identical")
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	t.Parallel()
	b := mustBox(t, Config{Key: "k"})
	sealed, _ := b.Seal("secret")
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	raw[len(raw)-1] ^= 1
	if _, err := b.Open("v1:" + base64.StdEncoding.EncodeToString(raw)); err == nil {
		t.Fatal("tampered value opened")
	}
	for _, bad := range []string{"secret", "v2:" + strings.TrimPrefix(sealed, "v1:"), "v1:!!!", "v1:AAAA"} {
		if _, err := b.Open(bad); err == nil {
			t.Fatalf("Open(%q) succeeded", bad)
		}
	}
}

func TestOpenRejectsWrongKey(t *testing.T) {
	t.Parallel()
	sealed, _ := mustBox(t, Config{Key: "one"}).Seal("secret")
	if _, err := mustBox(t, Config{Key: "two"}).Open(sealed); err == nil {
		t.Fatal("opened with the wrong key")
	}
}

func TestKeyEncodingsAgree(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xAB}, 32)
	sealed, _ := mustBox(t, Config{Key: hex.EncodeToString(key)}).Seal("x")
	for _, k := range []string{base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key)} {
		if got, err := mustBox(t, Config{Key: k}).Open(sealed); err != nil || got != "x" {
			t.Fatalf("key %q: %q, %v", k, got, err)
		}
	}
	if _, err := mustBox(t, Config{Key: "abab"}).Open(sealed); err == nil {
		t.Fatal("short hex must be a passphrase, not the same key")
	}
}

func TestKeyFileCreatedOnceAndReused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "nested", "secret.key")
	sealed, _ := mustBox(t, Config{KeyFile: path}).Seal("secret")

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 || info.Size() != 32 {
		t.Fatalf("key file mode %v size %d", info.Mode().Perm(), info.Size())
	}
	if got, err := mustBox(t, Config{KeyFile: path}).Open(sealed); err != nil || got != "secret" {
		t.Fatalf("reopen with the same key file: %q, %v", got, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("leftover files: %v", entries)
	}
}

func TestConcurrentFirstUseAgreesOnOneKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret.key")
	boxes := make([]*Box, 8)
	var wg sync.WaitGroup
	for i := range boxes {
		wg.Go(func() { boxes[i] = mustBox(t, Config{KeyFile: path}) })
	}
	wg.Wait()
	sealed, _ := boxes[0].Seal("secret")
	for _, b := range boxes[1:] {
		if _, err := b.Open(sealed); err != nil {
			t.Fatal("boxes created together use different keys")
		}
	}
}

func TestKeyWinsOverKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret.key")
	mustBox(t, Config{Key: "k", KeyFile: path})
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("key file touched although Key is set: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{}); err == nil {
		t.Fatal("empty config accepted")
	}
	path := filepath.Join(t.TempDir(), "short.key")
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{KeyFile: path}); err == nil {
		t.Fatal("short key file accepted")
	}
}

func TestModuleProvidesSealer(t *testing.T) {
	t.Parallel()
	err := fx.ValidateApp(Module, fx.Supply(Config{Key: "k"}), fx.Invoke(func(ports.SecretSealer) {}))
	if err != nil {
		t.Fatal(err)
	}
}

func TestDerivedKeysFollowTheKeyAndThePurpose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret.key")
	derive := func(cfg Config, purpose string) []byte {
		t.Helper()
		k, err := DeriveKey(cfg, purpose)
		if err != nil {
			t.Fatal(err)
		}
		if len(k) != keySize {
			t.Fatalf("derived key of %d bytes", len(k))
		}
		return k
	}
	cookie := derive(Config{KeyFile: path}, "cookie")
	sealing, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(cookie, sealing) {
		t.Fatal("the derived key is the sealing key")
	}
	if !bytes.Equal(derive(Config{KeyFile: path}, "cookie"), cookie) {
		t.Fatal("the same key file and purpose derive another key")
	}
	if bytes.Equal(derive(Config{KeyFile: path}, "other"), cookie) {
		t.Fatal("another purpose derives the same key")
	}
	if bytes.Equal(derive(Config{Key: "another key"}, "cookie"), cookie) {
		t.Fatal("another key derives the same key")
	}
	if _, err := DeriveKey(Config{}, "cookie"); err == nil {
		t.Fatal("a key derived from no key")
	}
}
