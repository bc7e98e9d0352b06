package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/throttle"
)

// The messaging routes of the reference, their undocumented success statuses, and
// two repairs of the reference: send/location declares `required: true` on a
// property (invalid OpenAPI), and send/files answers messageId null (its own
// example) where SendResult declares a string.
func init() {
	for _, p := range []string{"files", "media", "audio", "document", "sticker", "contact", "location", "poll", "gif", "button", "list"} {
		implemented["/api/v1/messages/send/"+p] = true
		undocumentedStatuses["POST /api/v1/messages/send/"+p] = []string{"202", "207", "502"}
	}
	for _, a := range []string{"star", "unstar", "reaction", "unreaction", "delete", "revoke", "edit", "mark-as-read"} {
		implemented["/api/v1/messages/{messageId}/action/"+a] = true
	}
	for _, a := range []string{"mute", "unmute", "archive", "unarchive", "clear-all"} {
		implemented["/api/v1/messages/action/"+a] = true
	}
	specFixes = append(specFixes, func(spec map[string]any) {
		loc := spec["paths"].(map[string]any)["/api/v1/messages/send/location"].(map[string]any)["post"].(map[string]any)
		schema := loc["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
		for _, part := range schema["allOf"].([]any) {
			if props, ok := part.(map[string]any)["properties"].(map[string]any); ok {
				delete(props["location"].(map[string]any), "required")
			}
		}
		sr := spec["components"].(map[string]any)["schemas"].(map[string]any)["SendResult"].(map[string]any)
		sr["properties"].(map[string]any)["messageId"].(map[string]any)["nullable"] = true
	})
}

// Small real files, so MIME sniffing has something to find.
var (
	pdfFile = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	exeFile = append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 64)...)
	// A 1×1 PNG.
	pngFile, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
)

// multipartBody builds a multipart request body with fields and one file part.
func multipartBody(t *testing.T, fields map[string]string, field, name, mimeType string, data []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+name+`"`)
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = w.Close()
	return buf.String(), w.FormDataContentType()
}

func contentType(ct string) reqOpt { return header("Content-Type", ct) }

func dataURI(mimeType string, b []byte) string {
	return "data:" + mimeType + ";base64," + base64.StdEncoding.EncodeToString(b)
}

func TestMessagingReferenceContract(t *testing.T) {
	t.Parallel()
	router := loadReference(t)
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281234567890")
	check := func(r response, status int) response {
		t.Helper()
		if r.code != status {
			t.Fatalf("%s %s: HTTP %d, want %d: %s", r.req.Method, r.req.URL, r.code, status, r.body)
		}
		validate(t, router, r)
		return r
	}
	post := func(path, key string, body any, opts ...reqOpt) response {
		t.Helper()
		return a.do(t, http.MethodPost, "/api/v1/messages/"+path, key, body, opts...)
	}
	to := "6281111111111"
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"sessionId": "s1", "to": to}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	// Every send route, in its JSON form.
	check(post("send/contact", alice, base(map[string]any{"contact": map[string]any{"name": "John", "fullName": "John Doe", "phone": "08111", "organization": "Acme"}})), 200)
	check(post("send/location", alice, base(map[string]any{"location": map[string]any{"latitude": -6.2, "longitude": 106.8, "name": "Monas"}})), 200)
	check(post("send/location", alice, base(map[string]any{"location": []float64{-6.2, 106.8}})), 200)
	check(post("send/location", alice, base(map[string]any{"latitude": -6.2, "longitude": 106.8})), 200)
	check(post("send/poll", alice, base(map[string]any{"question": "Do you like WAREST?", "options": []string{"Yes", "No"}, "maxSelection": 1})), 200)
	check(post("send/poll", alice, base(map[string]any{"question": "CSV?", "options": "a, b, c", "selectableCount": 9})), 200)
	check(post("send/button", alice, base(map[string]any{"text": "Need help?", "footer": "Support", "buttons": []any{"Yes", map[string]any{"type": "reply", "displayText": "Agent", "id": "agent"}}})), 200)
	check(post("send/button", alice, base(map[string]any{"text": "Need help?", "footer": "Support", "image": dataURI("image/png", pngFile), "buttons": []any{
		map[string]any{"type": "reply", "displayText": "Talk to agent", "id": "agent"},
		map[string]any{"type": "url", "displayText": "Open site", "url": "https://example.com"},
		map[string]any{"type": "call", "displayText": "Call us", "phoneNumber": "+62 812 3456 7890"},
		map[string]any{"type": "copy", "displayText": "Copy code", "copyCode": "SAVE20"}}})), 200)
	check(post("send/list", alice, base(map[string]any{"text": "With a picture", "image": dataURI("image/png", pngFile), "sections": []any{
		map[string]any{"title": "S", "rows": []any{"One", "Two"}}}})), 200)
	check(post("send/list", alice, base(map[string]any{"text": "Select a fruit:", "buttonText": "Choose", "lists": []any{map[string]any{"title": "Fruits",
		"rows": []any{map[string]any{"id": "apple", "title": "Apple"}, "Banana"}}}})), 200)
	check(post("send/list", alice, base(map[string]any{"list": map[string]any{"buttonText": "Choose", "title": "Menu", "text": "Pick",
		"sections": []any{map[string]any{"title": "Options", "rows": []any{map[string]any{"id": "o1", "title": "Option 1"}}}}}})), 200)
	check(post("send/document", alice, base(map[string]any{"document": dataURI("application/pdf", pdfFile), "filename": "contract.pdf", "caption": "review"})), 200)
	check(post("send/files", alice, base(map[string]any{"files": []any{map[string]any{"file": dataURI("application/pdf", pdfFile), "filename": "Spec.pdf"},
		base64.StdEncoding.EncodeToString(pdfFile), map[string]any{"file": dataURI("application/x-msdownload", exeFile), "filename": "payload.exe"}}})), 200)

	// Multipart and raw forms of the media routes.
	body, ct := multipartBody(t, map[string]string{"sessionId": "s1", "to": to, "caption": "pic"}, "media", "p.png", "image/png", pngFile)
	check(post("send/media", alice, body, contentType(ct)), 200)
	check(post("send/document?sessionId=s1&to="+to+"&filename=raw.pdf", alice, string(pdfFile), contentType("application/octet-stream")), 200)
	body, ct = multipartBody(t, map[string]string{"sessionId": "s1", "to": to}, "files", "a.pdf", "application/pdf", pdfFile)
	check(post("send/files", alice, body, contentType(ct)), 200)

	// Message actions on a message we sent, then chat actions.
	sent := check(post("send/text", alice, base(map[string]any{"message": "hello @6281111111111"})), 200)
	var first struct{ MessageID string }
	sent.result(t, 0, &first)
	act := func(method, action string, body map[string]any, status int) response {
		t.Helper()
		return check(a.do(t, method, "/api/v1/messages/"+first.MessageID+"/action/"+action, alice, body), status)
	}
	act(http.MethodPost, "star", map[string]any{"sessionId": "s1"}, 200)
	act(http.MethodPost, "unstar", map[string]any{"sessionId": "s1"}, 200)
	act(http.MethodPost, "reaction", map[string]any{"sessionId": "s1", "emoji": "👍"}, 200)
	act(http.MethodPost, "unreaction", map[string]any{"sessionId": "s1"}, 200)
	act(http.MethodPost, "edit", map[string]any{"sessionId": "s1", "message": "hello again"}, 200)
	act(http.MethodPost, "mark-as-read", map[string]any{"sessionId": "s1", "to": to}, 200)
	act(http.MethodPost, "revoke", map[string]any{"sessionId": "s1"}, 200)
	act(http.MethodDelete, "delete", map[string]any{"sessionId": "s1", "withMedia": true}, 200)
	for _, c := range []struct{ method, action string }{{http.MethodPost, "mute"}, {http.MethodPost, "unmute"}, {http.MethodPost, "archive"},
		{http.MethodPost, "unarchive"}, {http.MethodDelete, "clear-all"}} {
		check(a.do(t, c.method, "/api/v1/messages/action/"+c.action, alice, base(map[string]any{"duration": 60})), 200)
		check(a.do(t, c.method, "/api/v1/messages/action/"+c.action, bob, base(nil)), 403)
		check(a.do(t, c.method, "/api/v1/messages/action/"+c.action, "", base(nil)), 401)
	}

	// Bad inputs, on every route.
	everything := func(session string) map[string]any { // a valid body for every send route
		return map[string]any{"sessionId": session, "to": to, "message": "x", "question": "q", "options": []string{"a", "b"},
			"text": "t", "buttons": []string{"b"}, "sections": []any{map[string]any{"title": "s", "rows": []string{"r"}}},
			"contact": map[string]any{"name": "n", "phone": "6281"}, "latitude": 1, "longitude": 1,
			"media": dataURI("image/png", pngFile), "audio": dataURI("audio/ogg", []byte("OggS")), "document": dataURI("application/pdf", pdfFile),
			"sticker": dataURI("image/webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 ")), "gif": dataURI("image/png", pngFile),
			"files": []string{dataURI("application/pdf", pdfFile)}}
	}
	for _, p := range []string{"text", "contact", "location", "poll", "button", "list", "files", "media", "audio", "document", "sticker", "gif"} {
		check(post("send/"+p, "", everything("s1")), 401)
		check(post("send/"+p, bob, everything("s1")), 403)
		check(post("send/"+p, alice, everything("nope")), 404)
		check(post("send/"+p, alice, map[string]any{"sessionId": "s1", "message": "x"}), 400) // no recipient, or no content
	}
	check(post("send/location", alice, base(map[string]any{"location": "north,east"})), 400)
	check(post("send/location", alice, base(map[string]any{"latitude": 91, "longitude": 0})), 400)
	check(post("send/poll", alice, base(map[string]any{"question": "one option?", "options": []string{"only"}})), 400)
	check(post("send/button", alice, base(map[string]any{"text": "t", "buttons": []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}})), 400)
	check(post("send/button", alice, base(map[string]any{"text": "t", "buttons": []any{map[string]any{"type": "url", "displayText": "site", "url": "not a url"}}})), 400)
	check(post("send/button", alice, base(map[string]any{"text": "t", "buttons": []any{map[string]any{"type": "call", "displayText": "call"}}})), 400)
	check(post("send/list", alice, base(map[string]any{"text": "t", "sections": []any{}})), 400)
	check(post("send/contact", alice, base(map[string]any{"contact": map[string]any{"name": "no phone"}})), 400)
	check(post("send/media", alice, base(map[string]any{"media": "not a file"})), 400)
	check(post("send/media", alice, base(map[string]any{"media": "file:///etc/passwd"})), 400)
	for _, u := range []string{"http://127.0.0.1/x.png", "http://localhost/x.png", "http://[::1]/x.png", "http://10.0.0.1/x.png", "http://169.254.169.254/latest/meta-data/"} {
		check(post("send/media", alice, base(map[string]any{"media": u})), 400)
	}
	for _, p := range []string{"star", "reaction", "edit", "revoke", "mark-as-read"} {
		check(a.do(t, http.MethodPost, "/api/v1/messages/UNKNOWN/action/"+p, alice, map[string]any{"sessionId": "s1", "emoji": "x", "message": "x"}), 404)
		check(a.do(t, http.MethodPost, "/api/v1/messages/"+first.MessageID+"/action/"+p, bob, map[string]any{"sessionId": "s1", "emoji": "x", "message": "x"}), 403)
		check(a.do(t, http.MethodPost, "/api/v1/messages/"+first.MessageID+"/action/"+p, "", map[string]any{"sessionId": "s1"}), 401)
	}
	act(http.MethodPost, "reaction", map[string]any{"sessionId": "s1"}, 400) // emoji missing
	act(http.MethodPost, "edit", map[string]any{"sessionId": "s1"}, 400)     // text missing
	check(a.do(t, http.MethodPost, "/api/v1/messages/action/mute", alice, base(map[string]any{"duration": 50000})), 400)
	check(a.do(t, http.MethodPost, "/api/v1/messages/action/mute", alice, map[string]any{"sessionId": "s1"}), 400)

	// Outside the reference's declared statuses: blocked types and oversize bodies.
	expect(t, post("send/document", alice, base(map[string]any{"document": dataURI("application/x-msdownload", exeFile), "filename": "x.exe"})),
		http.StatusUnsupportedMediaType, 2007)
	expect(t, post("send/document", alice, base(map[string]any{"document": dataURI("text/plain", []byte("#!/bin/sh\nrm -rf /\n")), "filename": "run.sh"})),
		http.StatusUnsupportedMediaType, 2007)
	expect(t, post("send/media", alice, base(map[string]any{"media": dataURI("application/pdf", pdfFile)})), http.StatusUnsupportedMediaType, 2007)
	expect(t, post("send/files", alice, base(map[string]any{"files": []string{dataURI("application/x-msdownload", exeFile)}})), http.StatusUnsupportedMediaType, 2007)
}

func TestMessaging_Oversize(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *httpapi.Config) { c.MediaLimit = 1024 })
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	r := a.do(t, http.MethodPost, "/api/v1/messages/send/document?sessionId=s1&to=6281111111111", alice, strings.Repeat("x", 4096),
		contentType("application/octet-stream"))
	expect(t, r, http.StatusRequestEntityTooLarge, 2006)
	big := newAppWith(t, func(c *command.Config) { c.Limits.Cooldown = 0; c.Media.PerFileLimit = 64 })
	key, _ := big.user(t, "carol")
	big.openSession(t, key, "s2", "6281234567891")
	expect(t, big.do(t, http.MethodPost, "/api/v1/messages/send/document", key, map[string]any{"sessionId": "s2", "to": "6281111111111",
		"document": dataURI("application/pdf", append(pdfFile, make([]byte, 100)...))}), http.StatusRequestEntityTooLarge, 2006)
}

func TestMessaging_IdempotencyKey(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281234567890")
	a.openSession(t, bob, "b1", "6281234567892")
	body := map[string]any{"sessionId": "s1", "to": []string{"6281111111111", "6282222222222"}, "message": "once"}
	first := a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, body, header("Idempotency-Key", "k-1"))
	expect(t, first, http.StatusOK, 1000)
	again := a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, body, header("Idempotency-Key", "k-1"))
	expect(t, again, http.StatusOK, 1000)
	if again.hdr.Get("Idempotent-Replayed") != "true" {
		t.Fatal("replay not marked")
	}
	var m1, m2 struct{ MessageID string }
	for i := range 2 {
		first.result(t, i, &m1)
		again.result(t, i, &m2)
		if m1.MessageID != m2.MessageID {
			t.Fatalf("replay %d has message %s, first had %s", i, m2.MessageID, m1.MessageID)
		}
	}
	if n := len(a.net.Sent("s1")); n != 2 {
		t.Fatalf("network saw %d messages, want 2", n)
	}
	body["message"] = "different"
	expect(t, a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, body, header("Idempotency-Key", "k-1")), http.StatusConflict, 2004)
	// Keys are per API key: bob's k-1 is his own.
	expect(t, a.do(t, http.MethodPost, "/api/v1/messages/send/text", bob, map[string]any{"sessionId": "b1", "to": "6281111111111", "message": "x"},
		header("Idempotency-Key", "k-1")), http.StatusOK, 1000)
}

func TestMessaging_RateLimitAndQuota(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(c *command.Config) {
		c.Limits.Cooldown = 0
		c.Limits.Rate = throttle.Window{Limit: 6, Size: time.Hour}
		c.Limits.Quota = throttle.Window{Limit: 3, Size: time.Hour}
	})
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "s1", "6281234567890") // 2 requests of the 6: create, scan (outside the quota)
	send := func(key string) response {
		return a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{"sessionId": "s1", "to": "6281111111111", "message": "x"})
	}
	for i := range 3 {
		r := send(alice)
		expect(t, r, http.StatusOK, 1000)
		if got := r.hdr.Get("X-Quota-Remaining"); got != string(rune('2'-i)) {
			t.Fatalf("X-Quota-Remaining = %q after %d sends", got, i+1)
		}
		if r.hdr.Get("X-RateLimit-Limit") != "6" || r.hdr.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("rate headers %v", r.hdr)
		}
	}
	r := send(alice)
	expect(t, r, http.StatusTooManyRequests, 2401)
	if r.hdr.Get("Retry-After") == "" || r.hdr.Get("X-Quota-Remaining") != "0" {
		t.Fatalf("quota 429 headers %v", r.hdr)
	}
	r = a.do(t, http.MethodGet, "/api/v1/session/list", alice, nil) // 7th request of this key
	expect(t, r, http.StatusTooManyRequests, 2400)
	if r.hdr.Get("Retry-After") == "" || r.hdr.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("rate 429 headers %v", r.hdr)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", bob, nil), http.StatusOK, 1000) // bob has his own bucket
}

// The send routes count the request in the send's own transaction; every request
// is still counted once and answered with the headers, however it fails.
func TestMessaging_SendRoutesCountEveryRequest(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(c *command.Config) {
		c.Limits.Cooldown = 0
		c.Limits.Quota = throttle.Window{Limit: 5, Size: time.Hour}
	})
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	text := map[string]any{"sessionId": "s1", "to": "6281111111111", "message": "x"}
	steps := []struct {
		name, route string
		body        any
		status      int
		code        int
		quotaLeft   string
		retryAfter  bool
	}{
		{"accepted", "text", text, http.StatusOK, 1000, "4", false},
		{"refused by the send", "text", map[string]any{"sessionId": "nobody", "to": "6281111111111", "message": "x"}, http.StatusNotFound, 1101, "3", false},
		{"refused by the handler", "button", map[string]any{"sessionId": "s1", "to": "6281111111111", "text": "x"}, http.StatusBadRequest, 3010, "2", false},
		{"header image refused", "button", map[string]any{"sessionId": "s1", "to": "6281111111111", "text": "x", "buttons": []any{"Yes"},
			"image": dataURI("application/pdf", pdfFile)}, http.StatusUnsupportedMediaType, 2007, "1", false},
		{"malformed", "text", `{"sessionId":`, http.StatusBadRequest, 2008, "0", false},
		{"over the quota", "text", text, http.StatusTooManyRequests, 2401, "0", true},
		{"malformed over the quota", "text", `{"sessionId":`, http.StatusTooManyRequests, 2401, "0", true},
	}
	for _, s := range steps {
		r := a.do(t, http.MethodPost, "/api/v1/messages/send/"+s.route, alice, s.body)
		expect(t, r, s.status, s.code)
		if got := r.hdr.Get("X-Quota-Remaining"); got != s.quotaLeft || r.hdr.Get("X-RateLimit-Remaining") == "" {
			t.Fatalf("%s: X-Quota-Remaining %q, want %s; headers %v", s.name, got, s.quotaLeft, r.hdr)
		}
		if (r.hdr.Get("Retry-After") != "") != s.retryAfter {
			t.Fatalf("%s: Retry-After %q", s.name, r.hdr.Get("Retry-After"))
		}
	}
	if n := len(a.net.Sent("s1")); n != 1 {
		t.Fatalf("network saw %d messages, want the one accepted", n)
	}
}

func TestMessaging_Cooldown(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(c *command.Config) { c.Limits.Cooldown = time.Hour })
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	send := func(to string) response {
		return a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, map[string]any{"sessionId": "s1", "to": to, "message": "x"})
	}
	expect(t, send("081111111111"), http.StatusOK, 1000)
	r := send("+62 811-1111-1111") // the same recipient, written differently
	expect(t, r, http.StatusTooManyRequests, 2400)
	if r.hdr.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	expect(t, send("6282222222222"), http.StatusOK, 1000)
	// A failed send starts no cooldown.
	expect(t, send(unreachable+"1111111"), http.StatusBadGateway, 3002)
	expect(t, send(unreachable+"1111111"), http.StatusBadGateway, 3002)
}

// An action WhatsApp refuses answers WAREST's code for that action (behaviour §1.0):
// reaction 502/4005, revoke 502/4000, edit 403/4001.
func TestMessaging_FailedActionsAnswerTheirCodes(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	lost := unreachable + "1111111"
	r := a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, map[string]any{"sessionId": "s1", "to": lost, "message": "x"})
	expect(t, r, http.StatusBadGateway, 3002)
	var failed struct{ MessageID string }
	r.result(t, 0, &failed)
	for _, c := range []struct {
		action, label string
		body          map[string]any
		status, code  int
	}{
		{"reaction", "Reaction applied", map[string]any{"emoji": "👍"}, http.StatusBadGateway, 4005},
		{"unreaction", "Reaction removed", nil, http.StatusBadGateway, 4005},
		{"revoke", "Message revoked", nil, http.StatusBadGateway, 4000},
		{"edit", "Message edited", map[string]any{"message": "again"}, http.StatusForbidden, 4001},
	} {
		body := map[string]any{"sessionId": "s1"}
		for k, v := range c.body {
			body[k] = v
		}
		r := a.do(t, http.MethodPost, "/api/v1/messages/"+failed.MessageID+"/action/"+c.action, alice, body)
		expect(t, r, c.status, c.code)
		if !strings.HasPrefix(r.env.Message, c.label+" failed: ") {
			t.Fatalf("%s: message %q", c.action, r.env.Message)
		}
	}
}

// The refusals of the send routes, with the status, code and message WAREST answers.
func TestMessaging_RefusalsAnswerTheirCodes(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	to := "6281111111111"
	json := func(route string, body map[string]any) response {
		body["sessionId"], body["to"] = "s1", to
		return a.do(t, http.MethodPost, "/api/v1/messages/send/"+route, alice, body)
	}
	raw := func(route, ct, body string) response {
		return a.do(t, http.MethodPost, "/api/v1/messages/send/"+route+"?sessionId=s1&to="+to, alice, body, contentType(ct))
	}
	for _, c := range []struct {
		name         string
		r            response
		status, code int
		message      string
	}{
		{"contact without phone", json("contact", map[string]any{"contact": map[string]any{"name": "n"}}), 400, 2001, "contact name and phone are required"},
		{"location off the globe", json("location", map[string]any{"latitude": 91, "longitude": 0}), 400, 3012,
			"location needs a latitude within ±90 and a longitude within ±180"},
		{"poll of one option", json("poll", map[string]any{"question": "q", "options": []string{"a"}}), 400, 3012, "a poll needs a question and 2 to 12 options"},
		{"no buttons", json("button", map[string]any{"text": "t", "buttons": []string{}}), 400, 3010, "1 to 10 buttons are required"},
		{"malformed media JSON", raw("media", "application/json", "{"), 400, 2008, "Malformed JSON body: unexpected end of JSON input"},
		{"malformed form", raw("media", "application/x-www-form-urlencoded", "a=%zz"), 400, 2000, "Malformed form body"},
		{"malformed multipart", raw("media", "multipart/form-data; boundary=x", "--x\r\nbroken"), 400, 2000, "Malformed multipart body"},
		{"every file refused", json("files", map[string]any{"files": []string{dataURI("application/x-msdownload", exeFile)}}), 415, 2007, "every file was refused"},
	} {
		expect(t, c.r, c.status, c.code)
		if c.r.env.Message != c.message {
			t.Errorf("%s: message %q, want %q", c.name, c.r.env.Message, c.message)
		}
		if c.code == 2007 && !strings.Contains(string(c.r.body), `"blockedFiles":[`) {
			t.Errorf("%s: the refused files are not listed: %s", c.name, c.r.body)
		}
	}
}
