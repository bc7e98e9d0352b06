package waserver_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/warest-go/warest/test/waserver"
)

// jpeg is the smallest byte string WhatsApp's JPEG check takes.
var jpeg = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 0xFF, 0xD9}

// fetch downloads url, failing the test on any error.
func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}

func TestGroupPictureIsSetReadAndRemoved(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	g := createGroup(t, a, "Pictured", b)
	if _, err := a.cli.SetGroupPhoto(t.Context(), g.JID, []byte("GIF89a")); !errors.Is(err, whatsmeow.ErrInvalidImageFormat) {
		t.Errorf("a GIF: %v, want invalid image format", err)
	}
	id, err := a.cli.SetGroupPhoto(t.Context(), g.JID, jpeg)
	if err != nil || id == "" {
		t.Fatalf("set: %q %v", id, err)
	}
	seen := awaitThat(t, b.evts, "the picture change", func(p *events.Picture) bool { return p.JID == g.JID })
	if seen.PictureID != id || seen.Remove || seen.Author.User != a.phone.LIDUser {
		t.Errorf("Bob saw %+v, want picture %s set by Alice", seen, id)
	}
	info, err := b.cli.GetProfilePictureInfo(t.Context(), g.JID, &whatsmeow.GetProfilePictureParams{})
	if err != nil || info.ID != id || !bytes.Equal(fetch(t, info.URL), jpeg) {
		t.Fatalf("Bob reads %+v, %v, want picture %s serving the JPEG", info, err, id)
	}
	if same, err := b.cli.GetProfilePictureInfo(t.Context(), g.JID, &whatsmeow.GetProfilePictureParams{ExistingID: id}); err != nil || same != nil {
		t.Errorf("asking with the current id: %+v %v, want no change", same, err)
	}
	if _, err := carol(t, srv).cli.GetProfilePictureInfo(t.Context(), g.JID, nil); !errors.Is(err, whatsmeow.ErrProfilePictureUnauthorized) {
		t.Errorf("a non-member reading it: %v", err)
	}
	if _, err := a.cli.SetGroupPhoto(t.Context(), g.JID, nil); err != nil {
		t.Fatal(err)
	}
	awaitThat(t, b.evts, "the removal", func(p *events.Picture) bool { return p.JID == g.JID && p.Remove })
	if _, err := a.cli.GetProfilePictureInfo(t.Context(), g.JID, nil); !errors.Is(err, whatsmeow.ErrProfilePictureNotSet) {
		t.Errorf("after removal: %v, want not set", err)
	}

	if err := a.cli.SetGroupLocked(t.Context(), g.JID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.cli.SetGroupPhoto(t.Context(), g.JID, jpeg); !errors.Is(err, whatsmeow.ErrIQNotAuthorized) {
		t.Errorf("a member setting the picture of a locked group: %v", err)
	}
}

func TestAccountPictureAndAboutShowInItsProfile(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	id, err := a.cli.SetGroupPhoto(t.Context(), types.EmptyJID, jpeg) // no target: her own picture
	if err != nil {
		t.Fatal(err)
	}
	about := "at the beach"
	if err := a.cli.SetStatusMessage(t.Context(), types.SetStatusInput{Text: &about}); err != nil {
		t.Fatal(err)
	}
	for _, preview := range []bool{false, true} {
		info, err := b.cli.GetProfilePictureInfo(t.Context(), a.pn(), &whatsmeow.GetProfilePictureParams{Preview: preview})
		if err != nil || info.ID != id || info.URL == "" {
			t.Errorf("Bob reads Alice's picture (preview %v): %+v %v, want %s", preview, info, err, id)
		}
	}
	users, err := b.cli.GetUserInfo(t.Context(), []types.JID{a.pn()})
	if u := users[a.pn()]; err != nil || u.Status != about || u.PictureID != id || u.VerifiedName != nil {
		t.Errorf("Alice's profile %+v %v, want her about text and picture %s, no business", u, err, id)
	}
	if _, err := b.cli.GetBusinessProfile(t.Context(), a.pn()); !errors.Is(err, whatsmeow.ErrIQNotFound) {
		t.Errorf("business profile of a personal account: %v, want not found", err)
	}
	if _, err := b.cli.SetGroupPhoto(t.Context(), a.pn(), jpeg); !errors.Is(err, whatsmeow.ErrIQNotAuthorized) {
		t.Errorf("Bob setting Alice's picture: %v", err)
	}
	if _, err := a.cli.SetGroupPhoto(t.Context(), types.EmptyJID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.cli.GetProfilePictureInfo(t.Context(), a.pn(), nil); !errors.Is(err, whatsmeow.ErrProfilePictureNotSet) {
		t.Errorf("after removal: %v, want not set", err)
	}
}

func TestCallOfferCanBeRejected(t *testing.T) {
	srv := waserver.New(t)
	a, b := alice(t, srv), bob(t, srv)
	id, err := srv.Call(b.phone, a.pn(), true)
	if err != nil {
		t.Fatal(err)
	}
	offer := awaitThat(t, a.evts, "the call offer", func(o *events.CallOffer) bool { return o.CallID == id })
	if offer.CallCreator.User != b.phone.LIDUser || offer.CallCreatorAlt != b.pn() || offer.Data.GetChildByTag("video").Tag != "video" {
		t.Errorf("offer %+v, want a video call from Bob's phone", offer.BasicCallMeta)
	}
	if err := a.cli.RejectCall(t.Context(), offer.CallCreator, id); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the server took the rejection", func() bool {
		by := srv.CallRejectedBy(id)
		return len(by) == 1 && by[0] == a.jid
	})
	eventually(t, "Alice acknowledged the offer", func() bool { return srv.Pending(a.jid) == 0 })
	if _, err := srv.Call(b.phone, types.NewJID("15559999999", types.DefaultUserServer), false); err == nil {
		t.Error("a call to a number without devices rang")
	}
}
