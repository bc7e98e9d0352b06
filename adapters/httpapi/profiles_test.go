package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warest-go/warest/ports"
)

func init() {
	for _, p := range []string{"info", "picture", "privacy", "list-contacts", "on-whatsapp", "business-profile"} {
		implemented["/api/v1/profile/"+p] = true
	}
}

// pngDataURI is a w×h opaque PNG as a data URI.
func pngDataURI(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 90, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

// profileWorld is a user with an open session s1 (phone 6281234567890) and a
// stranger, plus virtual people: a shop (business) and an unregistered number.
func profileWorld(t *testing.T) (a *testApp, alice, bob string) {
	t.Helper()
	a = newApp(t)
	alice, _ = a.user(t, "alice")
	bob, _ = a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281234567890")
	for _, c := range []ports.SandboxContact{
		{Phone: "6281111111111", Name: "Budi", About: "Fast response"},
		{Phone: "6282222222222", Name: "Toko Maju", Business: &ports.BusinessProfile{Description: "Retail shop", Category: "Retail",
			Email: "hi@example.com", Website: "https://toko.example.com", Address: "Jl. Kebon Jeruk 1"}},
		{Phone: "6283333333333", Unregistered: true},
	} {
		if _, err := a.net.AddContact(c); err != nil {
			t.Fatal(err)
		}
	}
	return a, alice, bob
}

func TestProfiles_MatchTheReferenceContract(t *testing.T) {
	t.Parallel()
	router := loadReference(t)
	a, alice, _ := profileWorld(t)
	check := func(r response, status int) {
		t.Helper()
		if r.code != status {
			t.Fatalf("%s %s: HTTP %d, want %d: %s", r.req.Method, r.req.URL, r.code, status, r.body)
		}
		validate(t, router, r)
	}
	get := func(target string) response { t.Helper(); return a.do(t, http.MethodGet, target, alice, nil) }

	check(get("/api/v1/profile/picture?sessionId=s1"), 404) // none yet
	set := a.do(t, http.MethodPost, "/api/v1/profile/picture", alice, map[string]any{"sessionId": "s1", "picture": pngDataURI(t, 900, 500)})
	check(set, 200)
	var pic struct{ ID, URL, Type string }
	set.result(t, 0, &pic)
	if pic.ID == "" || !strings.HasPrefix(pic.URL, "https://") || pic.Type != "image" {
		t.Fatalf("set picture answered %+v", pic)
	}
	got := get("/api/v1/profile/picture?sessionId=s1")
	check(got, 200)
	var shown struct{ ID, Phone, ImgPreview string }
	got.result(t, 0, &shown)
	if shown.ID != pic.ID || shown.Phone != "6281234567890" || !strings.Contains(shown.ImgPreview, "preview") {
		t.Fatalf("picture %+v after setting %+v", shown, pic)
	}

	info := get("/api/v1/profile/info?sessionId=s1")
	check(info, 200)
	var me struct {
		Phone, PictureID string
		PushName         *string
		ProfilePicture   *struct{ ID string }
	}
	info.result(t, 0, &me)
	if me.Phone != "6281234567890" || me.PictureID != pic.ID || me.PushName == nil || *me.PushName != "Bot s1" ||
		me.ProfilePicture == nil || me.ProfilePicture.ID != pic.ID {
		t.Fatalf("info %s", info.body)
	}

	priv := get("/api/v1/profile/privacy?sessionId=s1")
	check(priv, 200)
	var p struct{ Phone, ReadReceipts, LastSeen, Status string }
	priv.result(t, 0, &p)
	if p.Phone != "6281234567890" || p.ReadReceipts != "all" || p.LastSeen != "all" || p.Status != "all" {
		t.Fatalf("privacy %s", priv.body)
	}

	// One number gives an object, several an array, in the order asked.
	one := get("/api/v1/profile/on-whatsapp?sessionId=s1&checkNumbers=6281111111111")
	check(one, 200)
	var single struct {
		Data struct {
			JID          string
			IsOnWhatsApp bool
			LID          string
		}
	}
	one.result(t, 0, &single)
	if single.Data.JID != "6281111111111@s.whatsapp.net" || !single.Data.IsOnWhatsApp || !strings.HasSuffix(single.Data.LID, "@lid") {
		t.Fatalf("on-whatsapp one: %s", one.body)
	}
	many := get("/api/v1/profile/on-whatsapp?sessionId=s1&number=6283333333333,6282222222222&deep=true")
	check(many, 200)
	var several struct {
		Data []struct {
			Phone           string
			IsOnWhatsApp    bool
			BusinessProfile *struct{ Description string }
		}
	}
	many.result(t, 0, &several)
	if len(several.Data) != 2 || several.Data[0].Phone != "6283333333333" || several.Data[0].IsOnWhatsApp ||
		!several.Data[1].IsOnWhatsApp || several.Data[1].BusinessProfile == nil || several.Data[1].BusinessProfile.Description != "Retail shop" {
		t.Fatalf("on-whatsapp many: %s", many.body)
	}

	biz := get("/api/v1/profile/business-profile?sessionId=s1&checkNumbers=6282222222222")
	check(biz, 200)
	var card struct {
		Data struct {
			Email      string
			Categories []string
			Websites   []string
		}
	}
	biz.result(t, 0, &card)
	if card.Data.Email != "hi@example.com" || len(card.Data.Categories) != 1 || card.Data.Websites[0] != "https://toko.example.com" {
		t.Fatalf("business profile %s", biz.body)
	}
	check(get("/api/v1/profile/business-profile?sessionId=s1&checkNumbers=6281111111111"), 404)
	check(get("/api/v1/profile/business-profile?sessionId=s1&checkNumbers=6281111111111,6282222222222"), 200)

	// The account chats with Budi: he is its contact.
	expect(t, a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, map[string]any{"sessionId": "s1", "to": "6281111111111", "message": "hi"}), 200, 1000)
	contacts := get("/api/v1/profile/list-contacts?sessionId=s1&deep=true")
	check(contacts, 200)
	var list struct {
		Phone string
		Data  []struct{ JID, Name, About string }
	}
	contacts.result(t, 0, &list)
	if list.Phone != "6281234567890" || len(list.Data) != 1 || list.Data[0].Name != "Budi" || list.Data[0].About != "Fast response" {
		t.Fatalf("contacts %s", contacts.body)
	}
	check(get("/api/v1/profile/list-contacts?sessionId=s1&type=groups"), 200)

	del := a.do(t, http.MethodDelete, "/api/v1/profile/picture", alice, map[string]any{"sessionId": "s1"})
	check(del, 200)
	if del.env.Message != "Profile picture removed" || len(del.env.Results) != 0 {
		t.Fatalf("delete picture %s", del.body)
	}
	check(get("/api/v1/profile/picture?sessionId=s1"), 404)
}

// Every profile, presence, call and contact route checks the session's owner and
// validates its input before anything changes.
func TestProfiles_OwnershipAndBadInput(t *testing.T) {
	t.Parallel()
	a, alice, bob := profileWorld(t)
	picture := pngDataURI(t, 64, 64)
	routes := []struct {
		method, target string
		body           map[string]any
	}{
		{http.MethodGet, "/api/v1/profile/info?sessionId=s1", nil},
		{http.MethodGet, "/api/v1/profile/picture?sessionId=s1", nil},
		{http.MethodPost, "/api/v1/profile/picture", map[string]any{"sessionId": "s1", "picture": picture}},
		{http.MethodDelete, "/api/v1/profile/picture", map[string]any{"sessionId": "s1"}},
		{http.MethodGet, "/api/v1/profile/privacy?sessionId=s1", nil},
		{http.MethodGet, "/api/v1/profile/list-contacts?sessionId=s1", nil},
		{http.MethodGet, "/api/v1/profile/on-whatsapp?sessionId=s1&checkNumbers=6281111111111", nil},
		{http.MethodGet, "/api/v1/profile/business-profile?sessionId=s1&checkNumbers=6282222222222", nil},
		{http.MethodPost, "/api/v1/presence", map[string]any{"sessionId": "s1", "state": "available"}},
		{http.MethodPost, "/api/v1/presence/subscribe", map[string]any{"sessionId": "s1", "to": "6281111111111"}},
		{http.MethodPost, "/api/v1/calls/ABC/reject", map[string]any{"sessionId": "s1", "from": "6281111111111"}},
		{http.MethodGet, "/api/v1/calls/auto-reject?sessionId=s1", nil},
		{http.MethodPost, "/api/v1/calls/auto-reject", map[string]any{"sessionId": "s1", "enabled": true}},
		{http.MethodGet, "/api/v1/contacts/lid/123456789012345?sessionId=s1", nil},
		{http.MethodGet, "/api/v1/contacts/phone/6281111111111?sessionId=s1", nil},
	}
	for _, r := range routes {
		expect(t, a.do(t, r.method, r.target, bob, r.body), http.StatusForbidden, 2201)
		expect(t, a.do(t, r.method, r.target, "", r.body), http.StatusUnauthorized, 2200)
		target := strings.Replace(r.target, "sessionId=s1", "sessionId=nope", 1)
		body := map[string]any{}
		for k, v := range r.body {
			body[k] = v
		}
		if r.body != nil {
			body["sessionId"] = "nope"
		}
		expect(t, a.do(t, r.method, target, alice, body), http.StatusNotFound, 1101)
	}
	// Bob's attempt changed nothing: there is still no picture.
	expect(t, a.do(t, http.MethodGet, "/api/v1/profile/picture?sessionId=s1", alice, nil), http.StatusNotFound, 2605)

	bad := []struct {
		method, target string
		body           map[string]any
		status, code   int
	}{
		{http.MethodGet, "/api/v1/profile/on-whatsapp?sessionId=s1", nil, 400, 2001},
		{http.MethodGet, "/api/v1/profile/on-whatsapp?sessionId=s1&checkNumbers=12", nil, 400, 2002},
		{http.MethodGet, "/api/v1/profile/on-whatsapp?sessionId=s1&checkNumbers=" + url.QueryEscape("120363000000000001@g.us"), nil, 400, 2002},
		{http.MethodGet, "/api/v1/profile/on-whatsapp?sessionId=s1&checkNumbers=" + strings.Repeat("6281111111111,", 51), nil, 400, 2002},
		{http.MethodGet, "/api/v1/profile/business-profile?sessionId=s1&checkNumbers=abc", nil, 400, 2002},
		{http.MethodGet, "/api/v1/profile/list-contacts?sessionId=s1&limit=0", nil, 400, 2002},
		{http.MethodGet, "/api/v1/profile/list-contacts?sessionId=s1&type=groups&groupIds=xyz", nil, 400, 2002},
		{http.MethodGet, "/api/v1/profile/info", nil, 400, 1100},
		{http.MethodPost, "/api/v1/profile/picture", map[string]any{"sessionId": "s1"}, 400, 2001},
		{http.MethodPost, "/api/v1/profile/picture", map[string]any{"sessionId": "s1", "picture": "file:///etc/passwd"}, 400, 2002},
		{http.MethodPost, "/api/v1/profile/picture", map[string]any{"sessionId": "s1",
			"picture": "data:text/plain;base64," + base64.StdEncoding.EncodeToString([]byte("not an image at all"))}, 415, 2007},
		{http.MethodPost, "/api/v1/profile/picture", map[string]any{"sessionId": "s1",
			"picture": "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFF, 0xD8, 0xFF}, 3_700_000))}, 413, 2006},
		{http.MethodPost, "/api/v1/profile/picture", map[string]any{"sessionId": "s1", "picture": "http://127.0.0.1:1/p.png"}, 400, 2002},
		{http.MethodPost, "/api/v1/presence", map[string]any{"sessionId": "s1", "state": "dancing"}, 400, 2002},
		{http.MethodPost, "/api/v1/presence", map[string]any{"sessionId": "s1", "state": "composing"}, 400, 2001},
		{http.MethodPost, "/api/v1/presence/subscribe", map[string]any{"sessionId": "s1", "to": "120363000000000001@g.us"}, 400, 2002},
		{http.MethodPost, "/api/v1/presence/subscribe", map[string]any{"sessionId": "s1", "to": "6283333333333"}, 404, 3003},
		{http.MethodPost, "/api/v1/calls/ABC/reject", map[string]any{"sessionId": "s1", "from": "6281111111111"}, 404, 2600},
		{http.MethodPost, "/api/v1/calls/ABC/reject", map[string]any{"sessionId": "s1"}, 400, 2001},
		{http.MethodPost, "/api/v1/calls/auto-reject", map[string]any{"sessionId": "s1", "enabled": false, "message": "busy"}, 400, 2002},
		{http.MethodPost, "/api/v1/calls/auto-reject", map[string]any{"sessionId": "s1", "enabled": true, "message": strings.Repeat("x", 1001)}, 400, 2002},
		{http.MethodGet, "/api/v1/contacts/lid/abc?sessionId=s1", nil, 400, 2002},
		{http.MethodGet, "/api/v1/contacts/phone/62x?sessionId=s1", nil, 400, 2002},
		{http.MethodGet, "/api/v1/contacts/phone/6283333333333?sessionId=s1", nil, 404, 3003},
	}
	for _, b := range bad {
		expect(t, a.do(t, b.method, b.target, alice, b.body), b.status, b.code)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/profile/picture?sessionId=s1", alice, nil), http.StatusNotFound, 2605)
	var policy struct{ Enabled bool }
	r := a.do(t, http.MethodGet, "/api/v1/calls/auto-reject?sessionId=s1", alice, nil)
	r.result(t, 0, &policy)
	if policy.Enabled {
		t.Fatalf("a refused change turned auto-reject on: %s", r.body)
	}
}

func TestCalls_RejectARingingCallOnce(t *testing.T) {
	t.Parallel()
	a, alice, _ := profileWorld(t)
	id, err := a.net.ContactCall("s1", ports.SandboxCall{From: "6281111111111"})
	if err != nil {
		t.Fatal(err)
	}
	reject := func(from string) response {
		return a.do(t, http.MethodPost, "/api/v1/calls/"+id+"/reject", alice, map[string]any{"sessionId": "s1", "from": from})
	}
	expect(t, reject("6282222222222"), http.StatusNotFound, 2600) // not this caller's call
	r := reject("6281111111111")
	expect(t, r, http.StatusOK, 1000)
	var res struct{ CallID, Status string }
	r.result(t, 0, &res)
	if res.CallID != id || res.Status != "rejected" {
		t.Fatalf("reject answered %s", r.body)
	}
	expect(t, reject("6281111111111"), http.StatusConflict, 2003)
}

func TestContacts_LIDAndPhoneLookUpEachOther(t *testing.T) {
	t.Parallel()
	a, alice, _ := profileWorld(t)
	byPhone := a.do(t, http.MethodGet, "/api/v1/contacts/phone/6281111111111?sessionId=s1", alice, nil)
	expect(t, byPhone, http.StatusOK, 1000)
	var who struct{ JID, Phone, LID, Name string }
	byPhone.result(t, 0, &who)
	if who.JID != "6281111111111@s.whatsapp.net" || !strings.HasSuffix(who.LID, "@lid") || who.Name != "Budi" {
		t.Fatalf("by phone %s", byPhone.body)
	}
	byLID := a.do(t, http.MethodGet, "/api/v1/contacts/lid/"+url.PathEscape(who.LID)+"?sessionId=s1", alice, nil)
	expect(t, byLID, http.StatusOK, 1000)
	var back struct{ Phone, LID string }
	byLID.result(t, 0, &back)
	if back.Phone != "6281111111111" || back.LID != who.LID {
		t.Fatalf("by LID %s", byLID.body)
	}
}

func TestPresence_SubscribeThenUpdatesAreEvents(t *testing.T) {
	t.Parallel()
	a, alice, _ := profileWorld(t)
	expect(t, a.do(t, http.MethodPost, "/api/v1/presence", alice, map[string]any{"sessionId": "s1", "state": "available"}), 200, 1000)
	expect(t, a.do(t, http.MethodPost, "/api/v1/presence", alice, map[string]any{"sessionId": "s1", "state": "composing", "to": "6281111111111"}), 200, 1000)
	// Budi shares no chat with the account: only the subscription shows him.
	expect(t, a.do(t, http.MethodPost, "/api/v1/presence/subscribe", alice, map[string]any{"sessionId": "s1", "to": "6281111111111"}), 200, 1000)
	if err := a.net.ContactPresence("s1", "6281111111111", ports.SandboxPresence{State: "available"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "presence_update event", func() bool {
		page, err := a.q.Events.Events(context.Background(), a.admin, []string{"s1"}, 0, 100)
		if err != nil {
			return false
		}
		for _, e := range page.Events {
			if e.Type == "presence_update" {
				raw, _ := json.Marshal(e)
				return strings.Contains(string(raw), "6281111111111")
			}
		}
		return false
	})
}
