package query

import (
	"context"
	"io"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Media streams the files of a session's messages: a received file from its mirror,
// else from WhatsApp; a sent file from the outbound blob while it is kept.
type Media struct {
	store ports.Store
	blobs ports.BlobStore
	dl    ports.MediaDownloader // nil: received media is served only once mirrored
}

// NewMedia builds the media reads; dl may be nil.
func NewMedia(store ports.Store, blobs ports.BlobStore, dl ports.MediaDownloader) *Media {
	return &Media{store: store, blobs: blobs, dl: dl}
}

// MediaFile is a message's file; the caller closes Body.
type MediaFile struct {
	Body     io.ReadCloser
	MIME     string
	Size     int64 // 0: unknown
	FileName string
}

// MessageMedia opens the file of message id in a session of the caller's.
func (q *Media) MessageMedia(ctx context.Context, p account.Principal, sessionID, id string) (MediaFile, error) {
	if _, err := access.Session(ctx, q.store, p, sessionID); err != nil {
		return MediaFile{}, err
	}
	if q.blobs == nil {
		return MediaFile{}, fault.NotFound(fault.ReasonMessageNotFound, "no media is stored")
	}
	got, err := q.store.Inbound().Get(ctx, sessionID, id)
	if err == nil {
		return q.received(ctx, got.Inbound)
	}
	if !fault.Is(err, fault.KindNotFound) {
		return MediaFile{}, err
	}
	sent, err := q.store.Messages().Get(ctx, sessionID, id)
	if err != nil {
		return MediaFile{}, err
	}
	key := sent.Content.BlobKey()
	if key == "" {
		return MediaFile{}, noMedia(id)
	}
	return q.open(ctx, key, sent.Content.Media)
}

func (q *Media) received(ctx context.Context, m message.Inbound) (MediaFile, error) {
	if m.Content.Media == nil {
		return MediaFile{}, noMedia(m.ID)
	}
	f, err := q.open(ctx, media.MirrorKey(m.SessionID, m.ID, m.Content), m.Content.Media)
	if !fault.Is(err, fault.KindNotFound) || q.dl == nil {
		return f, err
	}
	body, err := q.dl.DownloadMedia(ctx, m)
	if err != nil {
		return MediaFile{}, err
	}
	return MediaFile{Body: body, MIME: m.Content.Media.MIME, Size: m.Content.Media.Size, FileName: m.Content.Media.FileName}, nil
}

func (q *Media) open(ctx context.Context, key string, about *message.Media) (MediaFile, error) {
	body, info, err := q.blobs.Open(ctx, key)
	if err != nil {
		return MediaFile{}, err
	}
	f := MediaFile{Body: body, MIME: info.MIME, Size: info.Size}
	if about != nil {
		f.FileName = about.FileName
		if f.MIME == "" {
			f.MIME = about.MIME
		}
	}
	return f, nil
}

func noMedia(id string) error {
	return fault.NotFound(fault.ReasonMessageNotFound, "message %s has no media", id)
}
