package httpapi_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// lastSent is the content of the last message the session handed to the sandbox.
func (a *testApp) lastSent(t *testing.T, sessionID string) message.Content {
	t.Helper()
	sent := a.net.Sent(sessionID)
	if len(sent) == 0 {
		t.Fatalf("%s sent nothing", sessionID)
	}
	return sent[len(sent)-1].Content
}

func TestSendButton_TypedButtons(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	send := func(extra map[string]any) response {
		t.Helper()
		body := map[string]any{"sessionId": "s1", "to": "6281111111111", "text": "Need help?", "footer": "Support"}
		for k, v := range extra {
			body[k] = v
		}
		return a.do(t, http.MethodPost, "/api/v1/messages/send/button", alice, body)
	}

	// Every form and alias of a button.
	r := send(map[string]any{"buttons": []any{
		"Plain",
		map[string]any{"text": "Agent", "id": "agent"},
		map[string]any{"type": "quick_reply", "displayText": "Later"},
		map[string]any{"type": "url", "displayText": "Site", "url": " https://example.com/a?b=1 "},
		map[string]any{"type": "cta_url", "text": "Docs", "url": "http://docs.example.com", "id": "docs"},
		map[string]any{"type": "call", "displayText": "Call", "phoneNumber": "+62 812-3456-7890"},
		map[string]any{"type": "cta_call", "text": "Hotline", "phone": "14045"},
		map[string]any{"type": "copy", "displayText": "Code", "copyCode": "SAVE20"},
		map[string]any{"type": "CTA_COPY", "text": "Voucher", "copyCode": "V-1"},
	}})
	expect(t, r, http.StatusOK, 1000)
	var res struct {
		Status       string
		AdvancedInfo map[string]any
	}
	r.result(t, 0, &res)
	if res.Status != "interactive button success" || res.AdvancedInfo["buttonCount"] != 9.0 || res.AdvancedInfo["headerImage"] != false {
		t.Fatalf("result %+v", res)
	}
	want := []message.Button{
		{Kind: message.ButtonReply, ID: "btn_1", Text: "Plain"},
		{Kind: message.ButtonReply, ID: "agent", Text: "Agent"},
		{Kind: message.ButtonReply, ID: "btn_3", Text: "Later"},
		{Kind: message.ButtonURL, Text: "Site", URL: "https://example.com/a?b=1"},
		{Kind: message.ButtonURL, ID: "docs", Text: "Docs", URL: "http://docs.example.com"},
		{Kind: message.ButtonCall, Text: "Call", Phone: "+62 812-3456-7890"},
		{Kind: message.ButtonCall, Text: "Hotline", Phone: "14045"},
		{Kind: message.ButtonCopy, Text: "Code", CopyCode: "SAVE20"},
		{Kind: message.ButtonCopy, Text: "Voucher", CopyCode: "V-1"},
	}
	c := a.lastSent(t, "s1")
	if c.Kind != message.KindButtons || c.Text != "Need help?" || c.Buttons.Footer != "Support" || c.Buttons.Image != nil ||
		!reflect.DeepEqual(c.Buttons.Buttons, want) {
		t.Fatalf("sent %+v buttons %+v", c, c.Buttons)
	}

	// A header image (data URI here; URLs go through the guarded fetcher) is stored
	// like other media and sent with the buttons.
	r = send(map[string]any{"image": dataURI("image/png", pngFile), "buttons": []any{"Yes"}})
	expect(t, r, http.StatusOK, 1000)
	r.result(t, 0, &res)
	if res.AdvancedInfo["headerImage"] != true {
		t.Fatalf("result %+v", res)
	}
	c = a.lastSent(t, "s1")
	if img := c.Buttons.Image; img == nil || img.MIME != "image/png" || img.Size != int64(len(pngFile)) || !strings.HasPrefix(img.BlobKey, "outbound/") {
		t.Fatalf("header image %+v", c.Buttons.Image)
	}

	// Refusals: 400 with code 3010 and a message naming the problem.
	refused := []struct {
		name    string
		body    map[string]any
		message string
	}{
		{"no buttons", map[string]any{"buttons": []any{}}, "1 to 10 buttons are required"},
		{"eleven buttons", map[string]any{"buttons": []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}}, "1 to 10 buttons are required"},
		{"unknown type", map[string]any{"buttons": []any{map[string]any{"type": "teleport", "text": "Go"}}}, `button 1: type "teleport" is not one of`},
		{"url without url", map[string]any{"buttons": []any{"ok", map[string]any{"type": "url", "text": "Site"}}}, "button 2: a url button needs an http(s) url"},
		{"url not http", map[string]any{"buttons": []any{map[string]any{"type": "url", "text": "Site", "url": "javascript:alert(1)"}}}, "button 1: a url button needs an http(s) url"},
		{"call without phone", map[string]any{"buttons": []any{map[string]any{"type": "call", "text": "Call"}}}, "button 1: a call button needs a phoneNumber"},
		{"call with letters", map[string]any{"buttons": []any{map[string]any{"type": "call", "text": "Call", "phoneNumber": "CALL-ME"}}}, "button 1: a call button needs a phoneNumber"},
		{"copy without code", map[string]any{"buttons": []any{map[string]any{"type": "copy", "text": "Code"}}}, "button 1: a copy button needs a copyCode"},
		{"button without text", map[string]any{"buttons": []any{map[string]any{"type": "url", "url": "https://x.id"}}}, "button 1: a text (or displayText) is required"},
		{"no body text", map[string]any{"text": "", "buttons": []any{"Yes"}}, "a button message needs a body text"},
	}
	for _, tt := range refused {
		r := send(tt.body)
		expect(t, r, http.StatusBadRequest, 3010)
		if !strings.Contains(r.env.Message, tt.message) {
			t.Errorf("%s: message %q, want it to contain %q", tt.name, r.env.Message, tt.message)
		}
	}
	// An image that is not an image is refused before anything is sent.
	before := len(a.net.Sent("s1"))
	r = send(map[string]any{"image": dataURI("application/pdf", pdfFile), "buttons": []any{"Yes"}})
	if r.code != http.StatusUnsupportedMediaType || !strings.Contains(r.env.Message, "not an image") {
		t.Fatalf("pdf header image: HTTP %d %s", r.code, r.body)
	}
	r = send(map[string]any{"image": "not an image at all", "buttons": []any{"Yes"}})
	if r.code != http.StatusBadRequest {
		t.Fatalf("bad image source: HTTP %d %s", r.code, r.body)
	}
	// URLs go through the guarded fetcher of the media routes: no private addresses.
	for _, u := range []string{"http://127.0.0.1/x.png", "http://169.254.169.254/latest/meta-data/"} {
		if r := send(map[string]any{"image": u, "buttons": []any{"Yes"}}); r.code != http.StatusBadRequest {
			t.Fatalf("header image %s: HTTP %d %s", u, r.code, r.body)
		}
	}
	if after := len(a.net.Sent("s1")); after != before {
		t.Fatalf("%d messages sent by refused requests", after-before)
	}
}

func TestSendList_HeaderImage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	r := a.do(t, http.MethodPost, "/api/v1/messages/send/list", alice, map[string]any{"sessionId": "s1", "to": "6281111111111",
		"list": map[string]any{"buttonText": "Choose", "title": "Menu", "text": "Pick", "image": dataURI("image/png", pngFile),
			"sections": []any{map[string]any{"title": "Options", "rows": []any{map[string]any{"id": "o1", "title": "Option 1"}}}}}})
	expect(t, r, http.StatusOK, 1000)
	var res struct{ AdvancedInfo map[string]any }
	r.result(t, 0, &res)
	if res.AdvancedInfo["headerImage"] != true || res.AdvancedInfo["rowCount"] != 1.0 {
		t.Fatalf("result %+v", res)
	}
	c := a.lastSent(t, "s1")
	if c.Kind != message.KindList || c.List.Image == nil || c.List.Image.MIME != "image/png" || c.List.ButtonText != "Choose" || c.Text != "Pick" {
		t.Fatalf("sent %+v list %+v", c, c.List)
	}
}

func TestSendText_Normalises(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	raw := "<b>Order</b> <i>ready</i>, see [https://x.id/o/1] <code>ABC</code> <span>now</span> :smile: @6282222222222 @6282222222222"
	want := "*Order* _ready_, see https://x.id/o/1 ```ABC``` now :smile: @6282222222222 @6282222222222"

	r := a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, map[string]any{"sessionId": "s1", "to": "6281111111111", "message": raw})
	expect(t, r, http.StatusOK, 1000)
	var res struct{ AdvancedInfo map[string]any }
	r.result(t, 0, &res)
	if m, _ := res.AdvancedInfo["mentions"].([]any); len(m) != 1 || m[0] != "6282222222222@s.whatsapp.net" {
		t.Fatalf("mentions %v", res.AdvancedInfo["mentions"])
	}
	c := a.lastSent(t, "s1")
	if c.Text != want || !reflect.DeepEqual(c.Mentions, []chat.JID{chat.UserJID("6282222222222")}) {
		t.Fatalf("sent %q mentions %v\nwant %q", c.Text, c.Mentions, want)
	}

	// The GET form normalises too.
	r = a.do(t, http.MethodGet, "/api/v1/messages/send/text?sessionId=s1&to=6281111111111&message=%3Cs%3Eold%3C%2Fs%3E+%3Cstrong%3Enew%3C%2Fstrong%3E", alice, nil)
	expect(t, r, http.StatusOK, 1000)
	if c := a.lastSent(t, "s1"); c.Text != "~old~ *new*" {
		t.Fatalf("GET sent %q", c.Text)
	}

	// Other routes send their text as given.
	r = a.do(t, http.MethodPost, "/api/v1/messages/send/button", alice, map[string]any{"sessionId": "s1", "to": "6281111111111",
		"text": "<b>as given</b>", "buttons": []any{"ok"}})
	expect(t, r, http.StatusOK, 1000)
	if c := a.lastSent(t, "s1"); c.Text != "<b>as given</b>" {
		t.Fatalf("button body %q", c.Text)
	}
}
