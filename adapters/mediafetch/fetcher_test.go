package mediafetch_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/warest-go/warest/adapters/mediafetch"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func reason(err error) fault.Reason {
	if fe, ok := fault.As(err); ok {
		return fe.Reason
	}
	return ""
}

func TestFetch_RefusesPrivateTargets(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("secret")) }))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	f := mediafetch.New(mediafetch.Config{}) // the production policy
	for _, u := range []string{
		srv.URL,                           // 127.0.0.1
		"http://localhost:" + port + "/x", // a DNS name resolving to loopback
		"http://[::1]:" + port + "/x",
		"http://10.0.0.1/x",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:127.0.0.1]:" + port + "/x",
		"http://0.0.0.0:" + port + "/x",
	} {
		_, err := f.Fetch(t.Context(), u, 1<<20)
		if reason(err) != ports.ReasonFetchBlocked {
			t.Errorf("Fetch(%s) = %v, want blocked", u, err)
		}
	}
	for _, u := range []string{"file:///etc/passwd", "gopher://example.com/", "ftp://example.com/a"} {
		if _, err := f.Fetch(t.Context(), u, 1<<20); !fault.Is(err, fault.KindInvalid) {
			t.Errorf("Fetch(%s) = %v, want invalid", u, err)
		}
	}
}

// allowOnly trusts the test server's own address and nothing else.
func allowOnly(addr string) func(netip.Addr) bool {
	want := netip.MustParseAddr(addr)
	return func(a netip.Addr) bool { return a == want }
}

func TestFetch_RedirectToPrivateAddressIsRefused(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	for path, target := range map[string]string{
		"/to-metadata": "http://169.254.169.254/latest/meta-data/",
		"/to-private":  "http://10.1.2.3/x",
		"/to-loopback": "http://[::1]:" + port + "/file",
		"/to-file":     "file:///etc/passwd",
	} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, http.StatusFound) })
	}
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	f := mediafetch.New(mediafetch.Config{Allow: allowOnly("127.0.0.1")})
	if got, err := f.Fetch(t.Context(), srv.URL+"/file", 1<<20); err != nil || string(got.Data) != "ok" || got.FileName != "file" {
		t.Fatalf("allowed fetch = %+v, %v", got, err)
	}
	for _, p := range []string{"/to-metadata", "/to-private", "/to-loopback"} {
		if _, err := f.Fetch(t.Context(), srv.URL+p, 1<<20); reason(err) != ports.ReasonFetchBlocked {
			t.Errorf("redirect %s: %v, want blocked", p, err)
		}
	}
	if _, err := f.Fetch(t.Context(), srv.URL+"/to-file", 1<<20); !fault.Is(err, fault.KindInvalid) {
		t.Errorf("redirect to file: %v, want invalid", err)
	}
}

func TestFetch_SizeCapAndStatus(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, 2048)) })
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 4 {
			_, _ = w.Write(make([]byte, 512))
			w.(http.Flusher).Flush() // no Content-Length: the cap must hold while reading
		}
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/named", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Disposition", `attachment; filename="../../report.pdf"`)
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write([]byte("%PDF-1.4"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f := mediafetch.New(mediafetch.Config{Allow: allowOnly("127.0.0.1")})
	for _, p := range []string{"/big", "/chunked"} {
		if _, err := f.Fetch(t.Context(), srv.URL+p, 1024); !fault.Is(err, fault.KindTooLarge) {
			t.Errorf("%s: %v, want too large", p, err)
		}
	}
	if _, err := f.Fetch(t.Context(), srv.URL+"/gone", 1024); reason(err) != ports.ReasonFetchFailed {
		t.Errorf("410: %v, want fetch failed", err)
	}
	got, err := f.Fetch(t.Context(), srv.URL+"/named", 1024)
	if err != nil || got.FileName != "report.pdf" || got.MIME != "application/pdf" {
		t.Fatalf("named = %+v, %v", got, err)
	}
}
