package whatsmeow

import (
	"context"
	"errors"
	"slices"
	"strings"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

var (
	_ ports.Profiles = (*Transport)(nil)
	_ ports.Contacts = (*Transport)(nil)
	_ ports.Calls    = (*Transport)(nil)
)

// waPeople is the part of *whatsmeow.Client that profiles, contacts, presence
// subscriptions and calls use; tests fake it.
type waPeople interface {
	GetUserInfo(ctx context.Context, jids []types.JID) (map[types.JID]types.UserInfo, error)
	GetProfilePictureInfo(ctx context.Context, jid types.JID, params *wm.GetProfilePictureParams) (*types.ProfilePictureInfo, error)
	SetGroupPhoto(ctx context.Context, jid types.JID, avatar []byte) (string, error)
	SetStatusMessage(ctx context.Context, status types.SetStatusInput) error
	SendAppState(ctx context.Context, patch appstate.PatchInfo) error
	TryFetchPrivacySettings(ctx context.Context, ignoreCache bool) (*types.PrivacySettings, error)
	SetPrivacySetting(ctx context.Context, name types.PrivacySettingType, value types.PrivacySetting) (types.PrivacySettings, error)
	GetBusinessProfile(ctx context.Context, jid types.JID) (*types.BusinessProfile, error)
	IsOnWhatsApp(ctx context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error)
	SubscribePresence(ctx context.Context, jid types.JID) error
	RejectCall(ctx context.Context, callFrom types.JID, callID string) error
}

// waDirectory is what the device store knows about people: their LIDs and the
// names the account's contacts carry.
type waDirectory interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
	GetLIDForPN(ctx context.Context, pn types.JID) (types.JID, error)
	GetContact(ctx context.Context, user types.JID) (types.ContactInfo, error)
	GetAllContacts(ctx context.Context) (map[types.JID]types.ContactInfo, error)
}

// directory joins the device store's LID map and contact list.
type directory struct {
	store.LIDStore
	store.ContactStore
}

// people runs profile, contact, presence and call requests for one connected account.
type people struct {
	cli      waPeople
	dir      waDirectory
	me       types.JID // the account, without device
	pushName string
	calls    *callBook
}

func (t *Transport) people(sessionID string) (people, error) {
	r, err := t.running(sessionID)
	if err != nil {
		return people{}, err
	}
	cli, ok := r.connected()
	if !ok {
		return people{}, fault.New(fault.KindUnavailable, fault.ReasonSessionNotOpen, "session %s is not connected to WhatsApp", sessionID)
	}
	if cli.Store.ID == nil {
		return people{}, fault.FailedPrecondition(fault.ReasonNotPaired, "session %s is not paired", sessionID)
	}
	return people{cli: cli, dir: directory{cli.Store.LIDs, cli.Store.Contacts}, me: cli.Store.ID.ToNonAD(), pushName: r.name.get(), calls: r.calls}, nil
}

// on runs f with the session's people, or returns why it cannot.
func on[T any](t *Transport, sessionID string, f func(people) (T, error)) (T, error) {
	p, err := t.people(sessionID)
	if err != nil {
		var zero T
		return zero, err
	}
	return f(p)
}

func (t *Transport) Profile(ctx context.Context, sessionID string, who chat.JID) (ports.Profile, error) {
	return on(t, sessionID, func(p people) (ports.Profile, error) { return p.profile(ctx, who) })
}

func (t *Transport) Picture(ctx context.Context, sessionID string, who chat.JID, preview bool) (ports.Picture, error) {
	return on(t, sessionID, func(p people) (ports.Picture, error) { return p.picture(ctx, who, preview) })
}

// SetPushName is an app state change: like the others, it waits for the app state (see synced).
func (t *Transport) SetPushName(ctx context.Context, sessionID, name string) error {
	if _, err := t.synced(ctx, sessionID); err != nil {
		return err
	}
	_, err := on(t, sessionID, func(p people) (struct{}, error) {
		return struct{}{}, peopleError(p.cli.SendAppState(ctx, appstate.BuildSettingPushName(name)), "setting the name")
	})
	return err
}

func (t *Transport) SetAbout(ctx context.Context, sessionID, about string) error {
	_, err := on(t, sessionID, func(p people) (struct{}, error) {
		return struct{}{}, peopleError(p.cli.SetStatusMessage(ctx, types.SetStatusInput{Text: &about}), "setting the about text")
	})
	return err
}

func (t *Transport) SetPicture(ctx context.Context, sessionID string, image []byte) (string, error) {
	return on(t, sessionID, func(p people) (string, error) { return p.setPicture(ctx, image) })
}

func (t *Transport) Privacy(ctx context.Context, sessionID string) (ports.Privacy, error) {
	return on(t, sessionID, func(p people) (ports.Privacy, error) {
		s, err := p.cli.TryFetchPrivacySettings(ctx, false)
		if err != nil {
			return ports.Privacy{}, peopleError(err, "reading privacy settings")
		}
		return fromPrivacy(*s), nil
	})
}

// SetPrivacy changes each non-empty setting, one request each, as WhatsApp takes them.
func (t *Transport) SetPrivacy(ctx context.Context, sessionID string, set ports.Privacy) (ports.Privacy, error) {
	return on(t, sessionID, func(p people) (ports.Privacy, error) {
		changes := []struct {
			name types.PrivacySettingType
			v    ports.PrivacyValue
		}{{types.PrivacySettingTypeLastSeen, set.LastSeen}, {types.PrivacySettingTypeOnline, set.Online},
			{types.PrivacySettingTypeProfile, set.ProfilePhoto}, {types.PrivacySettingTypeStatus, set.About},
			{types.PrivacySettingTypeGroupAdd, set.GroupAdd}, {types.PrivacySettingTypeReadReceipts, set.ReadReceipts}}
		var out types.PrivacySettings
		for _, c := range changes {
			if c.v == "" {
				continue
			}
			s, err := p.cli.SetPrivacySetting(ctx, c.name, types.PrivacySetting(c.v))
			if err != nil {
				return ports.Privacy{}, peopleError(err, "changing privacy setting "+string(c.name))
			}
			out = s
		}
		return fromPrivacy(out), nil
	})
}

// SetBusinessProfile is not offered by WhatsApp to linked devices.
func (t *Transport) SetBusinessProfile(context.Context, string, *ports.BusinessProfile) error {
	return fault.FailedPrecondition(fault.ReasonInvalidState, "a business profile is edited in the WhatsApp Business app, not through a linked device")
}

// IsOnWhatsApp asks WhatsApp about phones (digits) and answers in the order given.
func (t *Transport) IsOnWhatsApp(ctx context.Context, sessionID string, phones []string) ([]ports.OnWhatsApp, error) {
	return on(t, sessionID, func(p people) ([]ports.OnWhatsApp, error) { return p.onWhatsApp(ctx, phones) })
}

func (t *Transport) Identify(ctx context.Context, sessionID string, who chat.JID) (chat.Party, error) {
	return on(t, sessionID, func(p people) (chat.Party, error) { return p.identify(ctx, who) })
}

func (t *Transport) Contacts(ctx context.Context, sessionID string) ([]chat.Party, error) {
	return on(t, sessionID, func(p people) ([]chat.Party, error) { return p.contacts(ctx) })
}

func (t *Transport) SubscribePresence(ctx context.Context, sessionID string, who chat.JID) error {
	_, err := on(t, sessionID, func(p people) (struct{}, error) { return struct{}{}, p.subscribe(ctx, who) })
	return err
}

func (t *Transport) RejectCall(ctx context.Context, sessionID string, from chat.JID, callID string) error {
	_, err := on(t, sessionID, func(p people) (struct{}, error) { return struct{}{}, p.rejectCall(ctx, from, callID) })
	return err
}

// setPicture sets the account's own picture. WhatsApp takes the same IQ as for a
// group's photo, with no target: whatsmeow's SetGroupPhoto leaves an empty target out.
func (p people) setPicture(ctx context.Context, image []byte) (string, error) {
	id, err := p.cli.SetGroupPhoto(ctx, types.EmptyJID, image)
	switch {
	case errors.Is(err, wm.ErrInvalidImageFormat):
		return "", fault.Wrap(err, fault.KindInvalid, fault.ReasonInvalidParameter, "WhatsApp refused the picture: not a valid JPEG")
	case err != nil:
		return "", fault.Wrap(err, fault.KindUnavailable, fault.ReasonProfileRefused, "WhatsApp refused the picture")
	case image == nil:
		return "", nil // whatsmeow answers "remove"
	}
	return id, nil
}

func (p people) subscribe(ctx context.Context, who chat.JID) error {
	return peopleError(p.cli.SubscribePresence(ctx, toJID(who)), "subscribing to presence")
}

func (p people) rejectCall(ctx context.Context, from chat.JID, callID string) error {
	if err := p.calls.reject(callID, from); err != nil {
		return err
	}
	return peopleError(p.cli.RejectCall(ctx, toJID(from), callID), "rejecting the call")
}

// profile reads who's (or the account's) about text, picture id and business card.
func (p people) profile(ctx context.Context, who chat.JID) (ports.Profile, error) {
	jid := p.me
	if !who.IsZero() {
		jid = toJID(who)
	}
	infos, err := p.cli.GetUserInfo(ctx, []types.JID{jid})
	if err != nil {
		return ports.Profile{}, peopleError(err, "reading the profile")
	}
	info, ok := infos[jid]
	if !ok {
		return ports.Profile{}, fault.NotFound(fault.ReasonNotOnWhatsApp, "%s is not on WhatsApp", toDomain(jid))
	}
	out := ports.Profile{Party: chat.Party{JID: toDomain(jid), PushName: p.name(ctx, jid)}, About: info.Status, PictureID: info.PictureID}
	if !info.LID.IsEmpty() {
		out.Party.LID = toDomain(info.LID)
	}
	if info.VerifiedName != nil {
		if name := info.VerifiedName.Details.GetVerifiedName(); name != "" {
			out.Party.PushName = name
		}
		biz, err := p.cli.GetBusinessProfile(ctx, jid)
		if err != nil {
			return ports.Profile{}, peopleError(err, "reading the business profile")
		}
		out.Business = fromBusiness(biz)
	}
	return out, nil
}

// name is the account's own push name, or the one its contacts list has for jid.
func (p people) name(ctx context.Context, jid types.JID) string {
	if jid == p.me {
		return p.pushName
	}
	c, err := p.dir.GetContact(ctx, jid)
	if err != nil || !c.Found {
		return ""
	}
	return firstNonEmpty(c.PushName, c.FullName, c.BusinessName)
}

func (p people) picture(ctx context.Context, who chat.JID, preview bool) (ports.Picture, error) {
	jid := p.me
	if !who.IsZero() {
		jid = toJID(who)
	}
	info, err := p.cli.GetProfilePictureInfo(ctx, jid, &wm.GetProfilePictureParams{Preview: preview})
	switch {
	case errors.Is(err, wm.ErrProfilePictureNotSet) || (err == nil && info == nil):
		return ports.Picture{}, fault.NotFound(fault.ReasonPictureNotFound, "%s has no profile picture", toDomain(jid))
	case errors.Is(err, wm.ErrProfilePictureUnauthorized):
		return ports.Picture{}, fault.Wrap(err, fault.KindForbidden, fault.ReasonPrivacyHidden, "the profile picture is hidden by its owner's privacy settings")
	case err != nil:
		return ports.Picture{}, peopleError(err, "reading the profile picture")
	}
	return ports.Picture{ID: info.ID, URL: info.URL, Type: info.Type}, nil
}

func (p people) onWhatsApp(ctx context.Context, phones []string) ([]ports.OnWhatsApp, error) {
	queries := make([]string, len(phones))
	for i, ph := range phones {
		queries[i] = "+" + strings.TrimPrefix(ph, "+")
	}
	found, err := p.cli.IsOnWhatsApp(ctx, queries)
	if err != nil {
		return nil, peopleError(err, "checking numbers")
	}
	byQuery := map[string]types.IsOnWhatsAppResponse{}
	for _, f := range found {
		byQuery[f.Query] = f
	}
	out := make([]ports.OnWhatsApp, len(phones))
	for i, ph := range phones {
		out[i].Query = ph
		f, ok := byQuery[queries[i]]
		if !ok || !f.IsIn {
			continue
		}
		out[i].Exists, out[i].Business = true, f.VerifiedName != nil
		// Asked with LID addressing, WhatsApp answers jid=LID and the number in pn_jid.
		pn, lid := f.JID, types.EmptyJID
		if f.JID.Server == types.HiddenUserServer {
			pn, lid = f.PhoneNumber, f.JID
		}
		if lid.IsEmpty() {
			lid, _ = p.dir.GetLIDForPN(ctx, pn)
		}
		out[i].Party = chat.Party{JID: toDomain(pn), PushName: p.name(ctx, pn)}
		if !lid.IsEmpty() {
			out[i].Party.LID = toDomain(lid)
		}
	}
	return out, nil
}

// identify completes a phone JID with its LID or a LID with its phone JID, from
// the device store first, then from WhatsApp for a phone the store does not know.
func (p people) identify(ctx context.Context, who chat.JID) (chat.Party, error) {
	jid := toJID(who)
	party := chat.Party{}
	switch who.Kind() {
	case chat.KindLID:
		pn, err := p.dir.GetPNForLID(ctx, jid)
		if err != nil {
			return chat.Party{}, peopleError(err, "looking up the LID")
		}
		if pn.IsEmpty() {
			return chat.Party{}, fault.NotFound(fault.ReasonUserNotFound, "no phone number is known for %s", who)
		}
		party.JID, party.LID = toDomain(pn.ToNonAD()), who
		jid = pn.ToNonAD()
	case chat.KindUser:
		party.JID = who
		lid, err := p.dir.GetLIDForPN(ctx, jid)
		if err != nil {
			return chat.Party{}, peopleError(err, "looking up the phone number")
		}
		if lid.IsEmpty() {
			infos, err := p.cli.GetUserInfo(ctx, []types.JID{jid})
			if err != nil {
				return chat.Party{}, peopleError(err, "looking up the phone number")
			}
			info, ok := infos[jid]
			if !ok {
				return chat.Party{}, fault.NotFound(fault.ReasonNotOnWhatsApp, "%s is not on WhatsApp", who)
			}
			lid = info.LID
		}
		if !lid.IsEmpty() {
			party.LID = toDomain(lid.ToNonAD())
		}
	default:
		return chat.Party{}, fault.Invalid(fault.ReasonInvalidParameter, "%s is neither a phone number nor a LID", who)
	}
	party.PushName = p.name(ctx, jid)
	return party, nil
}

// contacts lists the people in the account's contact list, by phone.
func (p people) contacts(ctx context.Context) ([]chat.Party, error) {
	all, err := p.dir.GetAllContacts(ctx)
	if err != nil {
		return nil, peopleError(err, "reading contacts")
	}
	out := []chat.Party{}
	for jid, c := range all {
		if jid.Server != types.DefaultUserServer || jid.ToNonAD() == p.me {
			continue
		}
		out = append(out, chat.Party{JID: toDomain(jid), PushName: firstNonEmpty(c.PushName, c.FullName, c.BusinessName)})
	}
	slices.SortFunc(out, func(a, b chat.Party) int { return strings.Compare(a.JID.User, b.JID.User) })
	return out, nil
}

// fromPrivacy maps WhatsApp's settings to ours; "contacts except…" shows to contacts.
func fromPrivacy(s types.PrivacySettings) ports.Privacy {
	v := func(s types.PrivacySetting) ports.PrivacyValue {
		if s == types.PrivacySettingContactBlacklist || s == types.PrivacySettingKnown {
			return ports.PrivacyContacts
		}
		return ports.PrivacyValue(s)
	}
	return ports.Privacy{LastSeen: v(s.LastSeen), Online: v(s.Online), ProfilePhoto: v(s.Profile), About: v(s.Status),
		GroupAdd: v(s.GroupAdd), ReadReceipts: v(s.ReadReceipts)}
}

func fromBusiness(b *types.BusinessProfile) *ports.BusinessProfile {
	if b == nil {
		return nil
	}
	out := &ports.BusinessProfile{Email: b.Email, Address: b.Address, Description: b.ProfileOptions["description"],
		Website: b.ProfileOptions["website"]}
	if len(b.Categories) > 0 {
		out.Category = b.Categories[0].Name
	}
	return out
}

// peopleError names what WhatsApp refused; nothing here becomes an unexplained 500.
func peopleError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, wm.ErrIQNotAuthorized), errors.Is(err, wm.ErrIQForbidden):
		return fault.Wrap(err, fault.KindForbidden, fault.ReasonPrivacyHidden, what+": WhatsApp refused (privacy or permissions)")
	case errors.Is(err, wm.ErrIQNotFound):
		return fault.Wrap(err, fault.KindNotFound, fault.ReasonNotOnWhatsApp, what+": not found on WhatsApp")
	}
	if e := sendError(err, what); fault.KindOf(e) != fault.KindUnknown {
		return e
	}
	return fault.Wrap(err, fault.KindUnavailable, fault.ReasonWhatsAppRefused, what+": WhatsApp did not answer as expected")
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
