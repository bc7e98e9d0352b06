package command

import (
	"bytes"
	"context"
	"path"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// MediaConfig bounds and tunes outbound media (WAREST's compression defaults).
type MediaConfig struct {
	PerFileLimit     int64   // bytes; MEDIA_PER_FILE_MB
	ImageMaxDim      int     // 1280
	ImageMinBytes    int     // inputs smaller than this are sent as they are (2 KB)
	ImageMinSavings  float64 // keep a re-encoded image only if it saves this much (0.04)
	VideoMaxWidth    int     // 720
	VideoMinBytes    int     // 64 KB
	VideoMinSavings  float64 // 0.05
	StickerSize      int     // 512
	CompressDisabled bool    // WAREST_COMPRESS_ENABLED=false
}

// DefaultMedia matches WAREST §9, with a 64 MB per-file cap (WhatsApp's own media
// limits are lower than WAREST's 1 GB default).
var DefaultMedia = MediaConfig{PerFileLimit: 64 << 20, ImageMaxDim: 1280, ImageMinBytes: 2048, ImageMinSavings: 0.04,
	VideoMaxWidth: 720, VideoMinBytes: 64 << 10, VideoMinSavings: 0.05, StickerSize: 512}

// MediaRoute is the send route, which decides what the file becomes.
type MediaRoute int

const (
	RouteMedia    MediaRoute = iota // image or video, compressed by default
	RouteAudio                      // audio, or a voice note with VoiceNote
	RouteDocument                   // any file but executables and scripts
	RouteSticker                    // an image made a 512 px WebP
	RouteGIF                        // a GIF or video made an H.264 MP4 with gifPlayback
)

// MediaSource is a file as the client gave it: bytes (multipart, raw body, data URI
// or base64) or an http(s) URL to fetch.
type MediaSource struct {
	Data     []byte
	URL      string
	MIME     string // declared by the client, trusted only when the bytes say nothing
	FileName string
}

// SendMediaInput is a media send. Send carries session, recipients, reply, forward,
// presence and idempotency; its Content kind and media are filled in here.
type SendMediaInput struct {
	Send      SendInput
	Route     MediaRoute
	Source    MediaSource
	Caption   string
	FileName  string
	Compress  bool // image/video compression and GIF conversion (WAREST default true)
	ViewOnce  bool
	VoiceNote bool
}

// SendMedia checks the session first (so nobody can make us fetch a URL for a session
// they do not own), loads and checks the file, converts it for its route, stores it
// in the blob store and sends it through Send.
func (s *Sending) SendMedia(ctx context.Context, p account.Principal, in SendMediaInput) ([]SendResult, error) {
	if _, err := s.senders.session(ctx, p, in.Send.SessionID, in.Send.Phone); err != nil {
		return nil, err
	}
	src, err := s.media.load(ctx, in.Source)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(in.FileName, src.FileName)
	mime := media.Pick(media.Sniff(src.Data), src.MIME, name)
	c, err := s.media.convert(ctx, in, src.Data, mime, name)
	if err != nil {
		return nil, err
	}
	key := "outbound/" + s.media.ids.NewID() + "." + media.ExtFor(c.Media.MIME)
	info, err := s.media.blobs.Put(ctx, key, bytes.NewReader(c.data), c.Media.MIME)
	if err != nil {
		return nil, err
	}
	c.Media.BlobKey, c.Media.Size = key, info.Size
	send := in.Send
	content := send.Content
	content.Kind, content.Media, content.ViewOnce = c.kind, &c.Media, in.ViewOnce
	if c.kind != message.KindAudio && c.kind != message.KindSticker {
		content.Text = in.Caption
	}
	send.Content = content
	return s.Send(ctx, p, send)
}

func (s mediaPrep) load(ctx context.Context, src MediaSource) (MediaSource, error) {
	limit := s.cfg.PerFileLimit
	if len(src.Data) == 0 && src.URL != "" {
		if s.fetcher == nil {
			return MediaSource{}, fault.New(fault.KindUnavailable, "", "fetching media from URLs is not configured")
		}
		f, err := s.fetcher.Fetch(ctx, src.URL, limit)
		if err != nil {
			return MediaSource{}, err
		}
		src.Data, src.MIME = f.Data, firstNonEmpty(src.MIME, f.MIME)
		src.FileName = firstNonEmpty(src.FileName, f.FileName)
	}
	if len(src.Data) == 0 {
		return MediaSource{}, fault.Invalid(fault.ReasonMissingParameter, "a file is required (multipart part, raw body, data URI, base64 or URL)")
	}
	if limit > 0 && int64(len(src.Data)) > limit {
		return MediaSource{}, fault.New(fault.KindTooLarge, ports.ReasonTooLarge, "file exceeds %d MB", limit>>20)
	}
	return src, nil
}

// mediaPrep loads, converts and stores the media of a send.
type mediaPrep struct {
	cfg        MediaConfig
	blobs      ports.BlobStore
	fetcher    ports.MediaFetcher
	transcoder ports.MediaTranscoder
	ids        ports.IDs
}

// converted is a file ready to send.
type converted struct {
	kind  message.Kind
	data  []byte
	Media message.Media
}

func (s mediaPrep) convert(ctx context.Context, in SendMediaInput, data []byte, mime, name string) (converted, error) {
	out := converted{data: data, Media: message.Media{MIME: mime, FileName: name}}
	class := map[MediaRoute]media.Class{RouteMedia: media.ClassImageOrVideo, RouteAudio: media.ClassAudio,
		RouteDocument: media.ClassAny, RouteSticker: media.ClassImage, RouteGIF: media.ClassGIF}[in.Route]
	if in.Route == RouteDocument {
		if why := media.Blocked(name, in.Source.MIME, mime); why != "" {
			return out, fault.New(fault.KindInvalid, ports.ReasonBlockedFile, "%s", why)
		}
	} else if !class.Accepts(mime) {
		return out, fault.New(fault.KindInvalid, ports.ReasonUnsupportedType, "%s cannot be sent on this route", media.Base(mime))
	}
	compress := in.Compress && !s.cfg.CompressDisabled
	var err error
	switch in.Route {
	case RouteDocument:
		out.kind = message.KindDocument
		if out.Media.FileName == "" {
			out.Media.FileName = "file." + media.ExtFor(mime)
		}
	case RouteAudio:
		out.kind = message.KindAudio
		if in.VoiceNote {
			out.data, err = s.transcoder.VoiceNote(ctx, data)
			out.Media.MIME, out.Media.PTT = "audio/ogg; codecs=opus", true
		}
	case RouteSticker:
		out.kind = message.KindSticker
		if media.Base(mime) != "image/webp" {
			out.data, err = s.transcoder.Sticker(ctx, data, s.cfg.StickerSize)
			out.Media.MIME = "image/webp"
		}
	case RouteGIF:
		out.kind, out.Media.GIF = message.KindVideo, true
		if compress || media.Base(mime) != "image/gif" {
			out.data, err = s.transcoder.GIFVideo(ctx, data)
			out.Media.MIME = "video/mp4"
		} else {
			out.kind = message.KindImage // WAREST passes a real GIF through with compress=false
		}
	case RouteMedia:
		out.kind = message.KindImage
		if strings.HasPrefix(media.Base(mime), "video/") {
			out.kind = message.KindVideo
		}
		if compress {
			out.data, out.Media.MIME, err = s.compress(ctx, out.kind, data, mime)
		}
	}
	if err != nil {
		return out, err
	}
	if out.Media.FileName != "" && out.Media.MIME != mime {
		out.Media.FileName = strings.TrimSuffix(out.Media.FileName, path.Ext(out.Media.FileName)) + "." + media.ExtFor(out.Media.MIME)
	}
	return out, nil
}

// compress applies WAREST's thresholds: small inputs are left alone, and a result is
// kept only when it changed format or saved enough.
func (s mediaPrep) compress(ctx context.Context, kind message.Kind, data []byte, mime string) ([]byte, string, error) {
	m := s.cfg
	if kind == message.KindImage {
		if len(data) < m.ImageMinBytes || media.Base(mime) == "image/gif" {
			return data, mime, nil
		}
		out, outMIME, err := s.transcoder.CompressImage(ctx, data, mime, m.ImageMaxDim)
		if err != nil {
			return nil, "", err
		}
		return keepSmaller(data, mime, out, outMIME, m.ImageMinSavings)
	}
	if len(data) < m.VideoMinBytes {
		return data, mime, nil
	}
	out, err := s.transcoder.CompressVideo(ctx, data, m.VideoMaxWidth)
	if err != nil {
		return nil, "", err
	}
	return keepSmaller(data, mime, out, "video/mp4", m.VideoMinSavings)
}

func keepSmaller(in []byte, inMIME string, out []byte, outMIME string, minSavings float64) ([]byte, string, error) {
	if media.Base(outMIME) != media.Base(inMIME) || float64(len(out)) <= float64(len(in))*(1-minSavings) {
		return out, outMIME, nil
	}
	return in, inMIME, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
