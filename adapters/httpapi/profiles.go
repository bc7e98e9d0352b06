package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// The WAREST Profiles operations (/api/v1/profile/*): the session's account's
// profile, picture and privacy, its contacts, and lookups of other numbers.
func (h *handlers) registerProfiles() {
	const tag = "Profiles"
	op := func(id, method, path, summary string) route {
		return route{id: id, method: method, path: "/api/v1/profile/" + path, tag: tag, access: accessUser, summary: summary,
			errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusBadGateway}}
	}
	register(h, op("getProfileInfo", http.MethodGet, "info", "The account's profile: name, about, picture, business card"), h.profileInfo)
	register(h, op("getProfilePicture", http.MethodGet, "picture", "The account's profile picture (404/2605 when it has none)"), h.profilePicture)
	upload := op("postProfilePicture", http.MethodPost, "picture",
		"Set the account's profile picture from an http(s) URL, a data URI or base64 (an image up to 10 MB; made a 640 px square JPEG)")
	upload.errors = append(upload.errors, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	upload.maxBody = 16 << 20 // the picture as base64
	register(h, upload, h.setProfilePicture)
	register(h, op("deleteProfilePicture", http.MethodDelete, "picture", "Remove the account's profile picture"), h.deleteProfilePicture)
	register(h, op("getProfilePrivacy", http.MethodGet, "privacy", "The account's privacy settings"), h.profilePrivacy)
	register(h, op("getProfileListContacts", http.MethodGet, "list-contacts",
		"The people the account chats with, or the members of its groups"), h.listContacts)
	register(h, op("getProfileOnWhatsapp", http.MethodGet, "on-whatsapp",
		"Check numbers on WhatsApp; one number gives one object, several an array"), h.onWhatsApp)
	register(h, op("getProfileBusinessProfile", http.MethodGet, "business-profile",
		"Business cards of numbers; one number gives one object (404/6004 when not a business), several an array"), h.businessProfile)
}

// profileBusiness is WAREST's business card (BusinessProfileEntry).
type profileBusiness struct {
	JID         string   `json:"jid"`
	Phone       string   `json:"phone"`
	Email       *string  `json:"email" nullable:"true"`
	Address     *string  `json:"address" nullable:"true"`
	Categories  []string `json:"categories"`
	Description *string  `json:"description" nullable:"true"`
	Websites    []string `json:"websites"`
	WID         string   `json:"wid"`
}

func toBusiness(party chat.Party, b *ports.BusinessProfile) *profileBusiness {
	if b == nil {
		return nil
	}
	out := &profileBusiness{JID: party.JID.String(), Phone: party.JID.User, WID: party.JID.String(), Email: nullable(b.Email),
		Address: nullable(b.Address), Description: nullable(b.Description), Categories: []string{}, Websites: []string{}}
	if b.Category != "" {
		out.Categories = append(out.Categories, b.Category)
	}
	if b.Website != "" {
		out.Websites = append(out.Websites, b.Website)
	}
	return out
}

// profilePictureResult is WAREST's picture object.
type profilePictureResult struct {
	Phone      string `json:"phone,omitempty"`
	URL        string `json:"url"`
	ID         string `json:"id"`
	Type       string `json:"type" doc:"image"`
	ImgFull    string `json:"imgFull"`
	ImgPreview string `json:"imgPreview"`
}

func toPicture(p *query.PictureView) *profilePictureResult {
	if p == nil {
		return nil
	}
	return &profilePictureResult{Phone: p.Phone, URL: p.Full.URL, ID: p.Full.ID, Type: p.Full.Type, ImgFull: p.Full.URL,
		ImgPreview: firstOf(p.Preview.URL, p.Full.URL)}
}

type profileInfoResult struct {
	Phone           string                `json:"phone"`
	VerifiedName    *string               `json:"verifiedName" nullable:"true" doc:"the business name, null for a personal account"`
	PushName        *string               `json:"pushName" nullable:"true"`
	About           *string               `json:"about" nullable:"true"`
	PictureID       *string               `json:"pictureId" nullable:"true"`
	BusinessProfile *profileBusiness      `json:"businessProfile" doc:"null for a personal account"`
	Entries         *struct{}             `json:"entries" doc:"always null: WhatsApp does not tell a linked device"`
	ProfilePicture  *profilePictureResult `json:"profilePicture" doc:"null when there is none"`
}

func (h *handlers) profileInfo(ctx context.Context, in *SessionSelector) (*Response[profileInfoResult], error) {
	v, err := h.q.Profiles.Profile(ctx, principal(ctx), in.sessionID())
	if err != nil {
		return nil, err
	}
	p := v.Profile
	out := profileInfoResult{Phone: v.Phone, PushName: nullable(p.Party.PushName), About: nullable(p.About),
		PictureID: nullable(p.PictureID), BusinessProfile: toBusiness(p.Party, p.Business), ProfilePicture: toPicture(v.Picture)}
	if p.Business != nil {
		out.VerifiedName = nullable(p.Party.PushName)
	}
	return success("Profile info", out), nil
}

func (h *handlers) profilePicture(ctx context.Context, in *SessionSelector) (*Response[profilePictureResult], error) {
	v, err := h.q.Profiles.Picture(ctx, principal(ctx), in.sessionID())
	if err != nil {
		return nil, err
	}
	return success("Profile picture resolved", *toPicture(&v)), nil
}

type setPictureInput struct {
	Body struct {
		SessionID string `json:"sessionId"`
		Picture   string `json:"picture" doc:"an http(s) URL (fetched with the SSRF guard), a data URI or base64; never a server path"`
	}
}

func (h *handlers) setProfilePicture(ctx context.Context, in *setPictureInput) (*Response[profilePictureResult], error) {
	src, err := sourceOf(in.Body.Picture)
	if err != nil {
		return nil, err
	}
	// The picture is read once the session's owner is checked (the use case does).
	pic, err := h.cmd.Profiles.SetPicture(ctx, principal(ctx), in.Body.SessionID, src)
	if err != nil {
		return nil, err
	}
	return success("Profile picture updated", profilePictureResult{URL: pic.URL, ID: pic.ID, Type: pic.Type, ImgFull: pic.URL,
		ImgPreview: pic.URL}), nil
}

type sessionBodyInput struct {
	SessionSelector
	Body *struct {
		SessionID string `json:"sessionId"`
	}
}

func (in sessionBodyInput) sessionID() string {
	if in.Body != nil {
		return firstOf(in.Body.SessionID, in.SessionSelector.sessionID())
	}
	return in.SessionSelector.sessionID()
}

func (h *handlers) deleteProfilePicture(ctx context.Context, in *sessionBodyInput) (*Response[noResult], error) {
	if err := h.cmd.Profiles.DeletePicture(ctx, principal(ctx), in.sessionID()); err != nil {
		return nil, err
	}
	return success[noResult]("Profile picture removed"), nil
}

type privacyResult struct {
	Phone        string `json:"phone"`
	ReadReceipts string `json:"readReceipts" enum:"all,none"`
	ProfilePhoto string `json:"profilePhoto" enum:"all,contacts,none"`
	Status       string `json:"status" enum:"all,contacts,none" doc:"who sees the about text"`
	Online       string `json:"online" enum:"all,match_last_seen"`
	LastSeen     string `json:"lastSeen" enum:"all,contacts,none"`
	GroupAdd     string `json:"groupAdd" enum:"all,contacts,none"`
}

func (h *handlers) profilePrivacy(ctx context.Context, in *SessionSelector) (*Response[privacyResult], error) {
	phone, p, err := h.q.Profiles.Privacy(ctx, principal(ctx), in.sessionID())
	if err != nil {
		return nil, err
	}
	return success("Privacy preferences", privacyResult{Phone: phone, ReadReceipts: string(p.ReadReceipts),
		ProfilePhoto: string(p.ProfilePhoto), Status: string(p.About), Online: string(p.Online), LastSeen: string(p.LastSeen),
		GroupAdd: string(p.GroupAdd)}), nil
}

// personPicture is a looked-up person's picture.
type personPicture struct {
	Full    string `json:"full"`
	Preview string `json:"preview"`
}

// personResult is one contact or looked-up number; the deep fields only with deep=true.
type personResult struct {
	JID             string           `json:"jid"`
	Phone           string           `json:"phone"`
	LID             string           `json:"lid,omitempty" doc:"the person's LID when WhatsApp told it (ours)"`
	IsOnWhatsApp    *bool            `json:"isOnWhatsApp,omitempty" doc:"on-whatsapp only"`
	Name            string           `json:"name,omitempty" doc:"list-contacts only: the push name"`
	VerifiedName    string           `json:"verifiedName,omitempty"`
	Picture         *personPicture   `json:"picture,omitempty"`
	About           string           `json:"about,omitempty"`
	BusinessProfile *profileBusiness `json:"businessProfile,omitempty"`
}

func toPerson(p query.Person, lookup bool) personResult {
	out := personResult{JID: p.Party.JID.String(), Phone: p.Party.JID.User, LID: p.Party.LID.String()}
	if lookup {
		exists := p.Exists
		out.IsOnWhatsApp = &exists
	} else {
		out.Name = p.Party.PushName
	}
	if p.Profile != nil {
		out.About, out.BusinessProfile = p.Profile.About, toBusiness(p.Party, p.Profile.Business)
		if p.Profile.Business != nil {
			out.VerifiedName = p.Party.PushName
		}
	}
	if p.Picture != nil {
		out.Picture = &personPicture{Full: p.Picture.Full.URL, Preview: firstOf(p.Picture.Preview.URL, p.Picture.Full.URL)}
	}
	return out
}

type listContactsInput struct {
	SessionSelector
	Type     string `query:"type" enum:"contacts,groups" default:"contacts" doc:"contacts: the people the account chats with; groups: the members of its groups"`
	Deep     bool   `query:"deep" doc:"add each person's picture, about text and business card (one lookup per person)"`
	GroupIDs string `query:"groupIds" doc:"with type=groups: comma separated group ids to read"`
	Limit    int    `query:"limit" minimum:"1" maximum:"1000" default:"15"`
	Offset   int    `query:"offset" minimum:"0"`
}

type contactsResult struct {
	Phone string         `json:"phone" doc:"the account's number"`
	Data  []personResult `json:"data"`
}

func (h *handlers) listContacts(ctx context.Context, in *listContactsInput) (*Response[contactsResult], error) {
	q := query.ContactsQuery{FromGroups: in.Type == "groups", Deep: in.Deep, Limit: in.Limit, Offset: in.Offset}
	for _, raw := range chat.SplitList(in.GroupIDs) {
		raw = strings.TrimSpace(raw)
		if !strings.Contains(raw, "@") {
			raw += "@" + chat.ServerGroup
		}
		j, err := chat.ParseJID(raw)
		if err != nil || j.Kind() != chat.KindGroup {
			return nil, fault.Invalid(fault.ReasonInvalidParameter, "%q is not a group id", raw)
		}
		q.GroupIDs = append(q.GroupIDs, j)
	}
	phone, people, err := h.q.Contacts.Contacts(ctx, principal(ctx), in.sessionID(), q)
	if err != nil {
		return nil, err
	}
	out := contactsResult{Phone: phone, Data: make([]personResult, len(people))}
	for i, p := range people {
		out.Data[i] = toPerson(p, false)
	}
	return success("Contacts", out), nil
}

type lookupInput struct {
	SessionSelector
	CheckNumbers string `query:"checkNumbers" doc:"one or more comma separated numbers (aliases: number, phone)"`
	Number       string `query:"number" hidden:"true"`
	Phone        string `query:"phone" hidden:"true"`
	Deep         bool   `query:"deep" doc:"on-whatsapp: add the picture, about text and business card of each number on WhatsApp"`
}

func (in lookupInput) numbers() []string {
	var out []string
	for _, n := range chat.SplitList(firstOf(in.CheckNumbers, in.Number, in.Phone)) {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// lookupResult holds one entry for one number, else the list (WAREST's shape).
type lookupResult struct {
	Data any `json:"data" doc:"an object for one number, an array of them for several"`
}

func oneOrMany[T any](items []T) lookupResult {
	if len(items) == 1 {
		return lookupResult{Data: items[0]}
	}
	return lookupResult{Data: items}
}

func (h *handlers) onWhatsApp(ctx context.Context, in *lookupInput) (*Response[lookupResult], error) {
	people, err := h.q.Contacts.OnWhatsApp(ctx, principal(ctx), in.sessionID(), in.numbers(), in.Deep)
	if err != nil {
		return nil, err
	}
	out := make([]personResult, len(people))
	for i, p := range people {
		out[i] = toPerson(p, true)
	}
	return success("Lookup complete", oneOrMany(out)), nil
}

func (h *handlers) businessProfile(ctx context.Context, in *lookupInput) (*Response[lookupResult], error) {
	people, err := h.q.Contacts.BusinessProfiles(ctx, principal(ctx), in.sessionID(), in.numbers())
	if err != nil {
		return nil, err
	}
	out := make([]profileBusiness, len(people))
	for i, p := range people {
		out[i] = profileBusiness{JID: p.Party.JID.String(), Phone: p.Party.JID.User, Categories: []string{}, Websites: []string{}}
		if p.Profile != nil && p.Profile.Business != nil {
			out[i] = *toBusiness(p.Party, p.Profile.Business)
		}
	}
	return success("Business profile info", oneOrMany(out)), nil
}
