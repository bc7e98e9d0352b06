package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// The six media routes take any body, as WAREST does: JSON, multipart/form-data,
// x-www-form-urlencoded, or the raw file with the other fields in the query string.
// A media field may be a multipart part, a data: URI, bare base64 or an http(s) URL.
func (h *handlers) registerMediaRoutes() {
	p := "/api/v1/messages/send/"
	media := func(id, path, summary string) route {
		r := sendRoute(id, http.MethodPost, p+path, summary)
		r.maxBody = h.cfg.MediaLimit
		return r
	}
	register(h, media("postMessagesSendFiles", "files", "Send files as documents (executables and scripts are refused per file)"), h.sendFiles)
	register(h, media("postMessagesSendMedia", "media", "Send an image or a video (compressed by default)"), h.sendMediaRoute)
	register(h, media("postMessagesSendAudio", "audio", "Send audio, or a voice note with isVN (converted to Ogg/Opus)"), h.sendAudio)
	register(h, media("postMessagesSendDocument", "document", "Send a document"), h.sendDocument)
	register(h, media("postMessagesSendSticker", "sticker", "Send a sticker (converted to a 512 px WebP)"), h.sendSticker)
	register(h, media("postMessagesSendGif", "gif", "Send a GIF (converted to an H.264 MP4 played as a GIF)"), h.sendGIF)
	caption := &huma.Schema{Type: huma.TypeString}
	compress := &huma.Schema{Type: huma.TypeBoolean, Default: true, Description: "re-encode to save size (kept only when it does)"}
	fields := map[string]map[string]*huma.Schema{
		"files": {"caption": caption},
		"media": {"caption": caption, "compress": compress, "viewOnce": {Type: huma.TypeBoolean}},
		"audio": {"isVN": {Type: huma.TypeBoolean, Description: "send as a voice note (Ogg/Opus)"}},
		"document": {"caption": caption, "filename": {Type: huma.TypeString}, "mimetype": {Type: huma.TypeString,
			Description: "when the bytes do not tell"}},
		"sticker": {},
		"gif":     {"caption": caption},
	}
	for path, extra := range fields {
		h.api.OpenAPI().Paths[p+path].Post.RequestBody.Content = mediaBodies(path, extra)
	}
}

// mediaBodies documents the bodies a media route accepts, its file in field `file`
// (several under "files"), with the fields shared by every send and the route's
// extra ones. The handlers parse these bodies themselves, so no Go type describes them.
func mediaBodies(file string, extra map[string]*huma.Schema) map[string]*huma.MediaType {
	object := func(fileSchema *huma.Schema) *huma.Schema {
		props := map[string]*huma.Schema{
			"sessionId":      {Type: huma.TypeString, Description: "session to send from (or give phone)"},
			"phone":          {Type: huma.TypeString, Description: "digits of the sending session's own number, instead of sessionId"},
			"to":             {Type: huma.TypeString, Description: "recipients, separated by `,`, `;` or new lines"},
			"replyMessageId": {Type: huma.TypeString, Description: "message id to quote"},
			file:             fileSchema,
		}
		for k, v := range extra {
			props[k] = v
		}
		return &huma.Schema{Type: huma.TypeObject, Properties: props, Required: []string{"to", file}}
	}
	binary := &huma.Schema{Type: huma.TypeString, Format: "binary", Description: "the file"}
	reference := &huma.Schema{Type: huma.TypeString, Description: "the file as an http(s) URL, a data: URI or base64"}
	if file == "files" {
		binary = &huma.Schema{Type: huma.TypeArray, Items: binary, Description: "the files, one part each"}
		reference = &huma.Schema{Type: huma.TypeArray, Items: reference,
			Description: "the files, each a string or {url|base64, filename, mimetype, caption}"}
	}
	return map[string]*huma.MediaType{
		"multipart/form-data":               {Schema: object(binary)},
		"application/json":                  {Schema: object(reference)},
		"application/x-www-form-urlencoded": {Schema: object(reference)},
		"application/octet-stream":          {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary", Description: "the raw file; the other fields go in the query string"}},
	}
}

// rawSendInput is a media request before parsing.
type rawSendInput struct {
	SendHeaders
	ContentType string `header:"Content-Type" hidden:"true"` // the request body's media types say it
	RawBody     []byte `contentType:"application/octet-stream"`
	query       url.Values
}

// Resolve keeps the whole query string: raw uploads carry every field there.
func (in *rawSendInput) Resolve(ctx huma.Context) []error {
	u := ctx.URL()
	in.query = u.Query()
	return nil
}

// filePart is one uploaded file.
type filePart struct {
	data       []byte
	name, mime string
}

// mediaForm is a parsed media request: values from the body (JSON or form) and the
// query string, files from multipart parts or the raw body.
type mediaForm struct {
	values map[string]any
	query  url.Values
	files  map[string][]filePart
	order  []filePart // every part, in order
	raw    *filePart
}

func parseMediaForm(in *rawSendInput) (mediaForm, error) {
	f := mediaForm{values: map[string]any{}, query: in.query, files: map[string][]filePart{}}
	ct, params, _ := mime.ParseMediaType(in.ContentType)
	switch {
	case len(in.RawBody) == 0:
	case ct == "application/json":
		if err := json.Unmarshal(in.RawBody, &f.values); err != nil {
			return f, fault.Invalid(fault.ReasonMalformedJSON, "Malformed JSON body: %v", err)
		}
	case ct == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(in.RawBody))
		if err != nil {
			return f, fault.Invalid(fault.ReasonMalformedBody, "Malformed form body")
		}
		for k, v := range vals {
			f.values[k] = v[0]
		}
	case ct == "multipart/form-data":
		r := multipart.NewReader(bytes.NewReader(in.RawBody), params["boundary"])
		for {
			part, err := r.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return f, fault.Invalid(fault.ReasonMalformedBody, "Malformed multipart body")
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return f, fault.Invalid(fault.ReasonMalformedBody, "Malformed multipart body")
			}
			if part.FileName() == "" {
				f.values[part.FormName()] = string(data)
				continue
			}
			fp := filePart{data: data, name: part.FileName(), mime: part.Header.Get("Content-Type")}
			f.files[part.FormName()] = append(f.files[part.FormName()], fp)
			f.order = append(f.order, fp)
		}
	default:
		f.raw = &filePart{data: in.RawBody, mime: ct}
	}
	return f, nil
}

// value finds the first present field, body before query.
func (f mediaForm) value(names ...string) any {
	for _, n := range names {
		if v, ok := f.values[n]; ok && v != nil && v != "" {
			return v
		}
		if v := f.query.Get(n); v != "" {
			return v
		}
	}
	return nil
}

func (f mediaForm) str(names ...string) string {
	switch v := f.value(names...).(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func (f mediaForm) boolean(def bool, names ...string) bool {
	switch v := f.value(names...).(type) {
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
			return b
		}
	}
	return def
}

// list reads `to`: a string list or a JSON array.
func (f mediaForm) list(names ...string) []string {
	switch v := f.value(names...).(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// sendInput reads the options every send shares.
func (f mediaForm) sendInput(hdr SendHeaders, audio bool, raw []byte) command.SendInput {
	o := SendOptions{Phone: f.str("phone"), Presence: Presence(f.str("presence")),
		ReplyMessageID: f.str("replyMessageId", "quotedMessageId", "replyId"), IsForwarded: f.boolean(false, "isForwarded", "forwarded")}
	o.To = f.list("to", "jid", "target", "number")
	sel := SessionSelector{SessionID: f.str("sessionId", "id", "session")}
	return o.input(sel, hdr, audio, []any{raw, f.query.Encode()})
}

// source finds the file: a multipart part named by one of names, the raw body, or a
// string field holding a data URI, base64 or a URL.
func (f mediaForm) source(names ...string) (command.MediaSource, error) {
	for _, n := range names {
		if parts := f.files[n]; len(parts) > 0 {
			return command.MediaSource{Data: parts[0].data, MIME: parts[0].mime, FileName: parts[0].name}, nil
		}
	}
	if len(f.order) > 0 {
		p := f.order[0]
		return command.MediaSource{Data: p.data, MIME: p.mime, FileName: p.name}, nil
	}
	if f.raw != nil {
		return command.MediaSource{Data: f.raw.data, MIME: f.raw.mime}, nil
	}
	return sourceOf(f.str(names...))
}

// sourceOf reads one string form of a file.
func sourceOf(v string) (command.MediaSource, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return command.MediaSource{}, fault.Invalid(fault.ReasonMissingParameter, "a file is required (multipart part, raw body, data URI, base64 or URL)")
	case strings.HasPrefix(v, "data:"):
		meta, payload, ok := strings.Cut(strings.TrimPrefix(v, "data:"), ",")
		if !ok {
			return command.MediaSource{}, fault.Invalid(fault.ReasonInvalidParameter, "malformed data URI")
		}
		mimeType, isBase64 := strings.CutSuffix(meta, ";base64")
		if !isBase64 {
			s, err := url.PathUnescape(payload)
			return command.MediaSource{Data: []byte(s), MIME: mimeType}, err
		}
		data, err := decodeBase64(payload)
		if err != nil {
			return command.MediaSource{}, fault.Invalid(fault.ReasonInvalidParameter, "malformed base64 in data URI")
		}
		return command.MediaSource{Data: data, MIME: mimeType}, nil
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		return command.MediaSource{URL: v}, nil
	}
	if data, err := decodeBase64(v); err == nil && len(data) > 0 {
		return command.MediaSource{Data: data}, nil
	}
	// WAREST also reads server paths; we never touch the local disk for a client.
	return command.MediaSource{}, fault.Invalid(fault.ReasonInvalidParameter, "a file must be an http(s) URL, a data URI or base64")
}

// decodeBase64 accepts padded or unpadded, standard or URL alphabets, with line
// breaks (not spaces: a sentence must not pass for base64).
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsRune(s, ' ') {
		return nil, errors.New("not base64")
	}
	s = strings.Join(strings.Fields(s), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// sendMedia parses, runs and renders one single-file media route.
func (h *handlers) sendMedia(ctx context.Context, in *rawSendInput, title string, route command.MediaRoute,
	fields []string, tune func(f mediaForm, m *command.SendMediaInput)) (*sendResponse, error) {
	f, err := parseMediaForm(in)
	if err != nil {
		return nil, err
	}
	src, err := f.source(fields...)
	if err != nil {
		return nil, err
	}
	m := command.SendMediaInput{Send: f.sendInput(in.SendHeaders, route == command.RouteAudio, in.RawBody), Route: route, Source: src,
		Caption: f.str("caption"), FileName: firstOf(f.str("filename", "fileName"), src.FileName), Compress: f.boolean(true, "compress")}
	if mt := f.str("mimetype", "mime", "mimeType"); mt != "" && m.Source.MIME == "" {
		m.Source.MIME = mt
	}
	if tune != nil {
		tune(f, &m)
	}
	results, err := h.cmd.Sending.SendMedia(ctx, principal(ctx), m)
	if err != nil {
		return nil, err
	}
	return renderSend(title, results, func(r command.SendResult) map[string]any { return mediaExtras(r.Message, m) }), nil
}

// mediaExtras are WAREST's advancedInfo fields of media results.
func mediaExtras(msg message.Outbound, in command.SendMediaInput) map[string]any {
	md := msg.Content.Media
	if md == nil {
		md = &message.Media{}
	}
	switch in.Route {
	case command.RouteMedia:
		return map[string]any{"viewOnce": in.ViewOnce, "caption": nullable(in.Caption), "compression": map[string]any{"enable": in.Compress},
			"mediaKind": string(msg.Content.Kind), "mimetype": md.MIME, "size": md.Size}
	case command.RouteAudio:
		return map[string]any{"isVN": md.PTT, "isVoiceNote": md.PTT, "mimeType": md.MIME, "size": md.Size}
	case command.RouteDocument:
		return map[string]any{"fileName": md.FileName, "filename": md.FileName, "mimetype": md.MIME, "size": md.Size, "caption": nullable(in.Caption)}
	case command.RouteSticker:
		return map[string]any{"compression": map[string]any{"enable": in.Compress}, "mimetype": md.MIME, "size": md.Size}
	}
	return map[string]any{"caption": nullable(in.Caption), "compression": map[string]any{"enable": in.Compress}, "mimetype": md.MIME, "size": md.Size}
}

func (h *handlers) sendMediaRoute(ctx context.Context, in *rawSendInput) (*sendResponse, error) {
	return h.sendMedia(ctx, in, "Media", command.RouteMedia, []string{"media", "url", "mediaUrl", "file", "source", "image", "video"},
		func(f mediaForm, m *command.SendMediaInput) { m.ViewOnce = f.boolean(false, "viewOnce") })
}

func (h *handlers) sendAudio(ctx context.Context, in *rawSendInput) (*sendResponse, error) {
	return h.sendMedia(ctx, in, "Audio", command.RouteAudio, []string{"audio", "url", "file", "source", "media"},
		func(f mediaForm, m *command.SendMediaInput) {
			m.VoiceNote = f.boolean(false, "isVN", "ptt", "voiceNote")
		})
}

func (h *handlers) sendDocument(ctx context.Context, in *rawSendInput) (*sendResponse, error) {
	return h.sendMedia(ctx, in, "Document", command.RouteDocument, []string{"document", "url", "file", "source", "media"}, nil)
}

func (h *handlers) sendSticker(ctx context.Context, in *rawSendInput) (*sendResponse, error) {
	return h.sendMedia(ctx, in, "Sticker", command.RouteSticker, []string{"sticker", "url", "file", "source", "media", "image"}, nil)
}

func (h *handlers) sendGIF(ctx context.Context, in *rawSendInput) (*sendResponse, error) {
	return h.sendMedia(ctx, in, "GIF", command.RouteGIF, []string{"gif", "url", "file", "source", "media", "video"}, nil)
}

// maxFilesPerRequest is WAREST's cap on send/files items.
const maxFilesPerRequest = 20

// fileItem is one entry of send/files.
type fileItem struct {
	src     command.MediaSource
	name    string
	caption string
	replyTo string
	err     error
}

// fileItems collects send/files entries: multipart parts, the raw body (one source
// per line when it is text), `files` (strings or objects) and the single-file fields.
func (f mediaForm) fileItems() []fileItem {
	var items []fileItem
	for _, p := range f.order {
		items = append(items, fileItem{src: command.MediaSource{Data: p.data, MIME: p.mime, FileName: p.name}, name: p.name})
	}
	if f.raw != nil {
		items = append(items, fileItem{src: command.MediaSource{Data: f.raw.data, MIME: f.raw.mime}, name: f.str("filename", "fileName")})
	}
	add := func(v any) {
		switch x := v.(type) {
		case string:
			for _, line := range strings.Split(x, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					src, err := sourceOf(line)
					items = append(items, fileItem{src: src, name: nameOfURL(line), err: err})
				}
			}
		case map[string]any:
			get := func(keys ...string) string {
				for _, k := range keys {
					if s, ok := x[k].(string); ok && s != "" {
						return s
					}
				}
				return ""
			}
			src, err := sourceOf(get("url", "file", "base64", "data", "buffer"))
			src.MIME = firstOf(src.MIME, get("mimetype", "mimeType"))
			name := firstOf(get("filename", "fileName", "name"), nameOfURL(get("url", "file")))
			items = append(items, fileItem{src: src, name: name, caption: get("caption"), replyTo: get("replyMessageId"), err: err})
		}
	}
	for _, key := range []string{"files", "urls", "file", "media", "document", "upload", "source", "url"} {
		switch v := f.value(key).(type) {
		case []any:
			for _, x := range v {
				add(x)
			}
		case nil:
		default:
			add(v)
		}
	}
	return items
}

func nameOfURL(v string) string {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil {
		return ""
	}
	return u.Path[strings.LastIndexByte(u.Path, '/')+1:]
}

type blockedFile struct {
	Name     string `json:"name"`
	MIMEType string `json:"mimetype"`
	Reason   string `json:"reason"`
}

type sentFile struct {
	Name            string  `json:"name"`
	MIMEType        string  `json:"mimetype"`
	Size            int64   `json:"size"`
	MessageID       string  `json:"messageId"`
	Timestamp       int64   `json:"timestamp"`
	Status          string  `json:"status"`
	QuotedMessageID *string `json:"quotedMessageId,omitempty"`
}

// sendFiles sends every item as a document to every recipient. Refused files are
// reported in blockedFiles; each recipient gets one result listing its files.
func (h *handlers) sendFiles(ctx context.Context, in *rawSendInput) (*sendResponse, error) {
	f, err := parseMediaForm(in)
	if err != nil {
		return nil, err
	}
	items := f.fileItems()
	if len(items) == 0 {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "files is required")
	}
	if len(items) > maxFilesPerRequest {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "at most %d files per request", maxFilesPerRequest)
	}
	base := f.sendInput(in.SendHeaders, false, in.RawBody)
	caption := f.str("caption")
	type recipient struct {
		result   command.SendResult
		files    []sentFile
		failed   int
		failCode fault.Reason // of the first failed file
	}
	var order []string
	byJID := map[string]*recipient{}
	blocked := []blockedFile{}
	for i, it := range items {
		if it.err != nil {
			return nil, it.err
		}
		send := base
		if base.IdempotencyKey != "" {
			send.IdempotencyKey = base.IdempotencyKey + "#" + strconv.Itoa(i)
		}
		if it.replyTo != "" {
			send.Content.Reply = &message.Reference{ID: it.replyTo}
		}
		results, err := h.cmd.Sending.SendMedia(ctx, principal(ctx), command.SendMediaInput{Send: send, Route: command.RouteDocument,
			Source: it.src, FileName: it.name, Caption: firstOf(it.caption, caption)})
		if fe, ok := fault.As(err); ok && (fe.Reason == ports.ReasonBlockedFile || fe.Reason == ports.ReasonUnsupportedType) {
			blocked = append(blocked, blockedFile{Name: it.name, MIMEType: it.src.MIME, Reason: fe.Msg})
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			key := r.Message.To.String()
			rec, ok := byJID[key]
			if !ok {
				rec = &recipient{result: r}
				byJID[key] = rec
				order = append(order, key)
			}
			md := r.Message.Content.Media
			rec.files = append(rec.files, sentFile{Name: md.FileName, MIMEType: md.MIME, Size: md.Size, MessageID: r.Message.ID,
				Timestamp: r.Message.UpdatedAt.Unix(), Status: string(r.Message.Status), QuotedMessageID: nullable(quotedID(r.Message.Content))})
			if r.Message.Status == message.StatusFailed {
				if rec.failed == 0 {
					rec.failCode = r.Message.FailCode
				}
				rec.failed++
			}
		}
	}
	if len(order) == 0 {
		return nil, refuse(ctx, fault.New(fault.KindInvalid, ports.ReasonBlockedFile, "every file was refused"), map[string]any{"blockedFiles": blocked})
	}
	var out, failed []sendResult
	queued := 0
	for _, key := range order {
		rec := byJID[key]
		m := rec.result.Message
		state := message.StatusSent
		for _, sf := range rec.files {
			if sf.Status == string(message.StatusQueued) {
				state = message.StatusQueued
			}
		}
		if rec.failed == len(rec.files) {
			state = message.StatusFailed
		}
		res := sendResult{Phone: rec.result.OwnerPhone, To: m.To.User, ToJID: m.To.String(), Status: statusLabel("files", state),
			Timestamp: m.UpdatedAt.Unix(), State: string(state), AdvancedInfo: map[string]any{"isForwarded": m.Content.Forwarded,
				"quotedMessageId": nullable(quotedID(m.Content)), "files": rec.files, "blockedFiles": blocked}}
		if state == message.StatusFailed {
			res.failedAs(rec.failCode)
		}
		out = append(out, res)
		switch state {
		case message.StatusFailed:
			failed = append(failed, res)
		case message.StatusQueued:
			queued++
		}
	}
	return envelopeFor("File", out, failed, queued, false), nil
}
