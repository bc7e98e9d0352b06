package httpapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2/yaml"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// web holds the docs and login pages and the vendored API reference renderer;
// nothing is loaded from a CDN. (web/vendor/node_modules, where the renderer is
// installed to update it, is left out.)
//
//go:embed web/*.html web/*.js web/*.css web/vendor/*.js
var web embed.FS

var webFS, _ = fs.Sub(web, "web")

// mountDocs serves the login page and the pages' static code openly, and every
// page with data (the docs page, the spec, the code table) behind the docs guard.
func (h *handlers) mountDocs(r chi.Router) {
	r.Get("/login", serveFile("login.html", "text/html; charset=utf-8"))
	r.Get("/login/assets/login.js", serveFile("login.js", "text/javascript; charset=utf-8"))
	r.Get("/login/assets/login.css", serveFile("login.css", "text/css; charset=utf-8"))
	r.Get("/docs/assets/docs.js", serveFile("docs.js", "text/javascript; charset=utf-8"))
	// The renderer is a few MB: compressed, and revalidated by its ETag.
	r.With(middleware.Compress(5)).Get("/docs/assets/vendor/scalar-api-reference.js",
		serveFile("vendor/scalar-api-reference.js", "text/javascript; charset=utf-8"))

	spec := sync.OnceValues(func() ([]byte, error) { // fixed once every route is registered
		b, err := h.api.OpenAPI().Downgrade()
		if err != nil {
			return nil, err
		}
		return completeDowngrade(b)
	})
	r.Group(func(r chi.Router) {
		r.Use(h.docsGuard)
		r.Get("/docs", serveFile("docs.html", "text/html; charset=utf-8"))
		r.Get("/docs/code-table.json", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, codeTable) })
		r.With(middleware.Compress(5)).Get("/docs/openapi.json", func(w http.ResponseWriter, r *http.Request) {
			doc, err := withServers(spec, r)
			if err != nil {
				h.specFailed(w, r, err)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(doc)
		})
		r.Get("/docs/openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
			doc, err := withServers(spec, r)
			var out bytes.Buffer
			if err == nil {
				err = yaml.Convert(&out, bytes.NewReader(doc))
			}
			if err != nil {
				h.specFailed(w, r, err)
				return
			}
			w.Header().Set("Content-Type", "application/yaml")
			_, _ = w.Write(out.Bytes())
		})
	})
}

// mountDashboard serves the console page behind the docs guard (a browser without
// a login goes to the login page) and its static files openly.
func (h *handlers) mountDashboard(r chi.Router) {
	if h.console == nil {
		return
	}
	r.With(h.docsGuard).Get("/", h.console.ServeHTTP)
	r.Get("/dashboard/*", h.console.ServeHTTP)
}

func (h *handlers) specFailed(w http.ResponseWriter, r *http.Request, err error) {
	loggerFrom(r.Context()).ErrorContext(r.Context(), "render OpenAPI document", "err", err)
	writeError(w, newErrorEnvelope(http.StatusInternalServerError, codeInternal, internalMessage))
}

// serveFile serves an embedded file. Browsers revalidate it on each use, and its
// ETag spares them downloading it again.
func serveFile(name, contentType string) http.HandlerFunc {
	b, err := fs.ReadFile(webFS, name)
	if err != nil {
		panic(err) // the embedded files are fixed at build time
	}
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	}
}

// completeDowngrade fixes what huma's downgrade to OpenAPI 3.0.3 leaves behind.
// A $ref with siblings (huma places a field's doc beside the reference to its
// type) goes inside an allOf: 3.0 ignores a $ref's siblings and linters refuse
// them, while the wrapped form keeps the field's description. contentMediaType is
// 3.1 only; in 3.0 a binary string's format says the same.
func completeDowngrade(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber() // keep large integer examples exact
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"]; ok && len(v) > 1 {
				delete(v, "$ref")
				v["allOf"] = []any{map[string]any{"$ref": ref}}
			}
			if v["format"] == "binary" {
				delete(v, "contentMediaType")
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(v)
	return json.Marshal(v)
}

// withServers returns the OpenAPI 3.0.3 document with `servers` pointing at the URL
// the client used, as WAREST rewrites it from Host and X-Forwarded-* headers.
func withServers(spec func() ([]byte, error), r *http.Request) ([]byte, error) {
	b, err := spec()
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	servers, err := json.Marshal([]map[string]string{{"url": publicBaseURL(r)}})
	if err != nil {
		return nil, err
	}
	doc["servers"] = servers
	return json.Marshal(doc)
}

func publicBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := firstHeaderValue(r, "X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if fh := firstHeaderValue(r, "X-Forwarded-Host"); fh != "" {
		host = fh
	}
	prefix := strings.TrimRight(firstHeaderValue(r, "X-Forwarded-Prefix"), "/")
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	return scheme + "://" + host + prefix
}

// firstHeaderValue takes the first hop of a comma-separated forwarded header.
func firstHeaderValue(r *http.Request, name string) string {
	v, _, _ := strings.Cut(r.Header.Get(name), ",")
	return strings.TrimSpace(v)
}
