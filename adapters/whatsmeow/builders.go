package whatsmeow

import (
	"fmt"
	"strconv"
	"time"

	wm "go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

// built is what toProto needs beyond the content: the uploaded media (for media
// kinds), a fresh message secret (for polls) and the send time.
type built struct {
	upload wm.UploadResponse
	secret []byte
	now    time.Time
}

// toProto builds the protobuf for one outbound content sent to the chat `to`.
// Buttons and lists are native-flow interactive messages (see nativeFlow); WhatsApp
// may still not render them on every client (best effort).
func toProto(to chat.JID, c message.Content, b built) (*waE2E.Message, error) {
	ci := contextInfo(c)
	switch c.Kind {
	case message.KindText:
		if ci == nil {
			return &waE2E.Message{Conversation: proto.String(c.Text)}, nil
		}
		return &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(c.Text), ContextInfo: ci}}, nil
	case message.KindImage, message.KindVideo, message.KindAudio, message.KindDocument, message.KindSticker:
		return mediaProto(c, b.upload, ci), nil
	case message.KindLocation:
		l := c.Location
		return &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(l.Latitude), DegreesLongitude: proto.Float64(l.Longitude),
			Name: optional(l.Name), Address: optional(l.Address), ContextInfo: ci}}, nil
	case message.KindContact:
		if len(c.Contacts) == 1 {
			ct := c.Contacts[0]
			return &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String(ct.DisplayName), Vcard: proto.String(ct.VCard), ContextInfo: ci}}, nil
		}
		arr := &waE2E.ContactsArrayMessage{DisplayName: proto.String(strconv.Itoa(len(c.Contacts)) + " contacts"), ContextInfo: ci}
		for _, ct := range c.Contacts {
			arr.Contacts = append(arr.Contacts, &waE2E.ContactMessage{DisplayName: proto.String(ct.DisplayName), Vcard: proto.String(ct.VCard)})
		}
		return &waE2E.Message{ContactsArrayMessage: arr}, nil
	case message.KindPoll:
		p := &waE2E.PollCreationMessage{Name: proto.String(c.Poll.Question), SelectableOptionsCount: proto.Uint32(uint32(c.Poll.SelectableCount)), ContextInfo: ci}
		for _, o := range c.Poll.Options {
			p.Options = append(p.Options, &waE2E.PollCreationMessage_Option{OptionName: proto.String(o)})
		}
		return &waE2E.Message{PollCreationMessage: p, MessageContextInfo: &waE2E.MessageContextInfo{MessageSecret: b.secret}}, nil
	case message.KindButtons:
		bs := c.Buttons
		buttons := make([]*waE2E.InteractiveMessage_NativeFlowMessage_NativeFlowButton, len(bs.Buttons))
		for i, btn := range bs.Buttons {
			buttons[i] = flowButton(btn.NativeFlow())
		}
		return nativeFlow(c.Text, "", bs.Footer, bs.Image, b.upload, buttons, ci), nil
	case message.KindList:
		l := c.List
		return nativeFlow(c.Text, l.Title, l.Footer, l.Image, b.upload,
			[]*waE2E.InteractiveMessage_NativeFlowMessage_NativeFlowButton{flowButton(l.NativeFlow())}, ci), nil
	case message.KindReaction:
		return &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: toKey(to, *c.Target), Text: proto.String(c.Emoji),
			SenderTimestampMS: proto.Int64(b.now.UnixMilli())}}, nil
	case message.KindEdit:
		if !c.Target.FromMe {
			// WhatsApp relays it anyway; the recipients' apps ignore it.
			return nil, fault.Forbidden("only your own messages can be edited")
		}
		key := toKey(to, *c.Target)
		return &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
			Key: key, Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), TimestampMS: proto.Int64(b.now.UnixMilli()),
			EditedMessage: &waE2E.Message{Conversation: proto.String(c.Text)},
		}}}}, nil
	case message.KindRevoke:
		return &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: toKey(to, *c.Target)}}, nil
	case message.KindPin:
		typ := waE2E.PinInChatMessage_PIN_FOR_ALL
		if c.Unpin {
			typ = waE2E.PinInChatMessage_UNPIN_FOR_ALL
		}
		return &waE2E.Message{PinInChatMessage: &waE2E.PinInChatMessage{Key: toKey(to, *c.Target), Type: typ.Enum(),
			SenderTimestampMS: proto.Int64(b.now.UnixMilli())}}, nil
	}
	return nil, fmt.Errorf("whatsmeow: cannot send a %s message", c.Kind)
}

func flowButton(name, params string) *waE2E.InteractiveMessage_NativeFlowMessage_NativeFlowButton {
	return &waE2E.InteractiveMessage_NativeFlowMessage_NativeFlowButton{Name: proto.String(name), ButtonParamsJSON: proto.String(params)}
}

// nativeFlow builds buttons or a list the way current WhatsApp clients send them:
// an InteractiveMessage whose native-flow buttons carry their JSON parameters
// (quick_reply, cta_url, cta_call, cta_copy, or one single_select for a list), with
// the header image when there is one, inside a view-once FutureProofMessage next to
// device-list metadata version 2. The stanza also needs bizNodes.
func nativeFlow(body, title, footer string, image *message.Media, up wm.UploadResponse,
	buttons []*waE2E.InteractiveMessage_NativeFlowMessage_NativeFlowButton, ci *waE2E.ContextInfo) *waE2E.Message {
	header := &waE2E.InteractiveMessage_Header{Title: optional(title), HasMediaAttachment: proto.Bool(image != nil)}
	if image != nil {
		img := mediaProto(message.Content{Kind: message.KindImage, Media: image}, up, nil).GetImageMessage()
		header.Media = &waE2E.InteractiveMessage_Header_ImageMessage{ImageMessage: img}
	}
	im := &waE2E.InteractiveMessage{
		Header: header,
		Body:   &waE2E.InteractiveMessage_Body{Text: proto.String(body)},
		InteractiveMessage: &waE2E.InteractiveMessage_NativeFlowMessage_{NativeFlowMessage: &waE2E.InteractiveMessage_NativeFlowMessage{
			Buttons: buttons, MessageVersion: proto.Int32(1)}},
		ContextInfo: ci,
	}
	if footer != "" {
		im.Footer = &waE2E.InteractiveMessage_Footer{Text: proto.String(footer)}
	}
	return &waE2E.Message{ViewOnceMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
		MessageContextInfo: &waE2E.MessageContextInfo{DeviceListMetadata: &waE2E.DeviceListMetadata{}, DeviceListMetadataVersion: proto.Int32(2)},
		InteractiveMessage: im,
	}}}
}

// bizNodes are the stanza children a native-flow message needs to be delivered and
// rendered: whatsmeow adds a <biz> node for legacy buttons and lists but none for
// InteractiveMessage, and without one the server accepts the message and no client
// shows it. This is the "mixed" native-flow shape, plus <bot biz_bot="1"/> in
// one-to-one chats, as working third-party clients send it. Nil for other kinds.
func bizNodes(to chat.JID, c message.Content, now time.Time) []waBinary.Node {
	if c.Kind != message.KindButtons && c.Kind != message.KindList {
		return nil
	}
	biz := waBinary.Node{Tag: "biz",
		Attrs: waBinary.Attrs{"actual_actors": "2", "host_storage": "2", "privacy_mode_ts": strconv.FormatInt(now.Unix(), 10)},
		Content: []waBinary.Node{
			{Tag: "interactive", Attrs: waBinary.Attrs{"type": "native_flow", "v": "1"},
				Content: []waBinary.Node{{Tag: "native_flow", Attrs: waBinary.Attrs{"v": "9", "name": "mixed"}}}},
			{Tag: "quality_control", Attrs: waBinary.Attrs{"source_type": "third_party"}},
		}}
	if k := to.Kind(); k == chat.KindUser || k == chat.KindLID {
		return []waBinary.Node{{Tag: "bot", Attrs: waBinary.Attrs{"biz_bot": "1"}}, biz}
	}
	return []waBinary.Node{biz}
}

// headerImage is the header image of buttons or a list, if any.
func headerImage(c message.Content) *message.Media {
	switch {
	case c.Kind == message.KindButtons && c.Buttons != nil:
		return c.Buttons.Image
	case c.Kind == message.KindList && c.List != nil:
		return c.List.Image
	}
	return nil
}

// mediaProto builds an attachment message around its upload handles.
func mediaProto(c message.Content, up wm.UploadResponse, ci *waE2E.ContextInfo) *waE2E.Message {
	m := c.Media
	size := proto.Uint64(up.FileLength)
	var viewOnce *bool
	if c.ViewOnce {
		viewOnce = proto.Bool(true)
	}
	switch c.Kind {
	case message.KindImage:
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: optional(c.Text), Mimetype: proto.String(m.MIME),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256,
			FileSHA256: up.FileSHA256, FileLength: size, Width: dimension(m.Width), Height: dimension(m.Height), ViewOnce: viewOnce, ContextInfo: ci}}
	case message.KindVideo:
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: optional(c.Text), Mimetype: proto.String(m.MIME),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256,
			FileSHA256: up.FileSHA256, FileLength: size, Width: dimension(m.Width), Height: dimension(m.Height), Seconds: dimension(m.Seconds),
			GifPlayback: optionalBool(m.GIF), ViewOnce: viewOnce, ContextInfo: ci}}
	case message.KindAudio:
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{Mimetype: proto.String(m.MIME), PTT: optionalBool(m.PTT),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256,
			FileSHA256: up.FileSHA256, FileLength: size, Seconds: dimension(m.Seconds), ViewOnce: viewOnce, ContextInfo: ci}}
	case message.KindDocument:
		return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: optional(c.Text), Mimetype: proto.String(m.MIME),
			FileName: optional(m.FileName), Title: optional(m.FileName), PageCount: dimension(m.Pages),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256,
			FileSHA256: up.FileSHA256, FileLength: size, ContextInfo: ci}}
	default: // sticker
		return &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String(m.MIME), IsAnimated: optionalBool(m.GIF),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256,
			FileSHA256: up.FileSHA256, FileLength: size, Width: dimension(m.Width), Height: dimension(m.Height), ContextInfo: ci}}
	}
}

// mediaType is the upload key family WhatsApp uses for a content kind.
func mediaType(k message.Kind) (wm.MediaType, bool) {
	switch k {
	case message.KindImage, message.KindSticker:
		return wm.MediaImage, true
	case message.KindVideo:
		return wm.MediaVideo, true
	case message.KindAudio:
		return wm.MediaAudio, true
	case message.KindDocument:
		return wm.MediaDocument, true
	}
	return "", false
}

// contextInfo carries mentions, the quoted message and the forwarded flag; nil when
// there are none.
func contextInfo(c message.Content) *waE2E.ContextInfo {
	if len(c.Mentions) == 0 && c.Reply == nil && !c.Forwarded {
		return nil
	}
	ci := &waE2E.ContextInfo{}
	for _, j := range c.Mentions {
		ci.MentionedJID = append(ci.MentionedJID, toJID(j).String())
	}
	if r := c.Reply; r != nil {
		ci.StanzaID = proto.String(r.ID)
		// Clients render the quote from their own copy; an empty body keeps it a reply.
		ci.QuotedMessage = &waE2E.Message{Conversation: proto.String("")}
		if !r.Sender.IsZero() {
			ci.Participant = proto.String(toJID(r.Sender).String())
		}
		if !r.Chat.IsZero() {
			ci.RemoteJID = proto.String(toJID(r.Chat).String())
		}
	}
	if c.Forwarded {
		ci.IsForwarded, ci.ForwardingScore = proto.Bool(true), proto.Uint32(1)
	}
	return ci
}

// toKey addresses an existing message in chat `to` (or the reference's own chat).
// In groups the author of someone else's message is named as the participant.
func toKey(to chat.JID, r message.Reference) *waCommon.MessageKey {
	remote := to
	if !r.Chat.IsZero() {
		remote = r.Chat
	}
	key := &waCommon.MessageKey{RemoteJID: proto.String(toJID(remote).String()), ID: proto.String(r.ID), FromMe: proto.Bool(r.FromMe)}
	if !r.FromMe && remote.Kind() == chat.KindGroup && !r.Sender.IsZero() {
		key.Participant = proto.String(toJID(r.Sender).String())
	}
	return key
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return proto.String(s)
}

func optionalBool(b bool) *bool {
	if !b {
		return nil
	}
	return proto.Bool(true)
}

func dimension(n int) *uint32 {
	if n <= 0 {
		return nil
	}
	return proto.Uint32(uint32(n))
}
