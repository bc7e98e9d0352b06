package contract

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// PeopleTransport is a transport with the profile, contact and call ports.
type PeopleTransport interface {
	ports.Transport
	ports.Profiles
	ports.Contacts
	ports.Calls
}

// PeopleHarness gives the profile, presence and call suite a fresh network per test.
type PeopleHarness struct {
	New func(t *testing.T) (PeopleTransport, TransportWorld)
	// Excluded names cases this harness cannot run yet, as in TransportHarness.
	Excluded map[string]string
}

// CallingWorld is a world whose people can ring the session; the call cases run
// only on such worlds.
type CallingWorld interface {
	// Call makes the person with that phone call the session and returns the call id.
	Call(t *testing.T, sessionID, phone string) string
}

// PresentPeer is a peer that can show itself online; the presence case needs one.
type PresentPeer interface {
	GoOnline(t *testing.T)
}

// RunPeople checks the profile, contact, presence and call ports of a transport.
func RunPeople(t *testing.T, h PeopleHarness) {
	tests := []struct {
		name string
		run  func(t *testing.T, tr PeopleTransport, w TransportWorld)
	}{
		{"profile/the account and a peer show their profiles", peopleProfiles},
		{"profile/a picture set is shown in both sizes until removed", peoplePicture},
		{"contacts/numbers are checked in the order asked", peopleOnWhatsApp},
		{"contacts/a phone and its LID identify each other", peopleIdentify},
		{"presence/a subscription brings the peer's presence", peoplePresence},
		{"calls/a ringing call is rejected once; an unknown one is not found", peopleCalls},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			skipExcluded(t, tc.name, h.Excluded)
			tr, w := h.New(t)
			tc.run(t, tr, w)
		})
	}
}

// squareJPEG is a 640 px square JPEG, as WhatsApp takes profile pictures.
func squareJPEG(t *testing.T) []byte {
	img := image.NewGray(image.Rect(0, 0, 640, 640))
	for i := range img.Pix {
		img.Pix[i] = uint8(i / 640)
	}
	var buf bytes.Buffer
	must(t, jpeg.Encode(&buf, img, nil))
	return buf.Bytes()
}

func peopleProfiles(t *testing.T, tr PeopleTransport, w TransportWorld) {
	trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	me, err := tr.Profile(t.Context(), "s1", chat.JID{})
	must(t, err)
	if me.Party.JID != chat.UserJID(w.Phones().Own) {
		t.Fatalf("own profile is %+v", me.Party)
	}
	them, err := tr.Profile(t.Context(), "s1", peer.Party().JID)
	must(t, err)
	if them.Party.JID != peer.Party().JID {
		t.Fatalf("the peer's profile is %+v, want %+v", them.Party, peer.Party())
	}
	if _, err := tr.Profile(t.Context(), "nobody", chat.JID{}); err == nil {
		t.Fatal("a session that is not running read a profile")
	}
}

func peoplePicture(t *testing.T, tr PeopleTransport, w TransportWorld) {
	trOpen(t, tr, w, "s1", w.Phones().Own)
	id, err := tr.SetPicture(t.Context(), "s1", squareJPEG(t))
	must(t, err)
	for _, preview := range []bool{false, true} {
		pic, err := tr.Picture(t.Context(), "s1", chat.JID{}, preview)
		must(t, err)
		if pic.ID != id || pic.URL == "" {
			t.Fatalf("picture (preview %v) %+v after setting %s", preview, pic, id)
		}
	}
	_, err = tr.SetPicture(t.Context(), "s1", nil)
	must(t, err)
	_, err = tr.Picture(t.Context(), "s1", chat.JID{}, false)
	isFault(t, err, fault.KindNotFound, fault.ReasonPictureNotFound)
}

func peopleOnWhatsApp(t *testing.T, tr PeopleTransport, w TransportWorld) {
	trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	got, err := tr.IsOnWhatsApp(t.Context(), "s1", []string{w.Phones().Peer, w.Phones().Own})
	must(t, err)
	if len(got) != 2 || got[0].Query != w.Phones().Peer || !got[0].Exists || got[0].Party.JID != peer.Party().JID ||
		got[0].Party.LID != peer.Party().LID || got[1].Query != w.Phones().Own || !got[1].Exists {
		t.Fatalf("on WhatsApp: %+v", got)
	}
}

func peopleIdentify(t *testing.T, tr PeopleTransport, w TransportWorld) {
	trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer).Party()
	byPhone, err := tr.Identify(t.Context(), "s1", peer.JID)
	must(t, err)
	byLID, err := tr.Identify(t.Context(), "s1", peer.LID)
	must(t, err)
	if byPhone.LID != peer.LID || byLID.JID != peer.JID {
		t.Fatalf("by phone %+v, by LID %+v, want %+v", byPhone, byLID, peer)
	}
}

func peoplePresence(t *testing.T, tr PeopleTransport, w TransportWorld) {
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	online, ok := peer.(PresentPeer)
	if !ok {
		t.Skip("this world's peers cannot show themselves online")
	}
	must(t, tr.SubscribePresence(t.Context(), "s1", peer.Party().JID))
	online.GoOnline(t)
	WaitFor(t, sink, 1, func(p ports.TransportPresence) bool { return p.From.JID == peer.Party().JID && p.Available })
}

func peopleCalls(t *testing.T, tr PeopleTransport, w TransportWorld) {
	caller, ok := w.(CallingWorld)
	if !ok {
		t.Skip("nobody in this world can call")
	}
	sink := trOpen(t, tr, w, "s1", w.Phones().Own)
	peer := w.Peer(t, w.Phones().Peer)
	id := caller.Call(t, "s1", w.Phones().Peer)
	WaitFor(t, sink, 1, func(c ports.TransportCall) bool { return c.CallID == id && c.State == ports.CallOffer })
	must(t, tr.RejectCall(t.Context(), "s1", peer.Party().JID, id))
	isFault(t, tr.RejectCall(t.Context(), "s1", peer.Party().JID, id), fault.KindConflict, fault.ReasonInvalidState)
	isFault(t, tr.RejectCall(t.Context(), "s1", peer.Party().JID, "0000"), fault.KindNotFound, fault.ReasonCallNotFound)
}
