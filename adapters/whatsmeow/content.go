package whatsmeow

import (
	"encoding/hex"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

// unwrap strips the envelopes WhatsApp puts around content (device-sent copies,
// ephemeral and view-once wrappers, documents with captions, edits), reporting whether
// one of them was a view-once wrapper. whatsmeow unwraps live messages already; history
// and hand-built messages may still be wrapped, and wrappers can nest.
func unwrap(m *waE2E.Message) (*waE2E.Message, bool) {
	viewOnce := false
	for m != nil {
		var inner *waE2E.Message
		switch {
		case m.GetDeviceSentMessage().GetMessage() != nil:
			inner = m.GetDeviceSentMessage().GetMessage()
		case m.GetEphemeralMessage().GetMessage() != nil:
			inner = m.GetEphemeralMessage().GetMessage()
		case m.GetViewOnceMessage().GetMessage() != nil:
			inner, viewOnce = m.GetViewOnceMessage().GetMessage(), true
		case m.GetViewOnceMessageV2().GetMessage() != nil:
			inner, viewOnce = m.GetViewOnceMessageV2().GetMessage(), true
		case m.GetViewOnceMessageV2Extension().GetMessage() != nil:
			inner, viewOnce = m.GetViewOnceMessageV2Extension().GetMessage(), true
		case m.GetDocumentWithCaptionMessage().GetMessage() != nil:
			inner = m.GetDocumentWithCaptionMessage().GetMessage()
		case m.GetEditedMessage().GetMessage() != nil:
			inner = m.GetEditedMessage().GetMessage()
		case m.GetLottieStickerMessage().GetMessage() != nil:
			inner = m.GetLottieStickerMessage().GetMessage()
		case m.GetPollCreationMessageV4().GetMessage() != nil:
			inner = m.GetPollCreationMessageV4().GetMessage()
		default:
			return m, viewOnce
		}
		m = inner
	}
	return m, viewOnce
}

// contentCtx is what content mapping needs about the message it maps.
type contentCtx struct {
	v    view
	info types.MessageInfo
}

// toContent maps a (fully unwrapped) message to domain content; ok is false for
// messages that carry nothing to report (key distribution, protocol housekeeping).
func (c contentCtx) toContent(m *waE2E.Message) (message.Content, bool) {
	var ct message.Content
	switch {
	case m.Conversation != nil:
		ct = message.Content{Kind: message.KindText, Text: m.GetConversation()}
	case m.ExtendedTextMessage != nil:
		ct = message.Content{Kind: message.KindText, Text: m.GetExtendedTextMessage().GetText()}
	case m.ImageMessage != nil:
		x := m.GetImageMessage()
		ct = message.Content{Kind: message.KindImage, Text: x.GetCaption(), ViewOnce: x.GetViewOnce(), Media: &message.Media{
			MIME: x.GetMimetype(), Size: int64(x.GetFileLength()), Width: int(x.GetWidth()), Height: int(x.GetHeight()),
			URL: x.GetURL(), DirectPath: x.GetDirectPath(), MediaKey: x.GetMediaKey(), FileSHA256: x.GetFileSHA256(), FileEncSHA256: x.GetFileEncSHA256()}}
	case m.VideoMessage != nil:
		x := m.GetVideoMessage()
		ct = message.Content{Kind: message.KindVideo, Text: x.GetCaption(), ViewOnce: x.GetViewOnce(), Media: &message.Media{
			MIME: x.GetMimetype(), Size: int64(x.GetFileLength()), Width: int(x.GetWidth()), Height: int(x.GetHeight()),
			Seconds: int(x.GetSeconds()), GIF: x.GetGifPlayback(),
			URL: x.GetURL(), DirectPath: x.GetDirectPath(), MediaKey: x.GetMediaKey(), FileSHA256: x.GetFileSHA256(), FileEncSHA256: x.GetFileEncSHA256()}}
	case m.AudioMessage != nil:
		x := m.GetAudioMessage()
		ct = message.Content{Kind: message.KindAudio, ViewOnce: x.GetViewOnce(), Media: &message.Media{
			MIME: x.GetMimetype(), Size: int64(x.GetFileLength()), Seconds: int(x.GetSeconds()), PTT: x.GetPTT(),
			URL: x.GetURL(), DirectPath: x.GetDirectPath(), MediaKey: x.GetMediaKey(), FileSHA256: x.GetFileSHA256(), FileEncSHA256: x.GetFileEncSHA256()}}
	case m.DocumentMessage != nil:
		x := m.GetDocumentMessage()
		name := x.GetFileName()
		if name == "" {
			name = x.GetTitle()
		}
		ct = message.Content{Kind: message.KindDocument, Text: x.GetCaption(), Media: &message.Media{
			MIME: x.GetMimetype(), FileName: name, Size: int64(x.GetFileLength()), Pages: int(x.GetPageCount()),
			URL: x.GetURL(), DirectPath: x.GetDirectPath(), MediaKey: x.GetMediaKey(), FileSHA256: x.GetFileSHA256(), FileEncSHA256: x.GetFileEncSHA256()}}
	case m.StickerMessage != nil:
		x := m.GetStickerMessage()
		ct = message.Content{Kind: message.KindSticker, Media: &message.Media{
			MIME: x.GetMimetype(), Size: int64(x.GetFileLength()), Width: int(x.GetWidth()), Height: int(x.GetHeight()), GIF: x.GetIsAnimated(),
			URL: x.GetURL(), DirectPath: x.GetDirectPath(), MediaKey: x.GetMediaKey(), FileSHA256: x.GetFileSHA256(), FileEncSHA256: x.GetFileEncSHA256()}}
	case m.LocationMessage != nil:
		x := m.GetLocationMessage()
		ct = message.Content{Kind: message.KindLocation, Text: x.GetComment(), Location: &message.Location{
			Latitude: x.GetDegreesLatitude(), Longitude: x.GetDegreesLongitude(), Name: x.GetName(), Address: x.GetAddress(), Live: x.GetIsLive()}}
	case m.LiveLocationMessage != nil:
		x := m.GetLiveLocationMessage()
		ct = message.Content{Kind: message.KindLocation, Text: x.GetCaption(), Location: &message.Location{
			Latitude: x.GetDegreesLatitude(), Longitude: x.GetDegreesLongitude(), Live: true}}
	case m.ContactMessage != nil:
		x := m.GetContactMessage()
		ct = message.Content{Kind: message.KindContact, Contacts: []message.Contact{{DisplayName: x.GetDisplayName(), VCard: x.GetVcard()}}}
	case m.ContactsArrayMessage != nil:
		x := m.GetContactsArrayMessage()
		ct = message.Content{Kind: message.KindContact, Text: x.GetDisplayName()}
		for _, one := range x.GetContacts() {
			ct.Contacts = append(ct.Contacts, message.Contact{DisplayName: one.GetDisplayName(), VCard: one.GetVcard()})
		}
	case pollOf(m) != nil:
		x := pollOf(m)
		p := &message.Poll{Question: x.GetName(), SelectableCount: int(x.GetSelectableOptionsCount())}
		for _, o := range x.GetOptions() {
			p.Options = append(p.Options, o.GetOptionName())
		}
		ct = message.Content{Kind: message.KindPoll, Poll: p}
	case m.PollUpdateMessage != nil:
		x := m.GetPollUpdateMessage()
		ref := c.keyRef(x.GetPollCreationMessageKey())
		ct = message.Content{Kind: message.KindPollVote, PollVote: &message.PollVote{Poll: ref, Selected: c.v.voteNames(ref.ID)}}
	case m.ReactionMessage != nil:
		x := m.GetReactionMessage()
		ref := c.keyRef(x.GetKey())
		ct = message.Content{Kind: message.KindReaction, Emoji: x.GetText(), Target: &ref}
	case m.ProtocolMessage != nil:
		return c.protocol(m.GetProtocolMessage())
	case m.PinInChatMessage != nil:
		x := m.GetPinInChatMessage()
		ref := c.keyRef(x.GetKey())
		ct = message.Content{Kind: message.KindPin, Target: &ref, Unpin: x.GetType() == waE2E.PinInChatMessage_UNPIN_FOR_ALL}
	case m.GroupInviteMessage != nil:
		x := m.GetGroupInviteMessage()
		inv := &message.GroupInvite{GroupName: x.GetGroupName(), Code: x.GetInviteCode()}
		if g, err := types.ParseJID(x.GetGroupJID()); err == nil {
			inv.Group = toDomain(g)
		}
		if exp := x.GetInviteExpiration(); exp > 0 {
			inv.Expiration = time.Unix(exp, 0).UTC()
		}
		ct = message.Content{Kind: message.KindGroupInvite, Text: x.GetCaption(), Invite: inv}
	case m.ButtonsResponseMessage != nil:
		x := m.GetButtonsResponseMessage()
		ct = c.answer(x.GetSelectedButtonID(), x.GetSelectedDisplayText(), x.GetContextInfo())
	case m.ListResponseMessage != nil:
		x := m.GetListResponseMessage()
		ct = c.answer(x.GetSingleSelectReply().GetSelectedRowID(), x.GetTitle(), x.GetContextInfo())
	case m.TemplateButtonReplyMessage != nil:
		x := m.GetTemplateButtonReplyMessage()
		ct = c.answer(x.GetSelectedID(), x.GetSelectedDisplayText(), x.GetContextInfo())
	case m.InteractiveResponseMessage != nil:
		x := m.GetInteractiveResponseMessage()
		ct = c.answer(x.GetNativeFlowResponseMessage().GetName(), x.GetBody().GetText(), x.GetContextInfo())
	case m.InteractiveMessage.GetNativeFlowMessage() != nil:
		ct = nativeFlowContent(m.GetInteractiveMessage())
	case m.ButtonsMessage != nil:
		x := m.GetButtonsMessage()
		b := &message.Buttons{Footer: x.GetFooterText(), Image: imageMedia(x.GetImageMessage()), Legacy: true}
		for _, btn := range x.GetButtons() {
			b.Buttons = append(b.Buttons, message.Button{Kind: message.ButtonReply, ID: btn.GetButtonID(), Text: btn.GetButtonText().GetDisplayText()})
		}
		ct = message.Content{Kind: message.KindButtons, Text: x.GetContentText(), Buttons: b}
	case m.ListMessage != nil:
		x := m.GetListMessage()
		l := &message.List{Title: x.GetTitle(), Footer: x.GetFooterText(), ButtonText: x.GetButtonText(), Legacy: true}
		for _, s := range x.GetSections() {
			sec := message.ListSection{Title: s.GetTitle()}
			for _, r := range s.GetRows() {
				sec.Rows = append(sec.Rows, message.ListRow{ID: r.GetRowID(), Title: r.GetTitle(), Description: r.GetDescription()})
			}
			l.Sections = append(l.Sections, sec)
		}
		ct = message.Content{Kind: message.KindList, Text: x.GetDescription(), List: l}
	case m.SenderKeyDistributionMessage != nil, m.MessageContextInfo != nil && onlyContextInfo(m):
		return message.Content{}, false // key material, no content
	default:
		ct = message.Content{Kind: message.KindUnknown}
	}
	c.addContext(&ct, contextInfoOf(m))
	return ct, true
}

// nativeFlowContent maps a native-flow interactive message: a single_select is a
// list, quick replies and calls to action are buttons; other flows (payments,
// catalogs) are unknown content with their body text.
func nativeFlowContent(x *waE2E.InteractiveMessage) message.Content {
	image := imageMedia(x.GetHeader().GetImageMessage())
	flow := x.GetNativeFlowMessage()
	for _, btn := range flow.GetButtons() {
		if btn.GetName() == message.FlowSingleSelect {
			text, sections := message.ListFromNativeFlow(btn.GetButtonParamsJSON())
			return message.Content{Kind: message.KindList, Text: x.GetBody().GetText(), List: &message.List{Title: x.GetHeader().GetTitle(),
				Footer: x.GetFooter().GetText(), ButtonText: text, Image: image, Sections: sections}}
		}
	}
	b := &message.Buttons{Footer: x.GetFooter().GetText(), Image: image}
	for _, btn := range flow.GetButtons() {
		if one, ok := message.ButtonFromNativeFlow(btn.GetName(), btn.GetButtonParamsJSON()); ok {
			b.Buttons = append(b.Buttons, one)
		}
	}
	if len(b.Buttons) == 0 {
		return message.Content{Kind: message.KindUnknown, Text: x.GetBody().GetText()}
	}
	return message.Content{Kind: message.KindButtons, Text: x.GetBody().GetText(), Buttons: b}
}

// imageMedia is an image's download handles; nil without an image.
func imageMedia(x *waE2E.ImageMessage) *message.Media {
	if x == nil {
		return nil
	}
	return &message.Media{MIME: x.GetMimetype(), Size: int64(x.GetFileLength()), Width: int(x.GetWidth()), Height: int(x.GetHeight()),
		URL: x.GetURL(), DirectPath: x.GetDirectPath(), MediaKey: x.GetMediaKey(), FileSHA256: x.GetFileSHA256(), FileEncSHA256: x.GetFileEncSHA256()}
}

// protocol maps the protocol messages that mean something to a user: revokes and edits.
func (c contentCtx) protocol(p *waE2E.ProtocolMessage) (message.Content, bool) {
	ref := c.keyRef(p.GetKey())
	switch p.GetType() {
	case waE2E.ProtocolMessage_REVOKE:
		return message.Content{Kind: message.KindRevoke, Target: &ref}, true
	case waE2E.ProtocolMessage_MESSAGE_EDIT:
		edited, _ := unwrap(p.GetEditedMessage())
		text := edited.GetConversation()
		if text == "" {
			text = edited.GetExtendedTextMessage().GetText()
		}
		if text == "" {
			text = captionOf(edited)
		}
		return message.Content{Kind: message.KindEdit, Text: text, Target: &ref}, true
	}
	return message.Content{}, false
}

func (c contentCtx) answer(id, text string, ci *waE2E.ContextInfo) message.Content {
	a := &message.InteractiveReply{ID: id, Text: text}
	if ci.GetStanzaID() != "" {
		a.Reply = c.quoted(ci)
	}
	return message.Content{Kind: message.KindInteractiveReply, Text: text, Answer: a}
}

// addContext copies the reply, mentions and forwarded flag of a message.
func (c contentCtx) addContext(ct *message.Content, ci *waE2E.ContextInfo) {
	if ci == nil {
		return
	}
	if ci.GetStanzaID() != "" && ct.Kind != message.KindInteractiveReply {
		ref := c.quoted(ci)
		ct.Reply = &ref
	}
	for _, raw := range ci.GetMentionedJID() {
		if j, err := types.ParseJID(raw); err == nil {
			ct.Mentions = append(ct.Mentions, toDomain(j))
		}
	}
	ct.Forwarded = ci.GetIsForwarded()
}

// quoted is the message a context info replies to.
func (c contentCtx) quoted(ci *waE2E.ContextInfo) message.Reference {
	ref := message.Reference{Chat: toDomain(c.info.Chat), ID: ci.GetStanzaID()}
	if j, err := types.ParseJID(ci.GetRemoteJID()); err == nil && ci.GetRemoteJID() != "" {
		ref.Chat = toDomain(j)
	}
	if j, err := types.ParseJID(ci.GetParticipant()); err == nil && ci.GetParticipant() != "" {
		ref.Sender = toDomain(j)
		ref.FromMe = c.v.isMe(ref.Sender)
	}
	return ref
}

// keyRef turns a message key into a reference from the account's point of view. A
// key's FromMe is relative to whoever sent the message holding it: "the reactor's own
// message", not necessarily ours.
func (c contentCtx) keyRef(key *waCommon.MessageKey) message.Reference {
	ref := message.Reference{Chat: toDomain(c.info.Chat), ID: key.GetID()}
	if j, err := types.ParseJID(key.GetRemoteJID()); err == nil && key.GetRemoteJID() != "" {
		ref.Chat = toDomain(j)
	}
	switch {
	case key.GetFromMe():
		ref.FromMe = c.info.IsFromMe
		if !c.info.IsFromMe {
			ref.Sender = c.v.party(c.info.Sender, c.info.SenderAlt, "").Best()
		}
	case key.GetParticipant() != "":
		if j, err := types.ParseJID(key.GetParticipant()); err == nil {
			ref.Sender = toDomain(j)
			ref.FromMe = c.v.isMe(ref.Sender)
		}
	default: // a direct chat: the other side's message, seen from the sender
		ref.FromMe = !c.info.IsFromMe
		if c.info.IsFromMe {
			ref.Sender = ref.Chat
		}
	}
	return ref
}

// voteNames resolves a decrypted vote's option hashes to option names when the poll
// is known, else reports the hashes in hex.
func (v view) voteNames(pollID string) []string {
	if v.vote == nil {
		return nil
	}
	var options []string
	if v.pollOptions != nil {
		options = v.pollOptions(pollID)
	}
	byHash := map[string]string{}
	for i, h := range hashPollOptions(options) {
		byHash[string(h)] = options[i]
	}
	out := []string{}
	for _, h := range v.vote.GetSelectedOptions() {
		if name, ok := byHash[string(h)]; ok {
			out = append(out, name)
		} else {
			out = append(out, hex.EncodeToString(h))
		}
	}
	return out
}

func pollOf(m *waE2E.Message) *waE2E.PollCreationMessage {
	for _, p := range []*waE2E.PollCreationMessage{m.GetPollCreationMessage(), m.GetPollCreationMessageV2(), m.GetPollCreationMessageV3(),
		m.GetPollCreationMessageV5(), m.GetPollCreationMessageV6()} {
		if p != nil {
			return p
		}
	}
	return nil
}

// contextInfoOf finds the context info of whichever part a message carries.
func contextInfoOf(m *waE2E.Message) *waE2E.ContextInfo {
	for _, ci := range []*waE2E.ContextInfo{
		m.GetExtendedTextMessage().GetContextInfo(), m.GetImageMessage().GetContextInfo(), m.GetVideoMessage().GetContextInfo(),
		m.GetAudioMessage().GetContextInfo(), m.GetDocumentMessage().GetContextInfo(), m.GetStickerMessage().GetContextInfo(),
		m.GetLocationMessage().GetContextInfo(), m.GetLiveLocationMessage().GetContextInfo(), m.GetContactMessage().GetContextInfo(),
		m.GetContactsArrayMessage().GetContextInfo(), pollOf(m).GetContextInfo(), m.GetGroupInviteMessage().GetContextInfo(),
		m.GetButtonsMessage().GetContextInfo(), m.GetListMessage().GetContextInfo(), m.GetInteractiveMessage().GetContextInfo(),
	} {
		if ci != nil {
			return ci
		}
	}
	return nil
}

func captionOf(m *waE2E.Message) string {
	for _, s := range []string{m.GetImageMessage().GetCaption(), m.GetVideoMessage().GetCaption(), m.GetDocumentMessage().GetCaption()} {
		if s != "" {
			return s
		}
	}
	return ""
}

// onlyContextInfo reports a message whose only part is its context info (sent with
// key distribution and similar housekeeping).
func onlyContextInfo(m *waE2E.Message) bool {
	c := &waE2E.Message{MessageContextInfo: m.GetMessageContextInfo()}
	return equalMessages(c, m)
}

// isMe reports whether j is the linked account (phone or LID).
func (v view) isMe(j chat.JID) bool {
	return !j.IsZero() && (j.String() == v.me.JID || (v.me.LID != "" && j.String() == v.me.LID))
}
