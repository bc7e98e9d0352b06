package whatsmeow

import (
	"context"
	"errors"
	"testing"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/proto/waVnameCert"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// fakePeople answers like WhatsApp from fixed data and records what was asked.
type fakePeople struct {
	users      map[types.JID]types.UserInfo
	pictures   map[types.JID]error // nil: a picture exists
	business   map[types.JID]*types.BusinessProfile
	registered map[string]types.JID // "+digits" → JID
	privacy    types.PrivacySettings
	fail       error // returned by every call when set

	photo      []byte
	photoFor   types.JID
	privacySet []types.PrivacySettingType
	subscribed []types.JID
	rejected   []string
}

func (f *fakePeople) GetUserInfo(_ context.Context, jids []types.JID) (map[types.JID]types.UserInfo, error) {
	out := map[types.JID]types.UserInfo{}
	for _, j := range jids {
		if u, ok := f.users[j]; ok {
			out[j] = u
		}
	}
	return out, f.fail
}

func (f *fakePeople) GetProfilePictureInfo(_ context.Context, jid types.JID, p *wm.GetProfilePictureParams) (*types.ProfilePictureInfo, error) {
	switch err, ok := f.pictures[jid]; {
	case !ok:
		return nil, wm.ErrProfilePictureNotSet
	case err != nil:
		return nil, err
	}
	kind := "image"
	if p.Preview {
		kind = "preview"
	}
	return &types.ProfilePictureInfo{ID: "P1", URL: "https://pps.whatsapp.net/" + kind, Type: kind}, f.fail
}

func (f *fakePeople) SetGroupPhoto(_ context.Context, jid types.JID, avatar []byte) (string, error) {
	f.photo, f.photoFor = avatar, jid
	return "P2", f.fail
}

func (f *fakePeople) SetStatusMessage(context.Context, types.SetStatusInput) error { return f.fail }

func (f *fakePeople) SendAppState(context.Context, appstate.PatchInfo) error { return f.fail }

func (f *fakePeople) TryFetchPrivacySettings(context.Context, bool) (*types.PrivacySettings, error) {
	return &f.privacy, f.fail
}

func (f *fakePeople) SetPrivacySetting(_ context.Context, name types.PrivacySettingType, v types.PrivacySetting) (types.PrivacySettings, error) {
	f.privacySet = append(f.privacySet, name)
	if name == types.PrivacySettingTypeLastSeen {
		f.privacy.LastSeen = v
	}
	return f.privacy, f.fail
}

func (f *fakePeople) GetBusinessProfile(_ context.Context, jid types.JID) (*types.BusinessProfile, error) {
	return f.business[jid], f.fail
}

func (f *fakePeople) IsOnWhatsApp(_ context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error) {
	var out []types.IsOnWhatsAppResponse
	for i := len(phones) - 1; i >= 0; i-- { // WhatsApp does not keep the order
		j, ok := f.registered[phones[i]]
		out = append(out, types.IsOnWhatsAppResponse{Query: phones[i], JID: j, IsIn: ok})
	}
	return out, f.fail
}

func (f *fakePeople) SubscribePresence(_ context.Context, jid types.JID) error {
	f.subscribed = append(f.subscribed, jid)
	return f.fail
}

func (f *fakePeople) RejectCall(_ context.Context, from types.JID, id string) error {
	f.rejected = append(f.rejected, from.String()+"/"+id)
	return f.fail
}

// fakeDirectory is the device store's LID map and contacts.
type fakeDirectory struct {
	lids     map[types.JID]types.JID // phone → LID
	contacts map[types.JID]types.ContactInfo
}

func (d fakeDirectory) GetPNForLID(_ context.Context, lid types.JID) (types.JID, error) {
	for pn, l := range d.lids {
		if l == lid {
			return pn, nil
		}
	}
	return types.EmptyJID, nil
}

func (d fakeDirectory) GetLIDForPN(_ context.Context, pn types.JID) (types.JID, error) {
	return d.lids[pn], nil
}

func (d fakeDirectory) GetContact(_ context.Context, j types.JID) (types.ContactInfo, error) {
	return d.contacts[j], nil
}

func (d fakeDirectory) GetAllContacts(context.Context) (map[types.JID]types.ContactInfo, error) {
	return d.contacts, nil
}

var (
	meJID   = types.NewJID("6281234567890", types.DefaultUserServer)
	budiJID = types.NewJID("6281111111111", types.DefaultUserServer)
	budiLID = types.NewJID("123456789012345", types.HiddenUserServer)
	shopJID = types.NewJID("6282222222222", types.DefaultUserServer)
)

func peopleWorld() (people, *fakePeople) {
	f := &fakePeople{
		users: map[types.JID]types.UserInfo{
			meJID:   {Status: "mine"},
			budiJID: {Status: "Fast response", PictureID: "P1", LID: budiLID},
			shopJID: {VerifiedName: &types.VerifiedName{Details: &waVnameCert.VerifiedNameCertificate_Details{VerifiedName: proto.String("Toko Maju")}}},
		},
		pictures:   map[types.JID]error{budiJID: nil, shopJID: wm.ErrProfilePictureUnauthorized},
		business:   map[types.JID]*types.BusinessProfile{shopJID: {Email: "hi@example.com", Categories: []types.Category{{Name: "Retail"}}, ProfileOptions: map[string]string{"description": "Retail shop", "website": "https://toko.example.com"}}},
		registered: map[string]types.JID{"+6281111111111": budiJID, "+6282222222222": shopJID},
		privacy:    types.PrivacySettings{LastSeen: types.PrivacySettingContactBlacklist, Online: types.PrivacySettingMatchLastSeen, ReadReceipts: types.PrivacySettingNone},
	}
	dir := fakeDirectory{lids: map[types.JID]types.JID{budiJID: budiLID},
		contacts: map[types.JID]types.ContactInfo{budiJID: {Found: true, PushName: "Budi"}, meJID: {Found: true, PushName: "me"},
			types.NewJID("120363000000000001", types.GroupServer): {Found: true}}}
	return people{cli: f, dir: dir, me: meJID, pushName: "Bot", calls: newCallBook()}, f
}

func TestPeople_ProfilesMapWhatsAppsAnswers(t *testing.T) {
	t.Parallel()
	p, _ := peopleWorld()
	ctx := context.Background()
	me, err := p.profile(ctx, chat.JID{})
	if err != nil || me.Party.JID.User != "6281234567890" || me.Party.PushName != "Bot" || me.About != "mine" {
		t.Fatalf("own profile %+v %v", me, err)
	}
	budi, err := p.profile(ctx, toDomain(budiJID))
	if err != nil || budi.Party.PushName != "Budi" || budi.PictureID != "P1" || budi.Party.LID.String() != "123456789012345@lid" || budi.Business != nil {
		t.Fatalf("budi %+v %v", budi, err)
	}
	shop, err := p.profile(ctx, toDomain(shopJID))
	want := ports.BusinessProfile{Description: "Retail shop", Category: "Retail", Email: "hi@example.com", Website: "https://toko.example.com"}
	if err != nil || shop.Party.PushName != "Toko Maju" || shop.Business == nil || *shop.Business != want {
		t.Fatalf("shop %+v %v", shop, err)
	}
	if _, err := p.profile(ctx, chat.UserJID("6283333333333")); !isReason(err, fault.ReasonNotOnWhatsApp) {
		t.Fatalf("unknown number: %v", err)
	}
}

func TestPeople_PicturesAndTheirRefusals(t *testing.T) {
	t.Parallel()
	p, f := peopleWorld()
	ctx := context.Background()
	pic, err := p.picture(ctx, toDomain(budiJID), true)
	if err != nil || pic.Type != "preview" || pic.ID != "P1" {
		t.Fatalf("preview %+v %v", pic, err)
	}
	if _, err := p.picture(ctx, toDomain(shopJID), false); !isReason(err, fault.ReasonPrivacyHidden) {
		t.Fatalf("hidden picture: %v", err)
	}
	if _, err := p.picture(ctx, chat.JID{}, false); !isReason(err, fault.ReasonPictureNotFound) {
		t.Fatalf("no own picture: %v", err)
	}

	f.photoFor = budiJID
	id, err := p.setPicture(ctx, []byte{0xFF, 0xD8, 0xFF})
	if err != nil || id != "P2" || !f.photoFor.IsEmpty() || len(f.photo) != 3 {
		t.Fatalf("own photo goes without a target: %v %v %v", id, f.photoFor, err)
	}
	if id, err := p.setPicture(ctx, nil); err != nil || id != "" || f.photo != nil {
		t.Fatalf("removing: %q %v", id, err)
	}
	f.fail = wm.ErrInvalidImageFormat
	if _, err := p.setPicture(ctx, []byte("GIF89a")); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("a refused format: %v", err)
	}
}

func TestPeople_OnWhatsAppKeepsTheOrderAsked(t *testing.T) {
	t.Parallel()
	p, _ := peopleWorld()
	got, err := p.onWhatsApp(context.Background(), []string{"6283333333333", "6281111111111", "6282222222222"})
	if err != nil || len(got) != 3 {
		t.Fatal(got, err)
	}
	if got[0].Exists || got[0].Query != "6283333333333" {
		t.Fatalf("unregistered %+v", got[0])
	}
	if !got[1].Exists || got[1].Party.PushName != "Budi" || got[1].Party.LID.User != budiLID.User || got[1].Business {
		t.Fatalf("budi %+v", got[1])
	}
	if !got[2].Exists || got[2].Party.JID.User != "6282222222222" {
		t.Fatalf("shop %+v", got[2])
	}
}

func TestPeople_IdentifyBothWaysAndContacts(t *testing.T) {
	t.Parallel()
	p, _ := peopleWorld()
	ctx := context.Background()
	byLID, err := p.identify(ctx, toDomain(budiLID))
	if err != nil || byLID.JID.User != "6281111111111" || byLID.PushName != "Budi" {
		t.Fatalf("by LID %+v %v", byLID, err)
	}
	byPhone, err := p.identify(ctx, toDomain(budiJID))
	if err != nil || byPhone.LID.User != budiLID.User {
		t.Fatalf("by phone %+v %v", byPhone, err)
	}
	if _, err := p.identify(ctx, chat.JID{User: "999", Server: chat.ServerLID}); !isReason(err, fault.ReasonUserNotFound) {
		t.Fatalf("unknown LID: %v", err)
	}
	if _, err := p.identify(ctx, chat.UserJID("6283333333333")); !isReason(err, fault.ReasonNotOnWhatsApp) {
		t.Fatalf("unknown phone: %v", err)
	}
	contacts, err := p.contacts(ctx)
	if err != nil || len(contacts) != 1 || contacts[0].PushName != "Budi" {
		t.Fatalf("contacts (people only, not the account) %+v %v", contacts, err)
	}
}

func TestPeople_PrivacyAndRefusalsNeverGoUnexplained(t *testing.T) {
	t.Parallel()
	p, f := peopleWorld()
	got := fromPrivacy(f.privacy)
	if got.LastSeen != ports.PrivacyContacts || got.Online != ports.PrivacyMatchLastSeen || got.ReadReceipts != ports.PrivacyNone {
		t.Fatalf("privacy %+v", got)
	}
	for err, reason := range map[error]fault.Reason{
		wm.ErrIQForbidden:              fault.ReasonPrivacyHidden,
		wm.ErrIQNotFound:               fault.ReasonNotOnWhatsApp,
		wm.ErrNotConnected:             fault.ReasonSessionNotOpen,
		errors.New("stream:error 500"): fault.ReasonWhatsAppRefused,
	} {
		f.fail = err
		if got := p.subscribe(context.Background(), toDomain(budiJID)); !isReason(got, reason) {
			t.Errorf("%v → %v, want %s", err, got, reason)
		}
	}
	f.fail = nil
	if err := p.rejectCall(context.Background(), toDomain(budiLID), "CALL1"); !isReason(err, fault.ReasonCallNotFound) || len(f.rejected) != 0 {
		t.Fatalf("a call never offered: %v, sent %v", err, f.rejected)
	}
	p.calls.note(ports.TransportCall{CallID: "CALL1", State: ports.CallOffer, From: chat.Party{JID: toDomain(budiJID), LID: toDomain(budiLID)}})
	if err := p.rejectCall(context.Background(), toDomain(budiLID), "CALL1"); err != nil || f.rejected[0] != "123456789012345@lid/CALL1" {
		t.Fatalf("reject %v %v", f.rejected, err)
	}
	if err := p.rejectCall(context.Background(), toDomain(budiJID), "CALL1"); !isReason(err, fault.ReasonInvalidState) || len(f.rejected) != 1 {
		t.Fatalf("rejecting again: %v, sent %v", err, f.rejected)
	}
	p.calls.note(ports.TransportCall{CallID: "CALL2", State: ports.CallOffer, From: chat.Party{JID: toDomain(budiJID)}})
	p.calls.note(ports.TransportCall{CallID: "CALL2", State: ports.CallTerminate, From: chat.Party{JID: toDomain(budiJID)}})
	if err := p.rejectCall(context.Background(), toDomain(budiJID), "CALL2"); !isReason(err, fault.ReasonInvalidState) {
		t.Fatalf("rejecting a call that hung up: %v", err)
	}
	if len(f.subscribed) != 4 || f.subscribed[0] != budiJID {
		t.Fatalf("subscriptions %v", f.subscribed)
	}
}

func isReason(err error, r fault.Reason) bool {
	fe, ok := fault.As(err)
	return ok && fe.Reason == r
}
