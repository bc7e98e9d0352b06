package command

import (
	"context"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/ports"
)

// Profile pictures: what a client may upload and what WhatsApp gets.
const (
	MaxPictureBytes = 10 << 20
	PictureSize     = 640 // px, square JPEG
)

// Profiles changes the account's own profile picture.
type Profiles struct {
	store    ports.Store
	profiles ports.Profiles
	media    mediaPrep // fetches URLs through the guarded fetcher and resizes with the transcoder
}

// SetPicture checks the session first (nobody makes us fetch for a session they do
// not own), loads the image, makes it a 640 px square JPEG and sets it; it returns
// the new picture.
func (s *Profiles) SetPicture(ctx context.Context, p account.Principal, sessionID string, src MediaSource) (ports.Picture, error) {
	sess, err := ownedSession(ctx, s.store, p, sessionID)
	if err != nil {
		return ports.Picture{}, err
	}
	src, err = s.media.load(ctx, src)
	if err != nil {
		return ports.Picture{}, err
	}
	switch media.Sniff(src.Data) {
	case "image/jpeg", "image/png", "image/webp", "image/gif":
	default:
		return ports.Picture{}, fault.New(fault.KindInvalid, ports.ReasonUnsupportedType, "a profile picture must be a JPEG, PNG, WebP or GIF image")
	}
	if s.media.transcoder == nil {
		return ports.Picture{}, fault.New(fault.KindUnavailable, ports.ReasonNoTranscoder, "resizing pictures is not configured")
	}
	jpeg, err := s.media.transcoder.PictureJPEG(ctx, src.Data, PictureSize)
	if err != nil {
		return ports.Picture{}, err
	}
	if _, err := s.profiles.SetPicture(ctx, sess.ID(), jpeg); err != nil {
		return ports.Picture{}, err
	}
	return s.profiles.Picture(ctx, sess.ID(), chat.JID{}, false)
}

// DeletePicture removes the account's profile picture.
func (s *Profiles) DeletePicture(ctx context.Context, p account.Principal, sessionID string) error {
	sess, err := ownedSession(ctx, s.store, p, sessionID)
	if err != nil {
		return err
	}
	_, err = s.profiles.SetPicture(ctx, sess.ID(), nil)
	return err
}
