package httpapi

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
)

func (h *handlers) registerMessageMedia() {
	const path = "/api/v1/messages/{messageId}/media"
	register(h, route{id: "getMessageMedia", method: http.MethodGet, path: path, tag: "Messages - Actions",
		access: accessUser, summary: "Download a message's media",
		description: "Streams the file of a received message (its mirrored copy, else fetched from WhatsApp) or of a sent one " +
			"while it is kept. Ours: WAREST has no such route.",
		errors: []int{http.StatusForbidden, http.StatusNotFound}}, h.messageMedia)
	h.api.OpenAPI().Paths[path].Get.Responses["200"] = &huma.Response{Description: "The file, with its MIME type",
		Content: map[string]*huma.MediaType{"application/octet-stream": {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}}}
}

type messageMediaInput struct {
	SessionSelector
	MessageID string `path:"messageId" doc:"The message id."`
}

func (h *handlers) messageMedia(ctx context.Context, in *messageMediaInput) (*huma.StreamResponse, error) {
	f, err := h.q.Media.MessageMedia(ctx, principal(ctx), in.sessionID(), in.MessageID)
	if err != nil {
		return nil, err
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		defer f.Body.Close()
		ct := f.MIME
		if ct == "" {
			ct = "application/octet-stream"
		}
		hc.SetHeader("Content-Type", ct)
		if f.Size > 0 {
			hc.SetHeader("Content-Length", strconv.FormatInt(f.Size, 10))
		}
		if f.FileName != "" {
			hc.SetHeader("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.FileName}))
		}
		hc.SetHeader("Cache-Control", "private, no-store")
		hc.SetStatus(http.StatusOK)
		_, _ = io.Copy(hc.BodyWriter(), f.Body)
	}}, nil
}
