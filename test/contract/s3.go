package contract

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// S3Server is a real S3 endpoint (versitygw) serving one empty bucket.
type S3Server struct {
	Endpoint, Bucket, AccessKey, SecretKey string
}

// StartS3 runs versitygw, found through WAREST_TEST_VERSITYGW (a path) or PATH, on a
// free port with one bucket, until the test ends. Without the binary the test is
// skipped, or fails when WAREST_REQUIRE_S3=1.
func StartS3(t *testing.T) S3Server {
	t.Helper()
	bin := os.Getenv("WAREST_TEST_VERSITYGW")
	if bin == "" {
		bin, _ = exec.LookPath("versitygw")
	}
	if bin == "" {
		const msg = "versitygw not found (WAREST_TEST_VERSITYGW or PATH): S3 tests NOT RUN " +
			"(go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)"
		if os.Getenv("WAREST_REQUIRE_S3") == "1" {
			t.Fatal(msg + "; WAREST_REQUIRE_S3=1 requires them")
		}
		t.Skip("!!! " + msg)
	}
	root := t.TempDir()
	srv := S3Server{Bucket: "warest-test", AccessKey: "warest-test-access", SecretKey: "warest-test-secret-key"}
	// The posix backend serves each directory of its root as a bucket.
	must(t, os.Mkdir(filepath.Join(root, srv.Bucket), 0o755))
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--port", addr, "posix", root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+srv.AccessKey, "ROOT_SECRET_KEY="+srv.SecretKey)
	out, err := os.Create(filepath.Join(t.TempDir(), "versitygw.log"))
	must(t, err)
	cmd.Stdout, cmd.Stderr = out, out
	must(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		out.Close()
	})
	for deadline := time.Now().Add(15 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(out.Name())
			t.Fatalf("versitygw did not listen on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.Endpoint = "http://" + addr
	return srv
}

// freeAddr is a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}
