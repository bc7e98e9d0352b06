package e2e

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A power cut loses what the disk has not been told to keep. The gateway's data
// directory is an ext4 file system on a loop device; after the sends are answered,
// the loop device's backing file is copied: the copy holds only what the file system
// wrote down, as a disk after a power cut would (un-fsynced pages stay behind in the
// page cache). Mounted (ext4 replays its journal) and opened, the copy must hold
// every answered send. With WAREST_DB_SQLITE_SYNCHRONOUS=normal some are missing.
// Needs root, losetup and mkfs.ext4; skipped otherwise.
func TestPowerCutKeepsEveryAnsweredSend(t *testing.T) {
	dir := t.TempDir()
	disk, live := filepath.Join(dir, "disk.img"), filepath.Join(dir, "live")
	mountImage(t, disk, live, true)

	s := startServer(t, map[string]string{"WAREST_DATA_DIR": live, "WAREST_SEND_WAIT_MS": "0", "SPAM_COOLDOWN_MS": "0",
		"RATE_LIMIT_MAX": "100000", "QUOTA_MAX": "100000"})
	openBenchSession(t, s)
	var answered []string
	for i := range 100 {
		status, env := s.call(http.MethodPost, "/api/v1/messages/send/text", adminKey,
			map[string]any{"sessionId": "bench", "to": fmt.Sprintf("62812%08d", i), "message": "kept"})
		if status != http.StatusAccepted {
			t.Fatalf("send %d: %d %+v", i, status, env)
		}
		answered = append(answered, result[struct{ MessageID string }](t, env).MessageID)
	}

	// The power cut.
	cut := filepath.Join(dir, "cut.img")
	copyFile(t, disk, cut)
	s.Kill()
	after := filepath.Join(dir, "after")
	mountImage(t, cut, after, false)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(after, "warest.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lost := 0
	for _, id := range answered {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM messages WHERE id = ?", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("after the power cut %d of %d answered sends are gone", lost, len(answered))
	}
}

// mountImage mounts the ext4 image at path on dir through a loop device, creating
// the image first when fresh; both are undone at cleanup.
func mountImage(t *testing.T, path, dir string, fresh bool) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("power cut: needs root for a loop device")
	}
	run := func(name string, args ...string) (string, error) {
		out, err := exec.Command(name, args...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if fresh {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		if err := os.Truncate(path, 256<<20); err != nil {
			t.Fatal(err)
		}
		if out, err := run("mkfs.ext4", "-q", "-F", path); err != nil {
			t.Skipf("power cut: mkfs.ext4: %v %s", err, out)
		}
	}
	dev, err := run("losetup", "-f", "--show", path)
	if err != nil {
		t.Skipf("power cut: no loop device: %v %s", err, dev)
	}
	t.Cleanup(func() { _, _ = run("losetup", "-d", dev) })
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := run("mount", dev, dir); err != nil {
		t.Skipf("power cut: mount: %v %s", err, out)
	}
	t.Cleanup(func() { _, _ = run("umount", dir) })
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
}
