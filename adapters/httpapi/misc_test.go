package httpapi_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/ports"
)

func init() {
	for _, p := range []string{"convert-string-toqr/{target}", "whatsapp/file-decrypt", "whatsapp/poll-update-vote",
		"whatsapp/validate/phone", "whatsapp/validate/jid", "whatsapp/resolve/jid-or-lid", "media/thumbnail", "media/image",
		"uuid/generate", "uuid/validate", "crypto/hash", "crypto/hmac", "base64"} {
		implemented["/api/v1/misc/"+p] = true
	}
}

// encryptMedia encrypts as a WhatsApp client does (the whatsmeow adapter's tests
// check domain/wacrypto against whatsmeow itself): HKDF keys, AES-256-CBC, and the
// first 10 bytes of HMAC-SHA256(iv‖ciphertext) appended.
func encryptMedia(t *testing.T, plain []byte, info string) (key, enc []byte) {
	t.Helper()
	key = make([]byte, 32)
	_, _ = rand.Read(key)
	keys, err := hkdf.Key(sha256.New, key, nil, info, 112)
	if err != nil {
		t.Fatal(err)
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	body := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(keys[16:48])
	cipher.NewCBCEncrypter(block, keys[:16]).CryptBlocks(body, body)
	mac := hmac.New(sha256.New, keys[48:80])
	mac.Write(keys[:16])
	mac.Write(body)
	return key, append(body, mac.Sum(nil)[:10]...)
}

// encryptVote encrypts a PollVoteMessage naming options as a voter's client does.
func encryptVote(t *testing.T, secret []byte, pollID, creator, voter string, options ...string) (payload, iv []byte) {
	t.Helper()
	var msg []byte
	for _, o := range options {
		sum := sha256.Sum256([]byte(o))
		msg = append(append(msg, 0x0a, 32), sum[:]...) // field 1, length-delimited, 32 bytes
	}
	key, err := hkdf.Key(sha256.New, secret, nil, pollID+creator+voter+"Poll Vote", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	iv = make([]byte, 12)
	_, _ = rand.Read(iv)
	return gcm.Seal(nil, iv, msg, []byte(pollID+"\x00"+voter)), iv
}

type miscFileView struct {
	Data string `json:"data"`
	Meta struct {
		Mode      string `json:"mode"`
		MIMEType  string `json:"mimeType"`
		Key       string `json:"key"`
		URL       string `json:"url"`
		Size      int64  `json:"size"`
		Temporary bool   `json:"temporary"`
		ExpiresAt string `json:"expiresAt"`
	} `json:"meta"`
}

// expiresIn is how long from now an RFC 3339 expiresAt is.
func expiresIn(t *testing.T, at string) time.Duration {
	t.Helper()
	when, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		t.Fatalf("expiresAt %q: %v", at, err)
	}
	return time.Until(when)
}

// storedBytes reads a blob the app stored.
func storedBytes(t *testing.T, a *testApp, key string) []byte {
	t.Helper()
	rc, _, err := a.blobs.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dataOf(t *testing.T, uri, mime string) []byte {
	t.Helper()
	b64, ok := strings.CutPrefix(uri, "data:"+mime+";base64,")
	if !ok {
		t.Fatalf("not a %s data URI: %.60s", mime, uri)
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every misc operation over HTTP on the sandbox, each answer checked against the
// reference contract.
func TestMiscScenario(t *testing.T) {
	t.Parallel()
	router := loadReference(t)
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	a.openSession(t, alice, "m1", "6281200000009")
	budi, err := a.net.AddContact(ports.SandboxContact{Phone: "6281111111111", Name: "Budi"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.net.AddContact(ports.SandboxContact{Phone: "6289999999999", Unregistered: true}); err != nil {
		t.Fatal(err)
	}
	call := func(path, key string, body map[string]any, status, code int) response {
		t.Helper()
		r := a.do(t, http.MethodPost, "/api/v1/misc/"+path, key, body)
		expect(t, r, status, code)
		validate(t, router, r)
		return r
	}
	var f miscFileView

	// QR codes: a data URI, or a temporary stored file.
	call("convert-string-toqr/base64", alice, map[string]any{"string": "Hello QR"}, 200, 1000).result(t, 0, &f)
	if png := dataOf(t, f.Data, "image/png"); !bytes.HasPrefix(png, []byte("\x89PNG")) || f.Meta.Mode != "dataurl" {
		t.Fatalf("base64 QR: %+v", f.Meta)
	}
	call("convert-string-toqr/svg", alice, map[string]any{"string": "SGVsbG8gUVI=", "encoding": "base64", "output": "base64"}, 200, 1000).result(t, 0, &f)
	if svg := dataOf(t, f.Data, "image/svg+xml"); !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Fatalf("svg QR: %.80s", svg)
	}
	// The default output is a signed link to a temporary file: no API key fetches
	// the stored bytes until the temp TTL (300 s) has passed.
	call("convert-string-toqr/png", alice, map[string]any{"string": "Hello QR"}, 200, 1000).result(t, 0, &f)
	if f.Meta.Mode != "url" || !f.Meta.Temporary || f.Data != f.Meta.URL || !strings.HasPrefix(f.Meta.Key, ports.TempBlobPrefix) {
		t.Fatalf("stored QR: %+v", f)
	}
	if ttl := expiresIn(t, f.Meta.ExpiresAt); ttl < 290*time.Second || ttl > 300*time.Second {
		t.Fatalf("stored QR expires in %v, want the temp TTL (300 s)", ttl)
	}
	stored := storedBytes(t, a, f.Meta.Key)
	if !bytes.HasPrefix(stored, []byte("\x89PNG")) || int64(len(stored)) != f.Meta.Size {
		t.Fatal("the stored QR is not the PNG answered")
	}
	got := a.do(t, http.MethodGet, f.Data, "", nil)
	if got.code != http.StatusOK || !bytes.Equal(got.body, stored) || got.hdr.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %d %s, %d bytes", f.Data, got.code, got.hdr.Get("Content-Type"), len(got.body))
	}
	if bad := a.do(t, http.MethodGet, strings.Replace(f.Data, "sig=", "sig=x", 1), "", nil); bad.code != http.StatusForbidden {
		t.Fatalf("an altered link answered %d", bad.code)
	}
	f = miscFileView{}
	call("convert-string-toqr/png", alice, map[string]any{"string": "Hello QR", "output": "file"}, 200, 1000).result(t, 0, &f)
	if f.Meta.Mode != "file" || f.Meta.URL != "" || f.Data != f.Meta.Key || !strings.HasPrefix(f.Data, ports.TempBlobPrefix) {
		t.Fatalf("QR as a file: %+v", f)
	}
	call("convert-string-toqr/gif", alice, map[string]any{"string": "x"}, 400, 2002)
	call("convert-string-toqr/png", alice, map[string]any{}, 400, 2001)
	call("convert-string-toqr/png", "", map[string]any{"string": "x"}, 401, 2200)

	// WhatsApp media decryption.
	photo := []byte("\xff\xd8\xff\xe0 pretend this is a JPEG photo")
	key, enc := encryptMedia(t, photo, "WhatsApp Image Keys")
	sum := sha256.Sum256(photo)
	decrypt := map[string]any{"mediaKey": base64.StdEncoding.EncodeToString(key), "file": base64.StdEncoding.EncodeToString(enc),
		"mimeType": "image/jpeg", "fileSha256": hex.EncodeToString(sum[:])}
	call("whatsapp/file-decrypt", alice, decrypt, 200, 1000).result(t, 0, &f)
	if got := dataOf(t, f.Data, "image/jpeg"); !bytes.Equal(got, photo) {
		t.Fatalf("decrypted %q", got)
	}
	decrypt["mimeType"] = "video/mp4" // other keys: the MAC fails
	call("whatsapp/file-decrypt", alice, decrypt, 400, 2002)
	decrypt["mimeType"], decrypt["mediaKey"] = "image/jpeg", "!!"
	call("whatsapp/file-decrypt", alice, decrypt, 400, 2002)
	call("whatsapp/file-decrypt", alice, map[string]any{"mediaKey": hex.EncodeToString(key)}, 400, 2001)
	decrypt["mediaKey"], decrypt["file"] = hex.EncodeToString(key), "http://127.0.0.1:1/secret.enc"
	call("whatsapp/file-decrypt", alice, decrypt, 400, 2002) // the guarded fetcher refuses loopback

	// A poll alice sent, and Budi's vote on it.
	r := a.do(t, http.MethodPost, "/api/v1/messages/send/poll", alice, map[string]any{"sessionId": "m1", "to": budi.Phone,
		"question": "Colour?", "options": []string{"Red", "Green", "Blue"}, "maxSelection": 2})
	expect(t, r, 200, 1000)
	var sent struct {
		MessageID string `json:"messageId"`
	}
	r.result(t, 0, &sent)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	me, voter := "6281200000009@s.whatsapp.net", budi.JID.String()
	payload, iv := encryptVote(t, secret, sent.MessageID, me, voter, "Green", "Blue")
	vote := map[string]any{"sessionId": "m1", "pollEncKey": base64.StdEncoding.EncodeToString(secret), "pollUpdateVote": map[string]any{
		"pollCreationMessageKey": map[string]any{"id": sent.MessageID, "remoteJid": voter, "participant": me, "fromMe": true},
		"key":                    map[string]any{"remoteJid": voter},
		"vote":                   map[string]any{"encPayload": base64.StdEncoding.EncodeToString(payload), "encIv": base64.StdEncoding.EncodeToString(iv)},
		"senderTimestampMs":      1714552200123}}
	var decoded struct {
		VoterJID    string   `json:"voterJid"`
		Indexes     []int    `json:"votedOptionIndexes"`
		Names       []string `json:"votedOptionNames"`
		Title       string   `json:"pollTitle"`
		Selectable  int      `json:"selectableOptionsCount"`
		TimestampMs int64    `json:"timestampMs"`
	}
	call("whatsapp/poll-update-vote", alice, vote, 200, 1000).result(t, 0, &decoded)
	if decoded.VoterJID != voter || len(decoded.Names) != 2 || decoded.Names[0] != "Green" || decoded.Names[1] != "Blue" ||
		decoded.Indexes[0] != 1 || decoded.Title != "Colour?" || decoded.Selectable != 2 || decoded.TimestampMs != 1714552200123 {
		t.Fatalf("vote %+v", decoded)
	}
	call("whatsapp/poll-update-vote", bob, vote, 403, 2201) // not bob's session
	vote["voterJid"] = "6282222222222@s.whatsapp.net"       // bound to another voter: does not open
	call("whatsapp/poll-update-vote", alice, vote, 400, 2002)
	delete(vote, "pollEncKey") // the sandbox keeps no poll secrets
	call("whatsapp/poll-update-vote", alice, vote, 400, 2001)

	// Numbers and addresses.
	type phoneView struct {
		Data struct {
			Exists  bool    `json:"exists"`
			Checked bool    `json:"checked"`
			E164    string  `json:"e164"`
			JID     string  `json:"jid"`
			LID     *string `json:"lid"`
			Country string  `json:"country"`
		} `json:"data"`
	}
	var ph phoneView
	call("whatsapp/validate/phone", alice, map[string]any{"sessionId": "m1", "phone": "0811-1111-1111", "country": "ID"}, 200, 1000).result(t, 0, &ph)
	if d := ph.Data; !d.Exists || !d.Checked || d.E164 != "+6281111111111" || d.JID != budi.JID.String() || d.LID == nil ||
		*d.LID != budi.LID.String() || d.Country != "ID" {
		t.Fatalf("phone %+v", d)
	}
	call("whatsapp/validate/phone", alice, map[string]any{"sessionId": "m1", "phone": "+62 899-9999-9999"}, 200, 1000).result(t, 0, &ph)
	if ph.Data.Exists || !ph.Data.Checked {
		t.Fatalf("unregistered phone %+v", ph.Data)
	}
	call("whatsapp/validate/phone", alice, map[string]any{"phone": "14155552671"}, 200, 1000).result(t, 0, &ph)
	if ph.Data.Checked || ph.Data.Country != "US" {
		t.Fatalf("phone without session %+v", ph.Data)
	}
	call("whatsapp/validate/phone", alice, map[string]any{"phone": "12"}, 400, 2002)
	call("whatsapp/validate/phone", bob, map[string]any{"sessionId": "m1", "phone": "6281111111111"}, 403, 2201)

	var jv struct {
		Data struct {
			Exists  bool   `json:"exists"`
			IsValid bool   `json:"isValid"`
			Type    string `json:"type"`
		} `json:"data"`
	}
	for in, want := range map[string]string{"120363111111111111@g.us": "group", budi.LID.String(): "lid", "nonsense@": "unknown"} {
		call("whatsapp/validate/jid", alice, map[string]any{"jid": in}, 200, 1000).result(t, 0, &jv)
		if jv.Data.Type != want || jv.Data.IsValid != (want != "unknown") {
			t.Fatalf("jid %s: %+v", in, jv.Data)
		}
	}
	call("whatsapp/validate/jid", alice, map[string]any{"sessionId": "m1", "jid": budi.JID.String()}, 200, 1000).result(t, 0, &jv)
	if !jv.Data.Exists || jv.Data.Type != "user" {
		t.Fatalf("jid on WhatsApp %+v", jv.Data)
	}
	call("whatsapp/validate/jid", alice, map[string]any{"sessionId": "m1", "jid": "6289999999999@s.whatsapp.net"}, 200, 1000).result(t, 0, &jv)
	if jv.Data.Exists || !jv.Data.IsValid {
		t.Fatalf("jid not on WhatsApp %+v", jv.Data)
	}
	call("whatsapp/validate/jid", bob, map[string]any{"sessionId": "m1", "jid": budi.JID.String()}, 403, 2201)

	var rv struct {
		Data struct {
			IsValid bool    `json:"isValid"`
			Type    string  `json:"type"`
			JID     *string `json:"jid"`
			LID     *string `json:"lid"`
			Country *string `json:"country"`
		} `json:"data"`
	}
	call("whatsapp/resolve/jid-or-lid", alice, map[string]any{"sessionId": "m1", "input": "lid:" + budi.LID.User}, 200, 1000).result(t, 0, &rv)
	if d := rv.Data; !d.IsValid || d.Type != "lid" || d.JID == nil || *d.JID != budi.JID.String() || *d.Country != "ID" {
		t.Fatalf("resolve LID %+v", d)
	}
	call("whatsapp/resolve/jid-or-lid", alice, map[string]any{"input": "6281111111111"}, 200, 1000).result(t, 0, &rv)
	if d := rv.Data; d.Type != "jid" || d.LID != nil || *d.JID != budi.JID.String() {
		t.Fatalf("resolve digits without session %+v", d)
	}
	call("whatsapp/resolve/jid-or-lid", bob, map[string]any{"sessionId": "m1", "input": "6281111111111"}, 403, 2201)
	call("whatsapp/resolve/jid-or-lid", alice, map[string]any{"sessionId": "nope", "input": "6281111111111"}, 404, 1101)

	// Identifiers, digests and base64.
	var ids struct {
		Data []string `json:"data"`
	}
	call("uuid/generate", alice, map[string]any{"count": 2}, 200, 1000).result(t, 0, &ids)
	if len(ids.Data) != 2 || ids.Data[0] == ids.Data[1] || len(ids.Data[0]) != 36 {
		t.Fatalf("uuids %v", ids.Data)
	}
	call("uuid/generate", alice, map[string]any{"version": "v5", "namespace": "dns", "name": "warest.app"}, 200, 1000).result(t, 0, &ids)
	first := ids.Data[0]
	call("uuid/generate", alice, map[string]any{"version": "v5", "name": "warest.app", "format": "xxxx-xxxx"}, 200, 1000).result(t, 0, &ids)
	if ids.Data[0] != first[:4]+"-"+first[4:8] {
		t.Fatalf("v5 is not deterministic or the mask is wrong: %s vs %s", ids.Data[0], first)
	}
	call("uuid/generate", alice, map[string]any{"type": "ulid"}, 200, 1000).result(t, 0, &ids)
	call("uuid/generate", alice, map[string]any{"version": "v3"}, 400, 2001)
	var idv struct {
		Data struct {
			IsValid bool   `json:"isValid"`
			Type    string `json:"type"`
			Version string `json:"version"`
		} `json:"data"`
	}
	call("uuid/validate", alice, map[string]any{"value": first}, 200, 1000).result(t, 0, &idv)
	if !idv.Data.IsValid || idv.Data.Version != "v5" {
		t.Fatalf("validate v5 %+v", idv.Data)
	}
	call("uuid/validate", alice, map[string]any{"value": ids.Data[0]}, 200, 1000).result(t, 0, &idv)
	if !idv.Data.IsValid || idv.Data.Type != "ulid" {
		t.Fatalf("validate ulid %+v", idv.Data)
	}
	call("uuid/validate", alice, map[string]any{"type": "uuid", "value": "f47ac10b-58cc"}, 200, 1000).result(t, 0, &idv)
	if idv.Data.IsValid {
		t.Fatal("a short UUID passed")
	}

	var s struct {
		Data string `json:"data"`
	}
	call("crypto/hash", alice, map[string]any{"input": "text"}, 200, 1000).result(t, 0, &s)
	if s.Data != "982d9e3eb996f559e633f4d194def3761d909f5a3b647d1a851fead67c32c9d1" {
		t.Fatalf("sha256 %s", s.Data)
	}
	call("crypto/hash", alice, map[string]any{"algo": "md5", "input": "text", "output": "base64"}, 200, 1000).result(t, 0, &s)
	if s.Data != "HLJR7A1WjeapKbUgxK7Y0Q==" {
		t.Fatalf("md5 %s", s.Data)
	}
	call("crypto/hash", alice, map[string]any{"algo": "crc32", "input": "text"}, 400, 2002)
	// RFC 4231 test case 2.
	call("crypto/hmac", alice, map[string]any{"key": "Jefe", "input": "what do ya want for nothing?"}, 200, 1000).result(t, 0, &s)
	if s.Data != "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" {
		t.Fatalf("hmac %s", s.Data)
	}
	call("crypto/hmac", alice, map[string]any{"input": "x"}, 400, 2001)
	call("base64", alice, map[string]any{"action": "encode", "input": "Hello"}, 200, 1000).result(t, 0, &s)
	if s.Data != "SGVsbG8=" {
		t.Fatalf("encode %s", s.Data)
	}
	call("base64", alice, map[string]any{"action": "decode", "input": "SGVsbG8"}, 200, 1000).result(t, 0, &s)
	if s.Data != "Hello" {
		t.Fatalf("decode %s", s.Data)
	}
	call("base64", alice, map[string]any{"action": "decode", "input": "/9j/4A=="}, 400, 2002) // not text
	call("base64", alice, map[string]any{"action": "decode", "input": "/9j/4A==", "output": "file"}, 200, 1000).result(t, 0, &f)
	if f.Meta.Mode != "file" || f.Meta.Size != 4 {
		t.Fatalf("decoded to a file %+v", f)
	}
}

// The thumbnail and image routes run ffmpeg.
func TestMiscMediaScenario(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("WAREST_REQUIRE_FFMPEG") == "1" {
			t.Fatal("ffmpeg is required (WAREST_REQUIRE_FFMPEG=1)")
		}
		t.Skip("!!! ffmpeg not installed: misc media tests NOT RUN")
	}
	t.Parallel()
	router := loadReference(t)
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	call := func(path string, body map[string]any, status, code int) response {
		t.Helper()
		r := a.do(t, http.MethodPost, "/api/v1/misc/"+path, alice, body)
		expect(t, r, status, code)
		validate(t, router, r)
		return r
	}
	img := pngDataURI(t, 640, 480)
	type thumbs struct {
		Data []struct {
			Thumbnail string `json:"thumbnail"`
			Meta      struct {
				Width  int `json:"width"`
				Height int `json:"height"`
			} `json:"meta"`
		} `json:"data"`
	}
	var th thumbs
	call("media/thumbnail", map[string]any{"file": img, "type": "image"}, 200, 1000).result(t, 0, &th)
	if len(th.Data) != 1 || th.Data[0].Meta.Width != 320 || th.Data[0].Meta.Height != 240 ||
		!strings.HasPrefix(th.Data[0].Thumbnail, "data:image/jpeg;base64,") {
		t.Fatalf("image thumbnail %+v", th.Data)
	}
	out := filepath.Join(t.TempDir(), "v.mp4")
	if b, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2",
		"-pix_fmt", "yuv420p", out).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	video, _ := os.ReadFile(out)
	call("media/thumbnail", map[string]any{"file": base64.StdEncoding.EncodeToString(video), "type": "video", "width": 160, "height": 160, "count": 2},
		200, 1000).result(t, 0, &th)
	if len(th.Data) != 2 || th.Data[1].Meta.Width != 160 {
		t.Fatalf("video thumbnails %+v", th.Data)
	}
	call("media/thumbnail", map[string]any{"file": img, "type": "image", "output": "file"}, 200, 1000).result(t, 0, &th)
	key := th.Data[0].Thumbnail
	rc, info, err := a.blobs.Open(t.Context(), key)
	if err != nil || !strings.HasPrefix(key, ports.TempBlobPrefix) || !strings.HasSuffix(key, ".jpg") || info.MIME != "image/jpeg" {
		t.Fatalf("stored thumbnail %s: %+v %v", key, info, err)
	}
	_ = rc.Close()
	call("media/thumbnail", map[string]any{"file": img, "type": "image", "output": "url"}, 200, 1000).result(t, 0, &th)
	if got := a.do(t, http.MethodGet, th.Data[0].Thumbnail, "", nil); got.code != http.StatusOK || !bytes.HasPrefix(got.body, []byte("\xff\xd8")) {
		t.Fatalf("GET the thumbnail's link %s: %d", th.Data[0].Thumbnail, got.code)
	}
	call("media/thumbnail", map[string]any{"file": img, "type": "video"}, 400, 2002)
	call("media/thumbnail", map[string]any{"file": img, "type": "audio"}, 400, 2002)

	var im struct {
		Data    string `json:"data"`
		Details struct {
			Format        string `json:"format"`
			Width, Height int
		} `json:"details"`
		Actions []string `json:"actionsPerformed"`
	}
	call("media/image", map[string]any{"file": img, "actions": map[string]any{"convert": "webp", "resize": map[string]any{"width": 100, "height": 100},
		"compress": map[string]any{"quality": 50}}}, 200, 1000).result(t, 0, &im)
	if webp := dataOf(t, im.Data, "image/webp"); !bytes.HasPrefix(webp, []byte("RIFF")) || im.Details.Width != 100 || im.Details.Height != 100 ||
		strings.Join(im.Actions, ",") != "converted,resized,compressed" {
		t.Fatalf("image %+v", im.Details)
	}
	call("media/image", map[string]any{"file": img, "actions": map[string]any{"resize": map[string]any{"width": 64}}}, 200, 1000).result(t, 0, &im)
	if im.Details.Format != "png" || im.Details.Width != 64 || im.Details.Height != 48 || strings.Join(im.Actions, ",") != "resized" {
		t.Fatalf("resized only %+v %v", im.Details, im.Actions)
	}
	call("media/image", map[string]any{"file": "aGVsbG8gd29ybGQ="}, 400, 2002)
}
