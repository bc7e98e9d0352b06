package command

import (
	"bytes"
	"context"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// SendWithHeaderImage sends buttons or a list with a header image. Like SendMedia it
// checks the session first (nobody makes us fetch a URL for a session they do not
// own), loads the image through the same guarded path (fetcher, per-file limit),
// stores it in the blob store, then sends through Send. The image is sent as given:
// no compression. Like SendCounted it counts the request against the caller's rate
// limit and quota, but up front: an over-limit caller costs no fetch.
func (s *Sending) SendWithHeaderImage(ctx context.Context, p account.Principal, in SendInput, image MediaSource) ([]SendResult, ThrottleState, error) {
	st, err := s.quotas.Throttle(ctx, p, true)
	if err != nil {
		return nil, st, err
	}
	if in.Content.Kind != message.KindButtons && in.Content.Kind != message.KindList {
		return nil, st, fault.Invalid(fault.ReasonInvalidParameter, "only buttons and lists have a header image")
	}
	// Refuse a malformed message before fetching anything for it.
	if err := in.Content.Validate(); err != nil {
		return nil, st, err
	}
	if _, err := s.senders.session(ctx, p, in.SessionID, in.Phone); err != nil {
		return nil, st, err
	}
	src, err := s.media.load(ctx, image)
	if err != nil {
		return nil, st, err
	}
	mime := media.Pick(media.Sniff(src.Data), src.MIME, src.FileName)
	if !media.ClassImage.Accepts(mime) {
		return nil, st, fault.New(fault.KindInvalid, ports.ReasonUnsupportedType, "the header image is %s, not an image", media.Base(mime))
	}
	key := "outbound/" + s.media.ids.NewID() + "." + media.ExtFor(mime)
	info, err := s.media.blobs.Put(ctx, key, bytes.NewReader(src.Data), mime)
	if err != nil {
		return nil, st, err
	}
	img := &message.Media{MIME: mime, FileName: src.FileName, Size: info.Size, BlobKey: key}
	c := in.Content
	if c.Kind == message.KindButtons {
		b := *c.Buttons
		b.Image, c.Buttons = img, &b
	} else {
		l := *c.List
		l.Image, c.List = img, &l
	}
	in.Content = c
	res, err := s.Send(ctx, p, in)
	return res, st, err
}
