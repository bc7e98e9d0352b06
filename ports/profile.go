package ports

import (
	"context"

	"github.com/warest-go/warest/domain/chat"
)

// Profiles reads and changes WhatsApp profiles. It is separate from Transport so a
// transport can offer it later than messaging.
type Profiles interface {
	// Profile shows someone's profile as the account may see it (privacy applied);
	// the zero JID means the account itself.
	Profile(ctx context.Context, sessionID string, who chat.JID) (Profile, error)
	SetPushName(ctx context.Context, sessionID, name string) error
	SetAbout(ctx context.Context, sessionID, about string) error
	// Picture finds who's profile picture (the zero JID: the account's own), full
	// size or the preview; a picture that is unset or hidden is not found.
	Picture(ctx context.Context, sessionID string, who chat.JID, preview bool) (Picture, error)
	// SetPicture sets the profile picture and returns its id; nil removes it.
	SetPicture(ctx context.Context, sessionID string, image []byte) (string, error)
	Privacy(ctx context.Context, sessionID string) (Privacy, error)
	// SetPrivacy changes the non-empty settings and returns them all.
	SetPrivacy(ctx context.Context, sessionID string, p Privacy) (Privacy, error)
	// SetBusinessProfile makes the account a business with that profile; nil undoes it.
	SetBusinessProfile(ctx context.Context, sessionID string, b *BusinessProfile) error
}

// Profile is what WhatsApp shows about a person.
type Profile struct {
	Party     chat.Party
	About     string // "" when unset or hidden
	PictureID string // "" when unset or hidden
	Business  *BusinessProfile
}

// Picture is where a profile picture can be downloaded.
type Picture struct {
	ID   string
	URL  string
	Type string // "image" (full size) or "preview"
}

// BusinessProfile is the extra card of a business account.
type BusinessProfile struct {
	Description string `json:"description,omitempty"`
	Category    string `json:"category,omitempty"`
	Email       string `json:"email,omitempty"`
	Website     string `json:"website,omitempty"`
	Address     string `json:"address,omitempty"`
}

// PrivacyValue says who may see or do something.
type PrivacyValue string

const (
	PrivacyAll           PrivacyValue = "all"
	PrivacyContacts      PrivacyValue = "contacts"
	PrivacyNone          PrivacyValue = "none"
	PrivacyMatchLastSeen PrivacyValue = "match_last_seen" // online only
)

// Privacy is the account's privacy settings.
type Privacy struct {
	LastSeen     PrivacyValue
	Online       PrivacyValue // all or match_last_seen
	ProfilePhoto PrivacyValue
	About        PrivacyValue
	GroupAdd     PrivacyValue // who may add the account to groups
	ReadReceipts PrivacyValue // all or none
}
