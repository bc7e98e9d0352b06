package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"testing"
)

func TestMessageMedia_StreamsTheFileToItsSessionOwnerOnly(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "media1", "6281111111111")
	photo := []byte("\xff\xd8\xff\xe0 a photo from a virtual phone")
	r := a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/media1/inbound", alice, map[string]any{"from": "6283333333333",
		"kind": "image", "text": "look", "media": map[string]any{"mime": "image/jpeg", "fileName": "p.jpg", "data": base64.StdEncoding.EncodeToString(photo)}})
	expect(t, r, http.StatusOK, 1000)
	var sent struct {
		MessageID string `json:"messageId"`
	}
	r.result(t, 0, &sent)
	target := "/api/v1/messages/" + sent.MessageID + "/media?sessionId=media1"
	var got response
	waitFor(t, "the message recorded", func() bool {
		got = a.do(t, http.MethodGet, target, alice, nil)
		return got.code == http.StatusOK
	})
	if !bytes.Equal(got.body, photo) || got.hdr.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("got %q (%s), want the photo", got.body, got.hdr.Get("Content-Type"))
	}
	if cd := got.hdr.Get("Content-Disposition"); cd != `attachment; filename=p.jpg` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	expect(t, a.do(t, http.MethodGet, target, bob, nil), http.StatusForbidden, 2201)
	expect(t, a.do(t, http.MethodGet, "/api/v1/messages/NOPE/media?sessionId=media1", alice, nil), http.StatusNotFound, 2601)
}
