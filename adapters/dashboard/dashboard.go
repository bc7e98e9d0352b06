// Package dashboard is WAREST's web console: a page of plain ES modules and CSS,
// embedded in the binary, that drives the JSON API with the login cookie. Nothing
// is loaded from elsewhere; no inline script or style, so a CSP of
// "default-src 'self'; img-src 'self' data:" holds (the QR is a data: image).
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed web
var web embed.FS

// AssetsPrefix is where the page's files are served.
const AssetsPrefix = "/dashboard/"

// Handler serves the page on "/" and its files under AssetsPrefix. Who may see the
// page is the caller's business: the API behind it checks every call anyway.
func Handler() http.Handler {
	files, _ := fs.Sub(web, "web")
	assets := http.StripPrefix(AssetsPrefix, http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		switch {
		case r.URL.Path == "/":
			http.ServeFileFS(w, r, files, "index.html")
		case strings.HasPrefix(r.URL.Path, AssetsPrefix) && !strings.HasSuffix(r.URL.Path, "/"): // no listings
			assets.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
