package dashboard_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warest-go/warest/adapters/dashboard"
)

func get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	dashboard.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

// The page and every file it loads come from the binary, with the types a browser
// needs for modules and a strict CSP; nothing else is served, not even a listing.
func TestTheDashboardServesItsPageAndFilesOnly(t *testing.T) {
	page := get(t, "/")
	if page.Code != http.StatusOK || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %q", page.Code, page.Header().Get("Content-Type"))
	}
	body := page.Body.String()
	if !strings.Contains(body, "<title>WAREST dashboard</title>") || strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Fatalf("the page has inline code or style, or no title:\n%s", body)
	}
	for _, ref := range []string{`src="/dashboard/app.js"`, `href="/dashboard/app.css"`} {
		if !strings.Contains(body, ref) {
			t.Fatalf("the page does not load %s", ref)
		}
	}
	for path, typ := range map[string]string{"/dashboard/app.js": "text/javascript", "/dashboard/sessions.js": "text/javascript",
		"/dashboard/app.css": "text/css"} {
		w := get(t, path)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), typ) || w.Header().Get("Cache-Control") != "no-cache" {
			t.Fatalf("%s: %d %q %q", path, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/dashboard/", "/dashboard/missing.js", "/other", "/dashboard/../dashboard.go"} {
		if w := get(t, path); w.Code != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", path, w.Code)
		}
	}
}
