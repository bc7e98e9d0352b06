package waserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	waBinary "go.mau.fi/whatsmeow/binary"
)

// mediaHostname is what media_conn names; clients build https URLs on it, which the
// redirecting HTTP client (Attach, or the gateway's setting) sends to this server.
const mediaHostname = "mmg.whatsapp.net"

const maxMediaUpload = 64 << 20

// mediaHost is WhatsApp's media CDN in small: it keeps each upload as the client
// sent it (already encrypted) and serves it back under the direct path it handed out.
type mediaHost struct {
	auth string // media_conn's auth token, required on uploads

	mu        sync.Mutex
	blobs     map[string][]byte // direct path without query → encrypted blob
	requests  []MediaRequest
	failsLeft int
}

// MediaRequest is one request the media host received, whatever its outcome.
type MediaRequest struct {
	Method  string // POST for an upload, GET for a download
	MMSType string // image, document… (the upload path's or the download's mms-type)
	Path    string // the URL path: /mms/<type>/<token> or the direct path
	Size    int    // bytes uploaded, or served
	Status  int
}

func newMediaHost() *mediaHost {
	var auth [16]byte
	_, _ = rand.Read(auth[:])
	return &mediaHost{auth: base64.RawURLEncoding.EncodeToString(auth[:]), blobs: map[string][]byte{}}
}

func (m *mediaHost) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /mms/{type}/{token}", m.upload)
	mux.HandleFunc("GET /v/", m.download)
}

// mediaConn answers the w:m media_conn IQ with this server as the only host.
func (c *conn) mediaConn(ctx context.Context, req *waBinary.Node) {
	c.reply(ctx, req, waBinary.Node{Tag: "media_conn",
		Attrs:   waBinary.Attrs{"auth": c.srv.media.auth, "ttl": "3600", "auth_ttl": "3600", "max_buckets": "12"},
		Content: []waBinary.Node{{Tag: "host", Attrs: waBinary.Attrs{"hostname": mediaHostname}}}})
}

// upload stores the body, which must hash to the token as WhatsApp requires, and
// answers the JSON whatsmeow's rawUpload decodes.
func (m *mediaHost) upload(w http.ResponseWriter, r *http.Request) {
	rec := MediaRequest{Method: r.Method, MMSType: r.PathValue("type"), Path: r.URL.Path}
	defer func() { m.record(rec) }()
	if rec.Status = m.injectedFault(); rec.Status != 0 {
		http.Error(w, "injected fault", rec.Status)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxMediaUpload+1))
	rec.Size = len(body)
	sum := sha256.Sum256(body)
	switch {
	case r.URL.Query().Get("auth") != m.auth:
		rec.Status = http.StatusUnauthorized
	case err != nil:
		rec.Status = http.StatusBadRequest
	case len(body) > maxMediaUpload:
		rec.Status = http.StatusRequestEntityTooLarge
	case base64.URLEncoding.EncodeToString(sum[:]) != r.PathValue("token"):
		rec.Status = http.StatusBadRequest
	}
	if rec.Status != 0 {
		http.Error(w, http.StatusText(rec.Status), rec.Status)
		return
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	path := "/v/t62.7118-24/" + hex.EncodeToString(id[:]) + ".enc"
	m.mu.Lock()
	m.blobs[path] = body
	m.mu.Unlock()
	// whatsmeow appends "&hash=…" to the direct path, so it carries a query already.
	direct := path + "?ccb=11-4&_nc_sid=5e03e0"
	rec.Status = http.StatusOK
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"url": "https://" + mediaHostname + direct, "direct_path": direct})
}

// download serves a stored blob byte for byte.
func (m *mediaHost) download(w http.ResponseWriter, r *http.Request) {
	rec := MediaRequest{Method: r.Method, MMSType: r.URL.Query().Get("mms-type"), Path: r.URL.Path}
	defer func() { m.record(rec) }()
	if rec.Status = m.injectedFault(); rec.Status != 0 {
		http.Error(w, "injected fault", rec.Status)
		return
	}
	m.mu.Lock()
	blob, ok := m.blobs[r.URL.Path]
	m.mu.Unlock()
	if !ok {
		rec.Status = http.StatusNotFound
		http.NotFound(w, r)
		return
	}
	rec.Status, rec.Size = http.StatusOK, len(blob)
	_, _ = w.Write(blob)
}

// injectedFault is 500 while FailMedia has failures left, else 0.
func (m *mediaHost) injectedFault() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failsLeft == 0 {
		return 0
	}
	m.failsLeft--
	return http.StatusInternalServerError
}

func (m *mediaHost) record(r MediaRequest) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests = append(m.requests, r)
}

// FailMedia makes the next n media requests (uploads or downloads) answer 500.
func (s *Server) FailMedia(n int) {
	s.media.mu.Lock()
	defer s.media.mu.Unlock()
	s.media.failsLeft = n
}

// MediaRequests are the media host's requests so far, oldest first.
func (s *Server) MediaRequests() []MediaRequest {
	s.media.mu.Lock()
	defer s.media.mu.Unlock()
	return append([]MediaRequest(nil), s.media.requests...)
}
