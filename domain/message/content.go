package message

import (
	"net/url"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
)

// Content kinds beyond text. Inbound-only kinds are marked.
const (
	KindImage            Kind = "image"
	KindVideo            Kind = "video" // GIF playback is a video with Media.GIF
	KindAudio            Kind = "audio" // a voice note is audio with Media.PTT
	KindDocument         Kind = "document"
	KindSticker          Kind = "sticker"
	KindLocation         Kind = "location"
	KindContact          Kind = "contact" // one or more vCards
	KindPoll             Kind = "poll"
	KindButtons          Kind = "buttons"           // best effort: many clients no longer render them
	KindList             Kind = "list"              // best effort, as buttons
	KindReaction         Kind = "reaction"          // Emoji on Target; "" removes it
	KindEdit             Kind = "edit"              // Text replaces Target's text
	KindRevoke           Kind = "revoke"            // Target is deleted for everyone
	KindPin              Kind = "pin"               // Target pinned in its chat (Unpin reverses)
	KindPollVote         Kind = "poll_vote"         // inbound only
	KindGroupInvite      Kind = "group_invite"      // inbound only
	KindInteractiveReply Kind = "interactive_reply" // inbound only: a button or list answer
	KindUnknown          Kind = "unknown"           // inbound only: a kind we do not map
)

// Content is what a message carries. Exactly the part matching Kind is set; Text is
// the body of a text message or the caption of media.
type Content struct {
	Kind      Kind       `json:"kind,omitempty"`
	Text      string     `json:"text,omitempty"`
	Mentions  []chat.JID `json:"mentions,omitzero"`
	Reply     *Reference `json:"reply,omitempty"` // the quoted message, if any
	Forwarded bool       `json:"forwarded,omitempty"`
	ViewOnce  bool       `json:"viewOnce,omitempty"`

	Media    *Media            `json:"media,omitempty"`
	Location *Location         `json:"location,omitempty"`
	Contacts []Contact         `json:"contacts,omitempty"`
	Poll     *Poll             `json:"poll,omitempty"`
	PollVote *PollVote         `json:"pollVote,omitempty"`
	Buttons  *Buttons          `json:"buttons,omitempty"`
	List     *List             `json:"list,omitempty"`
	Invite   *GroupInvite      `json:"invite,omitempty"`
	Answer   *InteractiveReply `json:"answer,omitempty"`

	Target *Reference `json:"target,omitempty"` // the message a reaction, edit, revoke or pin is about
	Emoji  string     `json:"emoji,omitempty"`
	Unpin  bool       `json:"unpin,omitempty"`

	// Presence is a send option, not part of the WhatsApp message: the chat state the
	// worker shows before sending (available → composing/recording → paused).
	Presence Presence `json:"presence,omitempty"`
}

// Presence is the chat state shown before an outbound message.
type Presence string

const (
	PresenceNone      Presence = ""
	PresenceComposing Presence = "composing"
	PresenceRecording Presence = "recording"
)

// Reference points at an existing message.
type Reference struct {
	Chat   chat.JID `json:"chat,omitzero"`
	ID     string   `json:"id,omitempty"`
	Sender chat.JID `json:"sender,omitzero"` // author; needed in groups and for messages of others
	FromMe bool     `json:"fromMe,omitempty"`
}

// Media describes an attachment. Outbound bytes live in the blob store under BlobKey;
// inbound media carries the transport's download handles instead.
type Media struct {
	MIME     string `json:"mime,omitempty"`
	FileName string `json:"fileName,omitempty"`
	Size     int64  `json:"size,omitempty"`
	Seconds  int    `json:"seconds,omitempty"`
	Width    int    `json:"width,omitempty"`
	Height   int    `json:"height,omitempty"`
	Pages    int    `json:"pages,omitempty"`
	PTT      bool   `json:"ptt,omitempty"`
	GIF      bool   `json:"gif,omitempty"`
	BlobKey  string `json:"blobKey,omitempty"`

	URL           string `json:"url,omitempty"`
	DirectPath    string `json:"directPath,omitempty"`
	MediaKey      []byte `json:"mediaKey,omitempty"`
	FileSHA256    []byte `json:"fileSha256,omitempty"`
	FileEncSHA256 []byte `json:"fileEncSha256,omitempty"`

	// Mirror is the gateway's copy of received media, set on a webhook's copy of the
	// event once mirrored; never stored.
	Mirror *Mirror `json:"mirror,omitempty"`
}

// Mirror is where received media is kept: its blob key, the store's driver and a
// signed link to it.
type Mirror struct {
	Key    string `json:"key"`
	Driver string `json:"driver"`
	URL    string `json:"url"`
}

// BlobKey is the blob store key of the outbound bytes the content carries: its
// media, or the header image of buttons or a list; "" when it has none. Stores index
// it so spent blobs can be found and deleted.
func (c Content) BlobKey() string {
	switch {
	case c.Media != nil:
		return c.Media.BlobKey
	case c.Buttons != nil && c.Buttons.Image != nil:
		return c.Buttons.Image.BlobKey
	case c.List != nil && c.List.Image != nil:
		return c.List.Image.BlobKey
	}
	return ""
}

// Location is a point, optionally named.
type Location struct {
	Latitude  float64 `json:"latitude,omitempty"`
	Longitude float64 `json:"longitude,omitempty"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	Live      bool    `json:"live,omitempty"`
}

// Contact is one shared contact card.
type Contact struct {
	DisplayName string `json:"displayName,omitempty"`
	VCard       string `json:"vcard,omitempty"`
}

// Poll is a poll creation.
type Poll struct {
	Question        string   `json:"question,omitempty"`
	Options         []string `json:"options,omitempty"`
	SelectableCount int      `json:"selectableCount,omitempty"` // 0 or 1: single choice; n: up to n choices
}

// PollVote is a decrypted vote on a poll.
type PollVote struct {
	Poll     Reference `json:"poll,omitempty"`
	Selected []string  `json:"selected,omitempty"` // option names
}

// ButtonKind is what tapping a button does. The zero value is a quick reply.
type ButtonKind string

const (
	ButtonReply ButtonKind = "reply" // sends the button's id back as an answer ("" means reply too)
	ButtonURL   ButtonKind = "url"   // opens URL
	ButtonCall  ButtonKind = "call"  // calls Phone
	ButtonCopy  ButtonKind = "copy"  // copies CopyCode to the clipboard
)

// ParseButtonKind reads WAREST's button types: reply or quick_reply, url or cta_url,
// call or cta_call, copy or cta_copy (case-insensitive); "" is a reply.
func ParseButtonKind(s string) (ButtonKind, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "reply", "quick_reply":
		return ButtonReply, true
	case "url", "cta_url":
		return ButtonURL, true
	case "call", "cta_call":
		return ButtonCall, true
	case "copy", "cta_copy":
		return ButtonCopy, true
	}
	return "", false
}

// Button is one button: a quick reply (ID), or a call to action (URL, Phone or
// CopyCode by Kind). Text is its label.
type Button struct {
	Kind     ButtonKind `json:"kind,omitempty"`
	ID       string     `json:"id,omitempty"`
	Text     string     `json:"text,omitempty"`
	URL      string     `json:"url,omitempty"`
	Phone    string     `json:"phone,omitempty"`
	CopyCode string     `json:"copyCode,omitempty"`
}

// IsReply reports whether tapping the button answers with its id.
func (b Button) IsReply() bool { return b.Kind == "" || b.Kind == ButtonReply }

// Buttons is a message with buttons, sent as a native-flow interactive message.
type Buttons struct {
	Footer  string   `json:"footer,omitempty"`
	Image   *Media   `json:"image,omitempty"` // optional header image; outbound bytes in the blob store
	Buttons []Button `json:"buttons,omitempty"`
	// Legacy marks inbound content that arrived as an old-style ButtonsMessage
	// rather than a native-flow interactive message. Outbound ignores it.
	Legacy bool `json:"legacy,omitempty"`
}

// ListRow is one choice of a list message.
type ListRow struct {
	ID          string `json:"id,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// ListSection groups rows.
type ListSection struct {
	Title string    `json:"title,omitempty"`
	Rows  []ListRow `json:"rows,omitempty"`
}

// List is a message with a menu of choices, sent as a native-flow single_select.
type List struct {
	Title      string        `json:"title,omitempty"`
	Footer     string        `json:"footer,omitempty"`
	ButtonText string        `json:"buttonText,omitempty"`
	Image      *Media        `json:"image,omitempty"` // optional header image, as Buttons.Image
	Sections   []ListSection `json:"sections,omitempty"`
	// Legacy marks inbound content that arrived as an old-style ListMessage.
	Legacy bool `json:"legacy,omitempty"`
}

// GroupInvite is an invitation to join a group.
type GroupInvite struct {
	Group      chat.JID  `json:"group,omitzero"`
	GroupName  string    `json:"groupName,omitempty"`
	Code       string    `json:"code,omitempty"`
	Expiration time.Time `json:"expiration,omitzero"`
}

// InteractiveReply is an answer to buttons or a list.
type InteractiveReply struct {
	ID    string    `json:"id,omitempty"`   // the chosen button or row id
	Text  string    `json:"text,omitempty"` // its visible text
	Reply Reference `json:"reply,omitempty"`
}

// Limits WhatsApp enforces (or that keep messages deliverable).
const (
	MaxButtons      = 10 // WAREST's cap; WhatsApp renders the first few and a "see all" menu
	MaxPollOptions  = 12
	MinPollOptions  = 2
	MaxListSections = 10
	MaxListRows     = 10
	MaxCaption      = 1024
)

// Validate checks an outbound content; inbound content is taken as it comes.
func (c Content) Validate() error {
	if len([]rune(c.Text)) > MaxTextLength {
		return fault.Invalid(fault.ReasonInvalidParameter, "text exceeds %d characters", MaxTextLength)
	}
	switch c.Kind {
	case KindText:
		if strings.TrimSpace(c.Text) == "" {
			return fault.Invalid(fault.ReasonMissingParameter, "message is required")
		}
	case KindImage, KindVideo, KindAudio, KindDocument, KindSticker:
		return c.validateMedia()
	case KindLocation:
		l := c.Location
		// Written as "not within" so NaN, which compares false to everything, is refused.
		if l == nil || !(l.Latitude >= -90 && l.Latitude <= 90) || !(l.Longitude >= -180 && l.Longitude <= 180) {
			return fault.Invalid(fault.ReasonInvalidParameter, "latitude must be within ±90 and longitude within ±180")
		}
	case KindContact:
		if len(c.Contacts) == 0 {
			return fault.Invalid(fault.ReasonMissingParameter, "at least one contact is required")
		}
		for _, ct := range c.Contacts {
			if strings.TrimSpace(ct.DisplayName) == "" || !strings.Contains(ct.VCard, "BEGIN:VCARD") {
				return fault.Invalid(fault.ReasonInvalidParameter, "each contact needs a name and a vCard")
			}
		}
	case KindPoll:
		return c.validatePoll()
	case KindButtons:
		return c.validateButtons()
	case KindList:
		return c.validateList()
	case KindReaction, KindRevoke, KindPin:
		return c.validateTarget()
	case KindEdit:
		if strings.TrimSpace(c.Text) == "" {
			return fault.Invalid(fault.ReasonMissingParameter, "the new text is required")
		}
		return c.validateTarget()
	default:
		return fault.Invalid(fault.ReasonInvalidParameter, "cannot send a %s message", c.Kind)
	}
	return nil
}

func (c Content) validateMedia() error {
	m := c.Media
	if m == nil || m.BlobKey == "" {
		return fault.Invalid(fault.ReasonMissingParameter, "a file is required")
	}
	if m.MIME == "" {
		return fault.Invalid(fault.ReasonInvalidParameter, "the file type is unknown")
	}
	if len([]rune(c.Text)) > MaxCaption {
		return fault.Invalid(fault.ReasonInvalidParameter, "caption exceeds %d characters", MaxCaption)
	}
	if c.ViewOnce && c.Kind != KindImage && c.Kind != KindVideo && c.Kind != KindAudio {
		return fault.Invalid(fault.ReasonInvalidParameter, "only images, videos and voice notes can be view-once")
	}
	return nil
}

func (c Content) validatePoll() error {
	p := c.Poll
	if p == nil || strings.TrimSpace(p.Question) == "" {
		return fault.Invalid(fault.ReasonMissingParameter, "a poll needs a question")
	}
	if len(p.Options) < MinPollOptions || len(p.Options) > MaxPollOptions {
		return fault.Invalid(fault.ReasonInvalidParameter, "a poll needs %d to %d options", MinPollOptions, MaxPollOptions)
	}
	seen := map[string]bool{}
	for _, o := range p.Options {
		if strings.TrimSpace(o) == "" || seen[o] {
			return fault.Invalid(fault.ReasonInvalidParameter, "poll options must be non-empty and distinct")
		}
		seen[o] = true
	}
	if p.SelectableCount < 0 || p.SelectableCount > len(p.Options) {
		return fault.Invalid(fault.ReasonInvalidParameter, "selectableCount must be between 0 and the number of options")
	}
	return nil
}

func (c Content) validateButtons() error {
	b := c.Buttons
	if b == nil || len(b.Buttons) == 0 || len(b.Buttons) > MaxButtons {
		return fault.Invalid(fault.ReasonInvalidParameter, "1 to %d buttons are required", MaxButtons)
	}
	if strings.TrimSpace(c.Text) == "" {
		return fault.Invalid(fault.ReasonMissingParameter, "a button message needs a body text")
	}
	for i, bt := range b.Buttons {
		if err := bt.validate(); err != nil {
			return fault.Invalid(fault.ReasonInvalidParameter, "button %d: %s", i+1, err.Error())
		}
	}
	return validateHeaderImage(b.Image)
}

// buttonError is a plain reason; validateButtons wraps it with the button's position.
type buttonError string

func (e buttonError) Error() string { return string(e) }

func (b Button) validate() error {
	if strings.TrimSpace(b.Text) == "" {
		return buttonError("a text (or displayText) is required")
	}
	switch b.Kind {
	case "", ButtonReply:
		if strings.TrimSpace(b.ID) == "" {
			return buttonError("a reply button needs an id")
		}
	case ButtonURL:
		if !IsWebURL(b.URL) {
			return buttonError("a url button needs an http(s) url")
		}
	case ButtonCall:
		if !IsPhoneNumber(b.Phone) {
			return buttonError("a call button needs a phoneNumber of 3 to 20 digits")
		}
	case ButtonCopy:
		if strings.TrimSpace(b.CopyCode) == "" {
			return buttonError("a copy button needs a copyCode")
		}
	default:
		return buttonError("type must be reply, url, call or copy")
	}
	return nil
}

// IsWebURL reports whether s is an absolute http(s) URL with a host.
func IsWebURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// IsPhoneNumber reports whether s is a phone number: 3 to 20 digits, optionally
// with a leading + and spaces, dashes, dots or parentheses between them.
func IsPhoneNumber(s string) bool {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 20
}

// validateHeaderImage checks an outbound header image: stored bytes of an image type.
func validateHeaderImage(m *Media) error {
	if m == nil {
		return nil
	}
	if m.BlobKey == "" || !strings.HasPrefix(m.MIME, "image/") {
		return fault.Invalid(fault.ReasonInvalidParameter, "the header image must be a stored image")
	}
	return nil
}

func (c Content) validateList() error {
	l := c.List
	if l == nil || len(l.Sections) == 0 || len(l.Sections) > MaxListSections {
		return fault.Invalid(fault.ReasonInvalidParameter, "a list needs 1 to %d sections", MaxListSections)
	}
	if err := validateHeaderImage(l.Image); err != nil {
		return err
	}
	if strings.TrimSpace(l.ButtonText) == "" || strings.TrimSpace(c.Text) == "" {
		return fault.Invalid(fault.ReasonMissingParameter, "a list needs a body text and a button text")
	}
	ids := map[string]bool{}
	for _, s := range l.Sections {
		if len(s.Rows) == 0 || len(s.Rows) > MaxListRows {
			return fault.Invalid(fault.ReasonInvalidParameter, "each list section needs 1 to %d rows", MaxListRows)
		}
		for _, r := range s.Rows {
			if r.ID == "" || r.Title == "" || ids[r.ID] {
				return fault.Invalid(fault.ReasonInvalidParameter, "list rows need a unique id and a title")
			}
			ids[r.ID] = true
		}
	}
	return nil
}

func (c Content) validateTarget() error {
	if c.Target == nil || c.Target.ID == "" {
		return fault.Invalid(fault.ReasonMissingParameter, "the target message id is required")
	}
	return nil
}

// TextContent is a plain text message.
func TextContent(text string) Content { return Content{Kind: KindText, Text: text} }
