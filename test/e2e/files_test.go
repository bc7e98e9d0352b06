package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The data directory holds message texts, device keys and media: everything the
// gateway keeps there is its user's alone (directories 0700, files 0600), even
// started with umask 000, and files an earlier version left readable are made
// private at boot.
func TestDataFilesArePrivateToTheGatewaysUser(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		prepare func(t *testing.T, data string)
	}{
		{"a fresh data directory", func(*testing.T, string) {}},
		{"a data directory left open by an earlier version", func(t *testing.T, data string) {
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			for _, d := range []string{data, filepath.Join(data, "private", "storages", "outbound")} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, content := range map[string][]byte{"warest.sqlite": nil, "secret.key": key, "private/storages/outbound/old.bin": []byte("x")} {
				if err := os.WriteFile(filepath.Join(data, name), content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			loosen(t, data)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			data := filepath.Join(t.TempDir(), "data")
			c.prepare(t, data)
			s := newServer(t, map[string]string{"WAREST_DATA_DIR": data})
			s.Umask = "000"
			s.launch()
			openAndSendDocument(t, s)

			modes := map[string]fs.FileMode{}
			err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				fi, err := d.Info()
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(data, p)
				modes[rel] = fi.Mode().Perm()
				if want := fs.FileMode(0o600); d.IsDir() && fi.Mode().Perm() != 0o700 || !d.IsDir() && fi.Mode().Perm() != want {
					t.Errorf("%s is %v, want %s", rel, fi.Mode(), map[bool]string{true: "drwx------", false: "-rw-------"}[d.IsDir()])
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{".", "warest.sqlite", "warest.sqlite-wal", "warest.sqlite-shm", "secret.key", "private", "private/storages",
				"private/storages/outbound", "private/storages/.meta/outbound"} {
				if _, ok := modes[want]; !ok {
					t.Errorf("%s was not created; found %v", want, modes)
				}
			}
			media := 0
			for p := range modes {
				if strings.HasPrefix(p, "private/storages/outbound/") {
					media++
				}
			}
			if media == 0 {
				t.Errorf("no media file in the blob store; found %v", modes)
			}
		})
	}
}

// loosen gives everything under dir the modes a umask of 022 would (0755, 0644).
func loosen(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openAndSendDocument pairs a session of the admin and sends a document, so the
// blob store gets a file.
func openAndSendDocument(t *testing.T, s *server) {
	t.Helper()
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=files", adminKey, nil); status != 202 {
		t.Fatalf("create: %d %+v", status, env)
	}
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/files/scan", adminKey, map[string]any{"phone": "6281100000007", "pushName": "Files"}); status != 200 {
		t.Fatalf("scan: %d %+v", status, env)
	}
	eventually(t, "session open", func() bool {
		_, env := s.call("GET", "/api/v1/session/list", adminKey, nil)
		return len(env.Results) > 0 && strings.Contains(string(env.Results[0]), `"status":"open"`)
	})
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	status, env := s.call("POST", "/api/v1/messages/send/document", adminKey, map[string]any{"sessionId": "files", "to": "6281200000002",
		"document": "data:application/pdf;base64," + base64.StdEncoding.EncodeToString(pdf), "filename": "contract.pdf"})
	if status != 200 && status != 202 {
		t.Fatalf("send document: %d %+v", status, env)
	}
}
