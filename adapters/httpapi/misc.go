package httpapi

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
)

// invalidField refuses a field that does not parse.
func invalidField(name string) error {
	return fault.Invalid(fault.ReasonInvalidParameter, "%s is not valid", name)
}

// The WAREST Misc operations (/api/v1/misc/*): utilities that need no session,
// except the poll vote (the session's own poll) and the checks that ask WhatsApp.
func (h *handlers) registerMisc() {
	const tag = "Misc"
	op := func(id, path, summary string) route {
		return route{id: id, method: http.MethodPost, path: "/api/v1/misc/" + path, tag: tag, access: accessUser, summary: summary}
	}
	files := func(r route) route {
		r.errors = append(r.errors, http.StatusRequestEntityTooLarge, http.StatusBadGateway, http.StatusServiceUnavailable)
		r.maxBody = miscBodyLimit
		return r
	}
	sessions := func(r route) route {
		r.errors = append(r.errors, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusBadGateway)
		return r
	}
	qr := op("postMiscConvertStringTarget", "convert-string-toqr/{target}",
		"Draw a string as a QR code: base64 answers a PNG data URI; svg, png, jpg, jpeg and webp a temporary stored file (or a data URI with output=base64)")
	qr.errors = []int{http.StatusServiceUnavailable}
	register(h, qr, h.miscQR)
	register(h, files(op("postMiscWhatsappFileDecrypt", "whatsapp/file-decrypt",
		"Decrypt WhatsApp media (.enc) with its mediaKey: HKDF keys of the media type, HMAC check, AES-256-CBC, optional sha256 check")), h.miscDecrypt)
	register(h, sessions(op("postMiscWhatsappPollUpdateVote", "whatsapp/poll-update-vote",
		"Decrypt a poll vote of the session's poll; option names when the poll is in the session's history")), h.miscPollVote)
	register(h, sessions(op("postMiscWhatsappValidatePhone", "whatsapp/validate/phone",
		"Read a phone number (country: ISO or dial code); with sessionId, whether it is on WhatsApp and its JID and LID")), h.miscPhone)
	register(h, sessions(op("postMiscWhatsappValidateJid", "whatsapp/validate/jid",
		"Check a JID's form and type; with sessionId, whether a phone JID is on WhatsApp")), h.miscJID)
	register(h, sessions(op("postMiscWhatsappResolveJidOrLid", "whatsapp/resolve/jid-or-lid",
		"Resolve a phone JID, a LID or digits; with sessionId, the other half as the account knows it")), h.miscResolve)
	register(h, files(op("postMiscMediaThumbnail", "media/thumbnail",
		"JPEG thumbnails of an image, or of a video (count stills, default 3), fitted within width×height (default 320)")), h.miscThumbnail)
	register(h, files(op("postMiscMediaImage", "media/image",
		"Convert (png, jpg, webp, tiff, avif), resize (width, height, fit) and compress (quality) an image")), h.miscImage)
	register(h, op("postMiscUuidGenerate", "uuid/generate", "Generate UUIDs (v1, v3, v4, v5, nil) or ULIDs, up to 1000"), h.miscUUIDs)
	register(h, op("postMiscUuidValidate", "uuid/validate", "Check a UUID (and its version) or a ULID"), h.miscValidateUUID)
	register(h, op("postMiscCryptoHash", "crypto/hash", "Digest a string: md5, sha1, sha224, sha256, sha384 or sha512, as hex or base64"), h.miscHash)
	register(h, op("postMiscCryptoHmac", "crypto/hmac", "HMAC of a string with a key"), h.miscHMAC)
	b64 := op("postMiscBase64", "base64", "Encode a string as base64, or decode base64 to text, base64 or a stored file")
	b64.errors = []int{http.StatusServiceUnavailable}
	register(h, b64, h.miscBase64)
}

// miscBodyLimit: a 50 MB file as base64, with room for the other fields.
const miscBodyLimit = command.MaxMiscFileBytes*4/3 + 1<<20

// miscFile is WAREST's {data, meta} result of a produced file or string.
type miscFile struct {
	Data string    `json:"data" doc:"a data URI, a signed link to the stored file (output url), its key (output file), or the text"`
	Meta *miscMeta `json:"meta,omitempty"`
}

type miscMeta struct {
	Mode      string `json:"mode" enum:"dataurl,base64,url,file"`
	MIMEType  string `json:"mimeType,omitempty"`
	Format    string `json:"format,omitempty"`
	Size      int64  `json:"size"`
	Key       string `json:"key,omitempty" doc:"the blob key of a stored file"`
	URL       string `json:"url,omitempty" doc:"output url: a signed link to the stored file, valid until expiresAt"`
	Temporary bool   `json:"temporary,omitempty"`
	ExpiresAt string `json:"expiresAt,omitempty" format:"date-time"`
}

// toMiscFile shapes a result; inline names the data URI mode as the reference's
// examples do for the route ("dataurl" for QR codes, "base64" elsewhere).
func toMiscFile(o command.MiscOutput, inline string) miscFile {
	m := &miscMeta{Mode: o.Mode, MIMEType: o.MIME, Size: o.Size}
	f := miscFile{Data: o.DataURI, Meta: m}
	switch o.Mode {
	case command.OutputBase64:
		m.Mode = inline
		m.Format = strings.TrimPrefix(strings.TrimSuffix(o.MIME, "+xml"), "image/")
	case command.OutputURL, command.OutputFile:
		f.Data, m.Key, m.URL, m.Temporary, m.ExpiresAt = firstOf(o.URL, o.Key), o.Key, o.URL, true, o.ExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	return f
}

type miscQRInput struct {
	Target string `path:"target" doc:"base64, svg, png, jpg, jpeg or webp"`
	Body   struct {
		String   string `json:"string,omitempty" maxLength:"4096" doc:"the text to encode"`
		Encoding string `json:"encoding,omitempty" doc:"how string is written: utf8 (default), base64 or hex"`
		Output   string `json:"output,omitempty" doc:"base64 for a data URI of an image target; default url (a signed link to a temporary stored file); file (its key)"`
	}
}

func (h *handlers) miscQR(ctx context.Context, in *miscQRInput) (*Response[miscFile], error) {
	o, err := h.cmd.MiscCodes.QR(ctx, in.Body.String, in.Body.Encoding, in.Target, in.Body.Output)
	if err != nil {
		return nil, err
	}
	return success("String converted to QR code ("+strings.ToLower(in.Target)+")", toMiscFile(o, "dataurl")), nil
}

type miscDecryptInput struct {
	Body struct {
		MediaKey   string `json:"mediaKey,omitempty" doc:"32 bytes as base64 or hex"`
		File       string `json:"file,omitempty" doc:"the encrypted file: base64, a data URI or an http(s) URL (fetched with the SSRF guard)"`
		MIMEType   string `json:"mimeType,omitempty" doc:"picks the key kind: image/*, video/*, audio/*, else document"`
		FileSHA256 string `json:"fileSha256,omitempty" doc:"the plaintext's SHA-256 as base64 or hex; checked when given"`
		Output     string `json:"output,omitempty" enum:"base64,url,file"`
	}
}

func (h *handlers) miscDecrypt(ctx context.Context, in *miscDecryptInput) (*Response[miscFile], error) {
	src, err := sourceOf(in.Body.File)
	if err != nil {
		return nil, err
	}
	o, err := h.cmd.MiscCrypto.DecryptFile(ctx, command.DecryptFileInput{MediaKey: in.Body.MediaKey, File: src, MIME: in.Body.MIMEType,
		FileSHA256: in.Body.FileSHA256, Output: in.Body.Output})
	if err != nil {
		return nil, err
	}
	return success("File decrypted", toMiscFile(o, "base64")), nil
}

// baileysKey is a Baileys message key.
type baileysKey struct {
	_           struct{} `additionalProperties:"true"`
	ID          string   `json:"id,omitempty"`
	RemoteJID   string   `json:"remoteJid,omitempty"`
	Participant string   `json:"participant,omitempty"`
	FromMe      bool     `json:"fromMe,omitempty"`
}

type miscPollInput struct {
	Body struct {
		SessionID      string `json:"sessionId,omitempty"`
		PollEncKey     string `json:"pollEncKey,omitempty" doc:"the poll's messageSecret (32 bytes, base64 or hex); default: the session device's copy"`
		PollMsgID      string `json:"pollMsgId,omitempty"`
		PollCreatorJID string `json:"pollCreatorJid,omitempty"`
		VoterJID       string `json:"voterJid,omitempty"`
		PollUpdateVote struct {
			_                      struct{}    `additionalProperties:"true"`
			PollCreationMessageKey *baileysKey `json:"pollCreationMessageKey,omitempty"`
			Key                    *baileysKey `json:"key,omitempty" doc:"the vote message's key: who voted"`
			Vote                   *struct {
				EncPayload string `json:"encPayload,omitempty"`
				EncIV      string `json:"encIv,omitempty"`
			} `json:"vote,omitempty"`
			SenderTimestampMs int64 `json:"senderTimestampMs,omitempty"`
		} `json:"pollUpdateVote"`
	}
}

type miscPollResult struct {
	MessageKey             baileysKey   `json:"messageKey"`
	PollCreatorJID         *string      `json:"pollCreatorJid"`
	VoterJID               *string      `json:"voterJid"`
	VotedOptionIndexes     []int        `json:"votedOptionIndexes"`
	VotedOptionNames       []string     `json:"votedOptionNames"`
	VotedOptionHashes      []string     `json:"votedOptionHashes" doc:"the SHA-256 (hex) of each selected option's text (ours)"`
	PollTitle              *string      `json:"pollTitle"`
	SelectableOptionsCount *int         `json:"selectableOptionsCount"`
	PollOptions            []pollOption `json:"pollOptions"`
	TimestampMs            *int64       `json:"timestampMs"`
}

type pollOption struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
}

func (h *handlers) miscPollVote(ctx context.Context, in *miscPollInput) (*Response[miscPollResult], error) {
	b, node := in.Body, in.Body.PollUpdateVote
	var poll, voter baileysKey
	if node.PollCreationMessageKey != nil {
		poll = *node.PollCreationMessageKey
	}
	if node.Key != nil {
		voter = *node.Key
	}
	var payload, iv []byte
	if node.Vote != nil {
		var err error
		if payload, err = decodeBase64(node.Vote.EncPayload); err != nil {
			return nil, invalidField("pollUpdateVote.vote.encPayload")
		}
		if iv, err = decodeBase64(node.Vote.EncIV); err != nil {
			return nil, invalidField("pollUpdateVote.vote.encIv")
		}
	}
	var secret []byte
	if b.PollEncKey != "" {
		var err error
		if secret, err = decodeBase64(b.PollEncKey); err != nil {
			return nil, invalidField("pollEncKey")
		}
	}
	// In a group the poll's creator is its key's participant; in a chat, the chat.
	// Likewise the voter.
	r, err := h.cmd.MiscCrypto.PollVote(ctx, principal(ctx), command.PollVoteInput{SessionID: b.SessionID, Secret: secret,
		PollID: firstOf(b.PollMsgID, poll.ID), Chat: firstOf(poll.RemoteJID, voter.RemoteJID),
		CreatorJID: firstOf(b.PollCreatorJID, poll.Participant, poll.RemoteJID),
		VoterJID:   firstOf(b.VoterJID, voter.Participant, voter.RemoteJID), Payload: payload, IV: iv})
	if err != nil {
		return nil, err
	}
	out := miscPollResult{MessageKey: poll, PollCreatorJID: nullable(r.CreatorJID), VoterJID: nullable(r.VoterJID),
		VotedOptionIndexes: r.Indexes, VotedOptionNames: r.Names, PollOptions: []pollOption{}}
	out.MessageKey.ID = firstOf(b.PollMsgID, poll.ID)
	out.VotedOptionHashes = make([]string, 0, len(r.Hashes))
	for _, sum := range r.Hashes {
		out.VotedOptionHashes = append(out.VotedOptionHashes, hex.EncodeToString(sum))
	}
	if r.Poll != nil {
		out.PollTitle, out.SelectableOptionsCount = nullable(r.Poll.Question), &r.Poll.SelectableCount
		for i, o := range r.Poll.Options {
			out.PollOptions = append(out.PollOptions, pollOption{Index: i, Name: o})
		}
	}
	if node.SenderTimestampMs > 0 {
		out.TimestampMs = &node.SenderTimestampMs
	}
	return success("Poll vote decrypted", out), nil
}

type miscPhoneInput struct {
	Body struct {
		SessionID string `json:"sessionId,omitempty" doc:"ask WhatsApp whether the number is there, with this session"`
		Phone     string `json:"phone,omitempty"`
		Country   string `json:"country,omitempty" doc:"for a national number: an ISO code (ID) or a dial code (62)"`
	}
}

type miscPhoneResult struct {
	Exists  bool    `json:"exists" doc:"on WhatsApp; false when not checked"`
	Checked bool    `json:"checked" doc:"whether WhatsApp was asked (a sessionId was given) (ours)"`
	E164    string  `json:"e164"`
	JID     string  `json:"jid"`
	LID     *string `json:"lid"`
	Country string  `json:"country"`
}

type miscData[T any] struct {
	Data T `json:"data"`
}

func (h *handlers) miscPhone(ctx context.Context, in *miscPhoneInput) (*Response[miscData[miscPhoneResult]], error) {
	a, err := h.cmd.MiscAddresses.ValidatePhone(ctx, principal(ctx), in.Body.SessionID, in.Body.Phone, in.Body.Country)
	if err != nil {
		return nil, err
	}
	return success("Phone validation complete", miscData[miscPhoneResult]{miscPhoneResult{Exists: a.Exists, Checked: a.Checked,
		E164: "+" + a.Digits, JID: a.Party.JID.String(), LID: nullable(jidText(a.Party.LID)), Country: a.Country}}), nil
}

func jidText(j chat.JID) string {
	if j.IsZero() {
		return ""
	}
	return j.String()
}

type miscJIDInput struct {
	Body struct {
		SessionID string `json:"sessionId,omitempty"`
		JID       string `json:"jid,omitempty"`
	}
}

type miscJIDResult struct {
	Exists  bool    `json:"exists" doc:"valid, and for a phone JID on WhatsApp (with a sessionId)"`
	IsValid bool    `json:"isValid"`
	Type    string  `json:"type" enum:"user,lid,group,newsletter,broadcast,unknown"`
	JID     *string `json:"jid" doc:"the normalised JID"`
}

func (h *handlers) miscJID(ctx context.Context, in *miscJIDInput) (*Response[miscData[miscJIDResult]], error) {
	a, err := h.cmd.MiscAddresses.ValidateJID(ctx, principal(ctx), in.Body.SessionID, in.Body.JID)
	if err != nil {
		return nil, err
	}
	return success("JID validation complete", miscData[miscJIDResult]{miscJIDResult{Exists: a.Exists, IsValid: a.Valid,
		Type: a.Kind.String(), JID: nullable(jidText(a.Party.Best()))}}), nil
}

type miscResolveInput struct {
	Body struct {
		SessionID string `json:"sessionId,omitempty"`
		Input     string `json:"input,omitempty" doc:"a phone JID, a LID (…@lid or lid:…) or digits"`
	}
}

type miscResolveResult struct {
	IsValid bool    `json:"isValid"`
	Type    string  `json:"type" enum:"jid,lid,unknown"`
	LID     *string `json:"lid"`
	JID     *string `json:"jid"`
	Country *string `json:"country"`
}

func (h *handlers) miscResolve(ctx context.Context, in *miscResolveInput) (*Response[miscData[miscResolveResult]], error) {
	a, err := h.cmd.MiscAddresses.Resolve(ctx, principal(ctx), in.Body.SessionID, in.Body.Input)
	if err != nil {
		return nil, err
	}
	typ := map[chat.Kind]string{chat.KindUser: "jid", chat.KindLID: "lid"}[a.Kind]
	if !a.Valid {
		typ = "unknown"
	}
	return success("Identifier resolved", miscData[miscResolveResult]{miscResolveResult{IsValid: a.Valid, Type: typ,
		LID: nullable(jidText(a.Party.LID)), JID: nullable(jidText(a.Party.JID)), Country: nullable(a.Country)}}), nil
}

type miscThumbInput struct {
	Body struct {
		File   string `json:"file,omitempty" doc:"base64, a data URI or an http(s) URL (fetched with the SSRF guard)"`
		Type   string `json:"type,omitempty" enum:"image,video"`
		Width  int    `json:"width,omitempty" minimum:"1" maximum:"4096" doc:"default 320"`
		Height int    `json:"height,omitempty" minimum:"1" maximum:"4096" doc:"default 320"`
		Count  int    `json:"count,omitempty" minimum:"1" maximum:"10" doc:"stills of a video, default 3"`
		Output string `json:"output,omitempty" enum:"base64,url,file"`
	}
}

type miscThumb struct {
	Thumbnail string `json:"thumbnail" doc:"a data URI, a signed link to the stored file (output url), or its key (output file)"`
	Meta      struct {
		MIMEType string `json:"mimetype"`
		Width    int    `json:"width"`
		Height   int    `json:"height"`
		Key      string `json:"key,omitempty"`
	} `json:"meta"`
}

func (h *handlers) miscThumbnail(ctx context.Context, in *miscThumbInput) (*Response[miscData[[]miscThumb]], error) {
	if in.Body.Type != "image" && in.Body.Type != "video" {
		return nil, invalidField("type (image or video)")
	}
	src, err := sourceOf(in.Body.File)
	if err != nil {
		return nil, err
	}
	stills, err := h.cmd.MiscMedia.Thumbnails(ctx, command.ThumbnailInput{File: src, Video: in.Body.Type == "video", Width: in.Body.Width,
		Height: in.Body.Height, Count: in.Body.Count, Output: in.Body.Output})
	if err != nil {
		return nil, err
	}
	out := make([]miscThumb, 0, len(stills))
	for _, s := range stills {
		var t miscThumb
		t.Thumbnail = firstOf(s.DataURI, s.URL, s.Key)
		t.Meta.MIMEType, t.Meta.Width, t.Meta.Height, t.Meta.Key = s.MIME, s.Width, s.Height, s.Key
		out = append(out, t)
	}
	return success("Thumbnails generated", miscData[[]miscThumb]{out}), nil
}

type miscImageInput struct {
	Body struct {
		File    string `json:"file,omitempty" doc:"base64, a data URI or an http(s) URL (fetched with the SSRF guard)"`
		Actions struct {
			Convert string `json:"convert,omitempty" enum:"png,jpg,jpeg,webp,tiff,avif"`
			Resize  *struct {
				Width  int    `json:"width,omitempty" minimum:"1" maximum:"4096"`
				Height int    `json:"height,omitempty" minimum:"1" maximum:"4096"`
				Fit    string `json:"fit,omitempty" enum:"cover,contain,fill,inside,outside"`
			} `json:"resize,omitempty"`
			Compress *struct {
				Quality int `json:"quality,omitempty" minimum:"1" maximum:"100"`
			} `json:"compress,omitempty"`
		} `json:"actions,omitempty"`
		Output string `json:"output,omitempty" enum:"base64,url,file"`
	}
}

type miscImageResult struct {
	Data    string `json:"data"`
	Details struct {
		Format string `json:"format"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Size   int64  `json:"size"`
	} `json:"details"`
	ActionsPerformed []string  `json:"actionsPerformed" doc:"converted, resized, compressed"`
	CreatedAt        string    `json:"createdAt" format:"date-time"`
	Meta             *miscMeta `json:"meta"`
}

func (h *handlers) miscImage(ctx context.Context, in *miscImageInput) (*Response[miscImageResult], error) {
	src, err := sourceOf(in.Body.File)
	if err != nil {
		return nil, err
	}
	a := in.Body.Actions
	edit := command.ImageInput{File: src, Convert: a.Convert, Output: in.Body.Output}
	if a.Resize != nil {
		edit.Width, edit.Height, edit.Fit = a.Resize.Width, a.Resize.Height, a.Resize.Fit
	}
	if a.Compress != nil {
		edit.Compress, edit.Quality = true, a.Compress.Quality
	}
	r, err := h.cmd.MiscMedia.EditImage(ctx, edit)
	if err != nil {
		return nil, err
	}
	f := toMiscFile(r.MiscOutput, "base64")
	out := miscImageResult{Data: f.Data, ActionsPerformed: r.Actions, CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339Nano), Meta: f.Meta}
	out.Details.Format, out.Details.Width, out.Details.Height, out.Details.Size = r.Format, r.Width, r.Height, r.Size
	return success("Image processed", out), nil
}

type miscUUIDInput struct {
	Body *struct {
		Type      string `json:"type,omitempty" enum:"uuid,ulid"`
		Version   string `json:"version,omitempty" enum:"v1,v3,v4,v5,nil"`
		Namespace string `json:"namespace,omitempty" doc:"v3/v5: dns (default), url, oid, x500 or a UUID"`
		Name      string `json:"name,omitempty" doc:"v3/v5"`
		Format    string `json:"format,omitempty" maxLength:"256" doc:"a mask whose x's take the identifier's characters in turn, e.g. xxxx-xxxx"`
		Count     int    `json:"count,omitempty" minimum:"1" maximum:"1000"`
	}
}

func (h *handlers) miscUUIDs(_ context.Context, in *miscUUIDInput) (*Response[miscData[[]string]], error) {
	var req command.UUIDInput
	if b := in.Body; b != nil {
		req = command.UUIDInput{Type: b.Type, Version: b.Version, Namespace: b.Namespace, Name: b.Name, Format: b.Format, Count: b.Count}
	}
	ids, err := h.cmd.MiscIDs.UUIDs(req)
	if err != nil {
		return nil, err
	}
	return success("Identifiers generated", miscData[[]string]{ids}), nil
}

type miscUUIDCheckInput struct {
	Body struct {
		Type  string `json:"type,omitempty" enum:"uuid,ulid"`
		Value string `json:"value,omitempty" maxLength:"256"`
	}
}

type miscUUIDCheck struct {
	IsValid bool    `json:"isValid"`
	Type    string  `json:"type"`
	Version *string `json:"version,omitempty"`
}

func (h *handlers) miscValidateUUID(_ context.Context, in *miscUUIDCheckInput) (*Response[miscData[miscUUIDCheck]], error) {
	c, err := h.cmd.MiscIDs.ValidateID(in.Body.Type, in.Body.Value)
	if err != nil {
		return nil, err
	}
	return success("Validation complete", miscData[miscUUIDCheck]{miscUUIDCheck{IsValid: c.Valid, Type: c.Type, Version: nullable(c.Version)}}), nil
}

type miscHashInput struct {
	Body struct {
		Algo   string `json:"algo,omitempty" doc:"md5, sha1, sha224, sha256 (default), sha384 or sha512"`
		Key    string `json:"key,omitempty" doc:"HMAC only"`
		Input  string `json:"input"`
		Output string `json:"output,omitempty" enum:"hex,base64"`
	}
}

type miscString struct {
	Data string `json:"data"`
}

func (h *handlers) miscHash(_ context.Context, in *miscHashInput) (*Response[miscString], error) {
	d, err := h.cmd.MiscIDs.Hash(in.Body.Algo, in.Body.Input, in.Body.Output)
	if err != nil {
		return nil, err
	}
	return success("Hash generated", miscString{d}), nil
}

func (h *handlers) miscHMAC(_ context.Context, in *miscHashInput) (*Response[miscString], error) {
	d, err := h.cmd.MiscIDs.HMAC(in.Body.Algo, in.Body.Key, in.Body.Input, in.Body.Output)
	if err != nil {
		return nil, err
	}
	return success("HMAC generated", miscString{d}), nil
}

type miscBase64Input struct {
	Body struct {
		Action string `json:"action,omitempty" enum:"encode,decode"`
		Input  string `json:"input"`
		Output string `json:"output,omitempty" enum:"string,base64,url,file"`
	}
}

func (h *handlers) miscBase64(ctx context.Context, in *miscBase64Input) (*Response[miscFile], error) {
	o, err := h.cmd.MiscCodes.Base64(ctx, in.Body.Action, in.Body.Input, in.Body.Output)
	if err != nil {
		return nil, err
	}
	msg := "Decoded from base64"
	if in.Body.Action != "decode" {
		msg = "Encoded to base64"
	}
	if o.Mode == "string" {
		return success(msg, miscFile{Data: o.DataURI}), nil
	}
	return success(msg, toMiscFile(o, "base64")), nil
}
