package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// WhatsApp's limits on profile texts.
const (
	maxPushName = 25
	maxAbout    = 139
)

// Profile shows who's profile as the account may see it; the zero JID is the account.
func (n *Network) Profile(ctx context.Context, sessionID string, who chat.JID) (ports.Profile, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return ports.Profile{}, err
	}
	p := me
	if !who.IsZero() {
		if p, err = n.reachable(who); err != nil {
			return ports.Profile{}, err
		}
	}
	out := ports.Profile{Party: p.party()}
	if shows(p.privacy.About, p, me) {
		out.About = p.about
	}
	if shows(p.privacy.ProfilePhoto, p, me) {
		out.PictureID = p.picture
	}
	if p.business != nil {
		b := *p.business
		out.Business = &b
	}
	return out, nil
}

// Picture finds who's picture (the zero JID: the account's) as the account may see it.
func (n *Network) Picture(ctx context.Context, sessionID string, who chat.JID, preview bool) (ports.Picture, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return ports.Picture{}, err
	}
	p := me
	if !who.IsZero() {
		if p, err = n.reachable(who); err != nil {
			return ports.Picture{}, err
		}
	}
	if p.picture == "" || !shows(p.privacy.ProfilePhoto, p, me) {
		return ports.Picture{}, fault.NotFound(fault.ReasonPictureNotFound, "%s has no profile picture you may see", p.jid())
	}
	out := ports.Picture{ID: p.picture, Type: "image", URL: "https://pps.whatsapp.net/sandbox/" + p.phone + "/" + p.picture + ".jpg"}
	if preview {
		out.Type, out.URL = "preview", strings.TrimSuffix(out.URL, ".jpg")+"-preview.jpg"
	}
	return out, nil
}

// SetPushName changes the name others see on the account's messages.
func (n *Network) SetPushName(ctx context.Context, sessionID, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > maxPushName {
		return fault.Invalid(fault.ReasonInvalidParameter, "a name needs 1 to %d characters", maxPushName)
	}
	return n.withMe(ctx, sessionID, func(p *person) { p.name = name })
}

// SetAbout changes the account's about text.
func (n *Network) SetAbout(ctx context.Context, sessionID, about string) error {
	if len([]rune(about)) > maxAbout {
		return fault.Invalid(fault.ReasonInvalidParameter, "about is limited to %d characters", maxAbout)
	}
	return n.withMe(ctx, sessionID, func(p *person) { p.about = about })
}

// SetPicture sets the account's picture and returns its new id. WhatsApp takes only
// JPEG profile pictures.
func (n *Network) SetPicture(ctx context.Context, sessionID string, image []byte) (string, error) {
	if image != nil && !bytes.HasPrefix(image, []byte{0xFF, 0xD8, 0xFF}) {
		return "", fault.Invalid(fault.ReasonInvalidParameter, "a profile picture must be a JPEG image")
	}
	var id string
	err := n.withMe(ctx, sessionID, func(p *person) {
		if image != nil {
			id = fmt.Sprint(1_700_000_000 + n.rng.IntN(1_000_000_000))
		}
		p.picture = id
	})
	return id, err
}

// Privacy returns the account's privacy settings.
func (n *Network) Privacy(ctx context.Context, sessionID string) (ports.Privacy, error) {
	var out ports.Privacy
	err := n.withMe(ctx, sessionID, func(p *person) { out = p.privacy })
	return out, err
}

// SetPrivacy changes the given settings and returns all of them.
func (n *Network) SetPrivacy(ctx context.Context, sessionID string, set ports.Privacy) (ports.Privacy, error) {
	audience := []ports.PrivacyValue{"", ports.PrivacyAll, ports.PrivacyContacts, ports.PrivacyNone}
	checks := []struct {
		name    string
		v       ports.PrivacyValue
		allowed []ports.PrivacyValue
	}{
		{"lastSeen", set.LastSeen, audience},
		{"online", set.Online, []ports.PrivacyValue{"", ports.PrivacyAll, ports.PrivacyMatchLastSeen}},
		{"profilePhoto", set.ProfilePhoto, audience},
		{"about", set.About, audience},
		{"groupAdd", set.GroupAdd, audience},
		{"readReceipts", set.ReadReceipts, []ports.PrivacyValue{"", ports.PrivacyAll, ports.PrivacyNone}},
	}
	for _, c := range checks {
		if !slices.Contains(c.allowed, c.v) {
			return ports.Privacy{}, fault.Invalid(fault.ReasonInvalidParameter, "%s cannot be %q", c.name, c.v)
		}
	}
	var out ports.Privacy
	err := n.withMe(ctx, sessionID, func(p *person) {
		for dst, v := range map[*ports.PrivacyValue]ports.PrivacyValue{&p.privacy.LastSeen: set.LastSeen, &p.privacy.Online: set.Online,
			&p.privacy.ProfilePhoto: set.ProfilePhoto, &p.privacy.About: set.About, &p.privacy.GroupAdd: set.GroupAdd,
			&p.privacy.ReadReceipts: set.ReadReceipts} {
			if v != "" {
				*dst = v
			}
		}
		out = p.privacy
	})
	return out, err
}

// SetBusinessProfile makes the account a business with that profile; nil undoes it.
func (n *Network) SetBusinessProfile(ctx context.Context, sessionID string, b *ports.BusinessProfile) error {
	return n.withMe(ctx, sessionID, func(p *person) {
		p.business = nil
		if b != nil {
			c := *b
			p.business = &c
		}
	})
}

// withMe runs f under n.mu on the account of a session the calling client has connected.
func (n *Network) withMe(ctx context.Context, sessionID string, f func(*person)) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return err
	}
	f(me)
	return nil
}
