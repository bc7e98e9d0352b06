package warestjson

import (
	"encoding/base64"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// WAREST receivers read inbound messages in the shape of a WhatsApp Web (Baileys)
// message object. These functions render domain content in that shape.

// Key renders a message reference as a message key.
func Key(r message.Reference) MessageKey {
	k := MessageKey{RemoteJID: r.Chat.String(), FromMe: r.FromMe, ID: r.ID}
	if r.Chat.Kind() == chat.KindGroup && !r.Sender.IsZero() {
		k.Participant = r.Sender.String()
	}
	return k
}

// Tags is WAREST's content tag of an inbound message.
func Tags(c message.Content) string {
	switch c.Kind {
	case message.KindText:
		if len(c.Mentions) > 0 || c.Reply != nil || c.Forwarded {
			return "extended_text"
		}
		return "text"
	case message.KindImage, message.KindVideo:
		return "media"
	case message.KindDocument:
		return "file"
	case message.KindAudio:
		return "audio"
	case message.KindSticker:
		return "sticker"
	case message.KindLocation:
		return "location"
	case message.KindContact:
		if len(c.Contacts) > 1 {
			return "contacts"
		}
		return "contact"
	case message.KindPoll, message.KindPollVote:
		return "poll"
	case message.KindPin:
		return "pin"
	case message.KindButtons, message.KindList, message.KindInteractiveReply:
		return "interactive"
	case message.KindGroupInvite:
		return "group_invite"
	}
	return "system"
}

// WABody renders content as the `message` field of a WhatsApp message object. Inbound
// content lacking the part its kind needs (a malformed message) renders empty.
func WABody(c message.Content) map[string]any {
	if !complete(c) {
		return map[string]any{}
	}
	ctx := contextInfo(c)
	withCtx := func(m map[string]any) map[string]any {
		if ctx != nil {
			m["contextInfo"] = ctx
		}
		return m
	}
	switch c.Kind {
	case message.KindText:
		if ctx == nil {
			return map[string]any{"conversation": c.Text}
		}
		return map[string]any{"extendedTextMessage": withCtx(map[string]any{"text": c.Text})}
	case message.KindImage, message.KindVideo, message.KindAudio, message.KindDocument, message.KindSticker:
		return map[string]any{mediaField(c): withCtx(mediaBody(c))}
	case message.KindLocation:
		l := c.Location
		return map[string]any{"locationMessage": withCtx(map[string]any{
			"degreesLatitude": l.Latitude, "degreesLongitude": l.Longitude, "name": l.Name, "address": l.Address})}
	case message.KindContact:
		cards := make([]map[string]any, len(c.Contacts))
		for i, ct := range c.Contacts {
			cards[i] = map[string]any{"displayName": ct.DisplayName, "vcard": ct.VCard}
		}
		if len(cards) == 1 {
			return map[string]any{"contactMessage": withCtx(cards[0])}
		}
		return map[string]any{"contactsArrayMessage": withCtx(map[string]any{"contacts": cards})}
	case message.KindPoll:
		opts := make([]map[string]any, len(c.Poll.Options))
		for i, o := range c.Poll.Options {
			opts[i] = map[string]any{"optionName": o}
		}
		return map[string]any{"pollCreationMessage": withCtx(map[string]any{
			"name": c.Poll.Question, "options": opts, "selectableOptionsCount": c.Poll.SelectableCount})}
	case message.KindPollVote:
		return map[string]any{"pollUpdateMessage": map[string]any{
			"pollCreationMessageKey": Key(c.PollVote.Poll), "vote": map[string]any{"selectedOptions": c.PollVote.Selected}}}
	case message.KindReaction:
		return map[string]any{"reactionMessage": map[string]any{"key": Key(*c.Target), "text": c.Emoji}}
	case message.KindEdit:
		return map[string]any{"protocolMessage": map[string]any{"type": "MESSAGE_EDIT", "key": Key(*c.Target),
			"editedMessage": map[string]any{"conversation": c.Text}}}
	case message.KindRevoke:
		return map[string]any{"protocolMessage": map[string]any{"type": "REVOKE", "key": Key(*c.Target)}}
	case message.KindPin:
		kind := 1
		if c.Unpin {
			kind = 2
		}
		return map[string]any{"pinInChatMessage": map[string]any{"key": Key(*c.Target), "type": kind}}
	case message.KindGroupInvite:
		inv := c.Invite
		var expires int64 // 0 when unknown, not the Unix time of year 1
		if !inv.Expiration.IsZero() {
			expires = inv.Expiration.Unix()
		}
		return map[string]any{"groupInviteMessage": map[string]any{"groupJid": inv.Group.String(), "inviteCode": inv.Code,
			"groupName": inv.GroupName, "inviteExpiration": expires, "caption": c.Text}}
	case message.KindInteractiveReply:
		return map[string]any{"buttonsResponseMessage": withCtx(map[string]any{
			"selectedButtonId": c.Answer.ID, "selectedDisplayText": c.Answer.Text})}
	case message.KindButtons:
		if c.Buttons.Legacy {
			return map[string]any{"buttonsMessage": withCtx(legacyButtons(c))}
		}
		return map[string]any{"interactiveMessage": withCtx(interactive(c, "", c.Buttons.Footer, c.Buttons.Image, nativeButtons(c.Buttons.Buttons)))}
	case message.KindList:
		l := c.List
		if l.Legacy {
			return map[string]any{"listMessage": withCtx(legacyList(c))}
		}
		name, params := l.NativeFlow()
		return map[string]any{"interactiveMessage": withCtx(interactive(c, l.Title, l.Footer, l.Image,
			[]map[string]any{{"name": name, "buttonParamsJson": params}}))}
	}
	return map[string]any{}
}

// interactive renders a native-flow interactive message as Baileys shows it: a
// header (title, and the image when there is one), body, footer and the buttons with
// their JSON parameters, exactly as sent.
func interactive(c message.Content, title, footer string, image *message.Media, buttons []map[string]any) map[string]any {
	header := map[string]any{"title": title, "hasMediaAttachment": image != nil}
	if image != nil {
		header["imageMessage"] = mediaBody(message.Content{Kind: message.KindImage, Media: image})
	}
	return map[string]any{"header": header, "body": map[string]any{"text": c.Text}, "footer": map[string]any{"text": footer},
		"nativeFlowMessage": map[string]any{"buttons": buttons, "messageParamsJson": "", "messageVersion": 1}}
}

func nativeButtons(bs []message.Button) []map[string]any {
	out := make([]map[string]any, len(bs))
	for i, b := range bs {
		name, params := b.NativeFlow()
		out[i] = map[string]any{"name": name, "buttonParamsJson": params}
	}
	return out
}

// legacyButtons renders an old-style ButtonsMessage (inbound only). headerType is
// 1 (empty) or 4 (image).
func legacyButtons(c message.Content) map[string]any {
	b := c.Buttons
	buttons := make([]map[string]any, len(b.Buttons))
	for i, bt := range b.Buttons {
		buttons[i] = map[string]any{"buttonId": bt.ID, "buttonText": map[string]any{"displayText": bt.Text}, "type": 1}
	}
	out := map[string]any{"contentText": c.Text, "footerText": b.Footer, "buttons": buttons, "headerType": 1}
	if b.Image != nil {
		out["headerType"], out["imageMessage"] = 4, mediaBody(message.Content{Kind: message.KindImage, Media: b.Image})
	}
	return out
}

// legacyList renders an old-style ListMessage (inbound only); listType 1 is single select.
func legacyList(c message.Content) map[string]any {
	l := c.List
	sections := make([]map[string]any, len(l.Sections))
	for i, s := range l.Sections {
		rows := make([]map[string]any, len(s.Rows))
		for j, r := range s.Rows {
			rows[j] = map[string]any{"rowId": r.ID, "title": r.Title, "description": r.Description}
		}
		sections[i] = map[string]any{"title": s.Title, "rows": rows}
	}
	return map[string]any{"title": l.Title, "description": c.Text, "buttonText": l.ButtonText, "footerText": l.Footer,
		"listType": 1, "sections": sections}
}

// complete reports whether c has the part WABody reads for its kind.
func complete(c message.Content) bool {
	switch c.Kind {
	case message.KindLocation:
		return c.Location != nil
	case message.KindPoll:
		return c.Poll != nil
	case message.KindPollVote:
		return c.PollVote != nil
	case message.KindReaction, message.KindEdit, message.KindRevoke, message.KindPin:
		return c.Target != nil
	case message.KindGroupInvite:
		return c.Invite != nil
	case message.KindInteractiveReply:
		return c.Answer != nil
	case message.KindButtons:
		return c.Buttons != nil
	case message.KindList:
		return c.List != nil
	}
	return true
}

func contextInfo(c message.Content) map[string]any {
	if len(c.Mentions) == 0 && c.Reply == nil && !c.Forwarded {
		return nil
	}
	ctx := map[string]any{}
	if len(c.Mentions) > 0 {
		ids := make([]string, len(c.Mentions))
		for i, m := range c.Mentions {
			ids[i] = m.String()
		}
		ctx["mentionedJid"] = ids
	}
	if r := c.Reply; r != nil {
		ctx["stanzaId"] = r.ID
		if !r.Sender.IsZero() {
			ctx["participant"] = r.Sender.String()
		}
	}
	if c.Forwarded {
		ctx["isForwarded"] = true
	}
	return ctx
}

func mediaField(c message.Content) string {
	switch c.Kind {
	case message.KindImage:
		return "imageMessage"
	case message.KindVideo:
		return "videoMessage"
	case message.KindAudio:
		return "audioMessage"
	case message.KindSticker:
		return "stickerMessage"
	}
	return "documentMessage"
}

func mediaBody(c message.Content) map[string]any {
	m := c.Media
	if m == nil {
		return map[string]any{"caption": c.Text}
	}
	b := map[string]any{"mimetype": m.MIME, "fileLength": m.Size, "url": m.URL, "directPath": m.DirectPath,
		"mediaKey": b64(m.MediaKey), "fileSha256": b64(m.FileSHA256), "fileEncSha256": b64(m.FileEncSHA256)}
	if c.Text != "" {
		b["caption"] = c.Text
	}
	if c.ViewOnce {
		b["viewOnce"] = true
	}
	switch c.Kind {
	case message.KindImage, message.KindSticker:
		b["width"], b["height"] = m.Width, m.Height
	case message.KindVideo:
		b["width"], b["height"], b["seconds"], b["gifPlayback"] = m.Width, m.Height, m.Seconds, m.GIF
	case message.KindAudio:
		b["seconds"], b["ptt"] = m.Seconds, m.PTT
	case message.KindDocument:
		b["fileName"], b["pageCount"] = m.FileName, m.Pages
	}
	return b
}

// MediaInfo is the `media` block of message_received.
type MediaInfo struct {
	HasMedia    bool   `json:"hasMedia"`
	Type        string `json:"type"`
	MimeType    string `json:"mimeType"`
	Caption     string `json:"caption,omitempty"`
	FileSHA256  string `json:"fileSha256,omitempty"`
	MediaKey    string `json:"mediaKey,omitempty"`
	URL         string `json:"url,omitempty"`
	DirectPath  string `json:"directPath,omitempty"`
	FileLength  int64  `json:"fileLength"`
	FileName    string `json:"fileName,omitempty"`
	Seconds     int    `json:"seconds,omitempty"`
	PageCount   int    `json:"pageCount,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	GIFPlayback bool   `json:"gifPlayback,omitempty"`
	// With a mirrored copy, URL is its signed link and DirectPath is dropped, as WAREST does.
	StorageKey    string `json:"storageKey,omitempty"`
	StorageDriver string `json:"storageDriver,omitempty"`
}

// Media renders the media block, nil for content without media.
func Media(c message.Content) *MediaInfo {
	m := c.Media
	if m == nil {
		return nil
	}
	info := &MediaInfo{HasMedia: true, Type: mediaField(c), MimeType: m.MIME, Caption: c.Text, FileSHA256: b64(m.FileSHA256),
		MediaKey: b64(m.MediaKey), URL: m.URL, DirectPath: m.DirectPath, FileLength: m.Size, FileName: m.FileName,
		Seconds: m.Seconds, PageCount: m.Pages, Width: m.Width, Height: m.Height, GIFPlayback: m.GIF}
	if mm := m.Mirror; mm != nil {
		info.URL, info.DirectPath, info.StorageKey, info.StorageDriver = mm.URL, "", mm.Key, mm.Driver
	}
	return info
}

func b64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
