package httpapi

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/warest-go/warest/ports"
)

// SignedStorage opens the local store's objects through their signed links
// (adapters/storage); an expired or altered link is fault.KindForbidden.
type SignedStorage interface {
	OpenSigned(ctx context.Context, key, expires, sig string) (io.ReadCloser, ports.BlobInfo, error)
}

// mountStorages serves signed local links at /storages/<key>?expires=&sig=. The
// signature is the credential: no API key, no rate limit.
func (h *handlers) mountStorages(r chi.Router) {
	if h.storage == nil {
		return
	}
	r.Get("/storages/*", func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		rc, info, err := h.storage.OpenSigned(req.Context(), chi.URLParam(req, "*"), q.Get("expires"), q.Get("sig"))
		if err != nil {
			writeError(w, fromError(req.Context(), err))
			return
		}
		defer rc.Close()
		streamBlob(w, rc, info)
	})
}

// streamBlob writes a stored object as the response body.
func streamBlob(w http.ResponseWriter, rc io.Reader, info ports.BlobInfo) {
	mime := info.MIME
	if mime == "" {
		mime = "application/octet-stream"
	}
	w.Header().Set("Content-Type", mime)
	if info.Size > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
	}
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = io.Copy(w, rc)
}
