package httpapi_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The login page is open, loads its code and style from this server (each one
// served, with its type), and has no inline script or style, so it runs under a
// strict Content-Security-Policy.
func TestTheLoginPageLoadsOnlyItsOwnFiles(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	page := a.do(t, http.MethodGet, "/login", "", nil)
	if page.code != http.StatusOK || !strings.HasPrefix(page.hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("login page: %d %q", page.code, page.hdr.Get("Content-Type"))
	}
	html := string(page.body)
	if regexp.MustCompile(`<script>|<style|\sstyle=|\son[a-z]+=`).MatchString(html) {
		t.Fatalf("inline script or style in the login page:\n%s", html)
	}
	want := map[string]string{`<script src="([^"]+)"`: "text/javascript", `<link rel="stylesheet" href="([^"]+)"`: "text/css"}
	for pattern, contentType := range want {
		links := regexp.MustCompile(pattern).FindAllStringSubmatch(html, -1)
		if len(links) == 0 {
			t.Fatalf("the login page loads no %s", contentType)
		}
		for _, l := range links {
			r := a.do(t, http.MethodGet, l[1], "", nil)
			if r.code != http.StatusOK || !strings.HasPrefix(r.hdr.Get("Content-Type"), contentType) || len(r.body) == 0 {
				t.Errorf("%s: %d %q", l[1], r.code, r.hdr.Get("Content-Type"))
			}
		}
	}
	if !strings.Contains(html, "<title>WAREST login</title>") {
		t.Error("the login page does not say WAREST")
	}
}
