package query

import (
	"context"
	"strings"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Profiles reads the account's own profile, picture and privacy through a
// session, after checking the caller owns the session.
type Profiles struct {
	store    ports.Store
	profiles ports.Profiles
}

// NewProfiles builds the reads of the account's own profile.
func NewProfiles(store ports.Store, profiles ports.Profiles) *Profiles {
	return &Profiles{store: store, profiles: profiles}
}

// ProfileView is the account's own profile.
type ProfileView struct {
	Phone   string // the account's number
	Profile ports.Profile
	Picture *PictureView // nil when there is none
}

// PictureView is a profile picture in both sizes.
type PictureView struct {
	Phone   string
	Full    ports.Picture
	Preview ports.Picture
}

// Profile is the account's own profile and picture.
func (q *Profiles) Profile(ctx context.Context, p account.Principal, sessionID string) (ProfileView, error) {
	sess, err := access.Session(ctx, q.store, p, sessionID)
	if err != nil {
		return ProfileView{}, err
	}
	prof, err := q.profiles.Profile(ctx, sess.ID(), chat.JID{})
	if err != nil {
		return ProfileView{}, err
	}
	out := ProfileView{Phone: prof.Party.JID.User, Profile: prof}
	if out.Picture, err = picture(ctx, q.profiles, sess.ID(), chat.JID{}); err != nil {
		return ProfileView{}, err
	}
	return out, nil
}

// Picture is the account's own profile picture; not found when it has none.
func (q *Profiles) Picture(ctx context.Context, p account.Principal, sessionID string) (PictureView, error) {
	sess, err := access.Session(ctx, q.store, p, sessionID)
	if err != nil {
		return PictureView{}, err
	}
	pic, err := picture(ctx, q.profiles, sess.ID(), chat.JID{})
	if err != nil {
		return PictureView{}, err
	}
	if pic == nil {
		return PictureView{}, fault.NotFound(fault.ReasonPictureNotFound, "the account has no profile picture")
	}
	pic.Phone = ownPhone(sess)
	return *pic, nil
}

// Privacy is the account's privacy settings and its number.
func (q *Profiles) Privacy(ctx context.Context, p account.Principal, sessionID string) (string, ports.Privacy, error) {
	sess, err := access.Session(ctx, q.store, p, sessionID)
	if err != nil {
		return "", ports.Privacy{}, err
	}
	priv, err := q.profiles.Privacy(ctx, sess.ID())
	return ownPhone(sess), priv, err
}

// picture reads both sizes of who's picture; nil when there is none to see.
func picture(ctx context.Context, profiles ports.Profiles, sessionID string, who chat.JID) (*PictureView, error) {
	full, err := profiles.Picture(ctx, sessionID, who, false)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	preview, err := profiles.Picture(ctx, sessionID, who, true)
	if err != nil && !hidden(err) {
		return nil, err
	}
	return &PictureView{Phone: who.User, Full: full, Preview: preview}, nil
}

// hidden says a picture is unset or kept from the account by privacy.
func hidden(err error) bool {
	fe, ok := fault.As(err)
	return ok && (fe.Reason == fault.ReasonPictureNotFound || fe.Reason == fault.ReasonPrivacyHidden)
}

// ownPhone is the number of the session's account, "" before pairing.
func ownPhone(sess *session.Session) string {
	if me := sess.Me(); me != nil {
		phone, _, _ := strings.Cut(me.JID, "@")
		return phone
	}
	return ""
}
