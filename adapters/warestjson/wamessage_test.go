package warestjson_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/warestjson"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
)

var (
	group    = chat.JID{User: "120363041234567890", Server: chat.ServerGroup}
	budi     = chat.UserJID("6281234567890")
	budiLID  = chat.JID{User: "123456789012345", Server: chat.ServerLID}
	sari     = chat.UserJID("6282222222222")
	inGroup  = message.Reference{Chat: group, ID: "3EB0TARGET", Sender: budi}
	inDirect = message.Reference{Chat: sari, ID: "3EB0DIRECT", Sender: sari, FromMe: true}
)

// asJSON is v as receivers see it: marshalled and decoded into generic values.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func assertJSON(t *testing.T, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if g := asJSON(t, got); !reflect.DeepEqual(g, w) {
		raw, _ := json.Marshal(got)
		t.Fatalf("json\n got %s\nwant %s", raw, want)
	}
}

func text(s string, f ...func(*message.Content)) message.Content {
	c := message.TextContent(s)
	for _, fn := range f {
		fn(&c)
	}
	return c
}

func withMedia(kind message.Kind, caption string, m message.Media) message.Content {
	return message.Content{Kind: kind, Text: caption, Media: &m}
}

func TestTags(t *testing.T) {
	t.Parallel()
	card := message.Contact{DisplayName: "Budi", VCard: "BEGIN:VCARD\nEND:VCARD"}
	tests := []struct {
		name string
		c    message.Content
		want string
	}{
		{"plain text", text("hi"), "text"},
		{"text with mention", text("hi", func(c *message.Content) { c.Mentions = []chat.JID{budi} }), "extended_text"},
		{"text replying", text("hi", func(c *message.Content) { c.Reply = &inDirect }), "extended_text"},
		{"forwarded text", text("hi", func(c *message.Content) { c.Forwarded = true }), "extended_text"},
		{"image", withMedia(message.KindImage, "", message.Media{}), "media"},
		{"video", withMedia(message.KindVideo, "", message.Media{}), "media"},
		{"gif", withMedia(message.KindVideo, "", message.Media{GIF: true}), "media"},
		{"document", withMedia(message.KindDocument, "", message.Media{}), "file"},
		{"audio", withMedia(message.KindAudio, "", message.Media{}), "audio"},
		{"voice note", withMedia(message.KindAudio, "", message.Media{PTT: true}), "audio"},
		{"sticker", withMedia(message.KindSticker, "", message.Media{}), "sticker"},
		{"location", message.Content{Kind: message.KindLocation, Location: &message.Location{}}, "location"},
		{"one contact", message.Content{Kind: message.KindContact, Contacts: []message.Contact{card}}, "contact"},
		{"several contacts", message.Content{Kind: message.KindContact, Contacts: []message.Contact{card, card}}, "contacts"},
		{"poll", message.Content{Kind: message.KindPoll, Poll: &message.Poll{}}, "poll"},
		{"poll vote", message.Content{Kind: message.KindPollVote, PollVote: &message.PollVote{}}, "poll"},
		{"pin", message.Content{Kind: message.KindPin, Target: &inGroup}, "pin"},
		{"buttons", message.Content{Kind: message.KindButtons, Buttons: &message.Buttons{}}, "interactive"},
		{"list", message.Content{Kind: message.KindList, List: &message.List{}}, "interactive"},
		{"interactive reply", message.Content{Kind: message.KindInteractiveReply, Answer: &message.InteractiveReply{}}, "interactive"},
		{"group invite", message.Content{Kind: message.KindGroupInvite, Invite: &message.GroupInvite{}}, "group_invite"},
		{"reaction", message.Content{Kind: message.KindReaction, Target: &inGroup}, "system"},
		{"edit", message.Content{Kind: message.KindEdit, Target: &inGroup}, "system"},
		{"revoke", message.Content{Kind: message.KindRevoke, Target: &inGroup}, "system"},
		{"unknown", message.Content{Kind: message.KindUnknown}, "system"},
		{"no kind", message.Content{}, "system"},
	}
	for _, tt := range tests {
		if got := warestjson.Tags(tt.c); got != tt.want {
			t.Errorf("%s: Tags = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    message.Reference
		want string
	}{
		{"group message names its author", inGroup, `{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0TARGET","participant":"6281234567890@s.whatsapp.net"}`},
		{"group author by LID", message.Reference{Chat: group, ID: "X", Sender: budiLID}, `{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"X","participant":"123456789012345@lid"}`},
		{"group without author", message.Reference{Chat: group, ID: "X"}, `{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"X"}`},
		{"direct chat never has a participant", inDirect, `{"remoteJid":"6282222222222@s.whatsapp.net","fromMe":true,"id":"3EB0DIRECT"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertJSON(t, warestjson.Key(tt.r), tt.want)
		})
	}
}

var fullMedia = message.Media{MIME: "image/jpeg", FileName: "a.pdf", Size: 2048, Seconds: 9, Width: 640, Height: 480, Pages: 4,
	URL: "https://mmg.whatsapp.net/x", DirectPath: "/v/t62/x", MediaKey: []byte{1, 2, 3}, FileSHA256: []byte{4, 5, 6}, FileEncSHA256: []byte{7, 8, 9}}

func mediaWith(f func(*message.Media)) message.Media {
	m := fullMedia
	f(&m)
	return m
}

// handles is the JSON of fullMedia's common fields, base64 for the bytes.
const handles = `"mimetype":"image/jpeg","fileLength":2048,"url":"https://mmg.whatsapp.net/x","directPath":"/v/t62/x",` +
	`"mediaKey":"AQID","fileSha256":"BAUG","fileEncSha256":"BwgJ"`

func TestWABody(t *testing.T) {
	t.Parallel()
	expiry := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name string
		c    message.Content
		want string
	}{
		{"plain text is a conversation", text("halo"), `{"conversation":"halo"}`},
		{"mentions make an extended text", text("hi @budi", func(c *message.Content) { c.Mentions = []chat.JID{budi, budiLID} }),
			`{"extendedTextMessage":{"text":"hi @budi","contextInfo":{"mentionedJid":["6281234567890@s.whatsapp.net","123456789012345@lid"]}}}`},
		{"reply in a group quotes the author", text("yes", func(c *message.Content) { c.Reply = &inGroup }),
			`{"extendedTextMessage":{"text":"yes","contextInfo":{"stanzaId":"3EB0TARGET","participant":"6281234567890@s.whatsapp.net"}}}`},
		{"reply without author", text("yes", func(c *message.Content) { c.Reply = &message.Reference{Chat: sari, ID: "Q1"} }),
			`{"extendedTextMessage":{"text":"yes","contextInfo":{"stanzaId":"Q1"}}}`},
		{"forwarded", text("fw", func(c *message.Content) { c.Forwarded = true }),
			`{"extendedTextMessage":{"text":"fw","contextInfo":{"isForwarded":true}}}`},
		{"everything in the context", text("all", func(c *message.Content) {
			c.Mentions, c.Reply, c.Forwarded = []chat.JID{sari}, &inGroup, true
		}), `{"extendedTextMessage":{"text":"all","contextInfo":{"mentionedJid":["6282222222222@s.whatsapp.net"],"stanzaId":"3EB0TARGET",` +
			`"participant":"6281234567890@s.whatsapp.net","isForwarded":true}}}`},

		{"image", withMedia(message.KindImage, "look", fullMedia),
			`{"imageMessage":{` + handles + `,"caption":"look","width":640,"height":480}}`},
		{"view-once image replying", message.Content{Kind: message.KindImage, Media: &fullMedia, ViewOnce: true, Reply: &inDirect},
			`{"imageMessage":{` + handles + `,"viewOnce":true,"width":640,"height":480,"contextInfo":{"stanzaId":"3EB0DIRECT","participant":"6282222222222@s.whatsapp.net"}}}`},
		{"video", withMedia(message.KindVideo, "clip", fullMedia),
			`{"videoMessage":{` + handles + `,"caption":"clip","width":640,"height":480,"seconds":9,"gifPlayback":false}}`},
		{"gif", withMedia(message.KindVideo, "", mediaWith(func(m *message.Media) { m.GIF = true })),
			`{"videoMessage":{` + handles + `,"width":640,"height":480,"seconds":9,"gifPlayback":true}}`},
		{"audio", withMedia(message.KindAudio, "", fullMedia), `{"audioMessage":{` + handles + `,"seconds":9,"ptt":false}}`},
		{"voice note", withMedia(message.KindAudio, "", mediaWith(func(m *message.Media) { m.PTT = true })),
			`{"audioMessage":{` + handles + `,"seconds":9,"ptt":true}}`},
		{"document", withMedia(message.KindDocument, "the file", fullMedia),
			`{"documentMessage":{` + handles + `,"caption":"the file","fileName":"a.pdf","pageCount":4}}`},
		{"sticker", withMedia(message.KindSticker, "", fullMedia), `{"stickerMessage":{` + handles + `,"width":640,"height":480}}`},
		{"media without handles", withMedia(message.KindImage, "", message.Media{MIME: "image/png"}),
			`{"imageMessage":{"mimetype":"image/png","fileLength":0,"url":"","directPath":"","mediaKey":"","fileSha256":"","fileEncSha256":"","width":0,"height":0}}`},

		{"location", message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: -6.175, Longitude: 106.827, Name: "Monas", Address: "Jakarta"}},
			`{"locationMessage":{"degreesLatitude":-6.175,"degreesLongitude":106.827,"name":"Monas","address":"Jakarta"}}`},
		{"one contact", message.Content{Kind: message.KindContact, Contacts: []message.Contact{{DisplayName: "Budi", VCard: "V1"}}},
			`{"contactMessage":{"displayName":"Budi","vcard":"V1"}}`},
		{"several contacts", message.Content{Kind: message.KindContact, Contacts: []message.Contact{{DisplayName: "Budi", VCard: "V1"}, {DisplayName: "Sari", VCard: "V2"}}},
			`{"contactsArrayMessage":{"contacts":[{"displayName":"Budi","vcard":"V1"},{"displayName":"Sari","vcard":"V2"}]}}`},
		{"poll", message.Content{Kind: message.KindPoll, Poll: &message.Poll{Question: "Lunch?", Options: []string{"rice", "noodles"}, SelectableCount: 1}},
			`{"pollCreationMessage":{"name":"Lunch?","options":[{"optionName":"rice"},{"optionName":"noodles"}],"selectableOptionsCount":1}}`},
		{"poll vote", message.Content{Kind: message.KindPollVote, PollVote: &message.PollVote{Poll: inGroup, Selected: []string{"rice"}}},
			`{"pollUpdateMessage":{"pollCreationMessageKey":{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0TARGET",` +
				`"participant":"6281234567890@s.whatsapp.net"},"vote":{"selectedOptions":["rice"]}}}`},
		{"reaction", message.Content{Kind: message.KindReaction, Target: &inDirect, Emoji: "❤️"},
			`{"reactionMessage":{"key":{"remoteJid":"6282222222222@s.whatsapp.net","fromMe":true,"id":"3EB0DIRECT"},"text":"❤️"}}`},
		{"reaction removed", message.Content{Kind: message.KindReaction, Target: &inDirect},
			`{"reactionMessage":{"key":{"remoteJid":"6282222222222@s.whatsapp.net","fromMe":true,"id":"3EB0DIRECT"},"text":""}}`},
		{"edit", message.Content{Kind: message.KindEdit, Target: &inGroup, Text: "fixed"},
			`{"protocolMessage":{"type":"MESSAGE_EDIT","key":{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0TARGET",` +
				`"participant":"6281234567890@s.whatsapp.net"},"editedMessage":{"conversation":"fixed"}}}`},
		{"revoke", message.Content{Kind: message.KindRevoke, Target: &inDirect},
			`{"protocolMessage":{"type":"REVOKE","key":{"remoteJid":"6282222222222@s.whatsapp.net","fromMe":true,"id":"3EB0DIRECT"}}}`},
		{"pin", message.Content{Kind: message.KindPin, Target: &inDirect},
			`{"pinInChatMessage":{"key":{"remoteJid":"6282222222222@s.whatsapp.net","fromMe":true,"id":"3EB0DIRECT"},"type":1}}`},
		{"unpin", message.Content{Kind: message.KindPin, Target: &inDirect, Unpin: true},
			`{"pinInChatMessage":{"key":{"remoteJid":"6282222222222@s.whatsapp.net","fromMe":true,"id":"3EB0DIRECT"},"type":2}}`},
		{"group invite", message.Content{Kind: message.KindGroupInvite, Text: "join us",
			Invite: &message.GroupInvite{Group: group, GroupName: "Family", Code: "AbCd", Expiration: expiry}},
			`{"groupInviteMessage":{"groupJid":"120363041234567890@g.us","inviteCode":"AbCd","groupName":"Family","inviteExpiration":1741064767,"caption":"join us"}}`},
		{"group invite without expiry", message.Content{Kind: message.KindGroupInvite,
			Invite: &message.GroupInvite{Group: group, GroupName: "Family", Code: "AbCd"}},
			`{"groupInviteMessage":{"groupJid":"120363041234567890@g.us","inviteCode":"AbCd","groupName":"Family","inviteExpiration":0,"caption":""}}`},
		{"button answer", message.Content{Kind: message.KindInteractiveReply, Answer: &message.InteractiveReply{ID: "b1", Text: "Yes", Reply: inDirect}},
			`{"buttonsResponseMessage":{"selectedButtonId":"b1","selectedDisplayText":"Yes"}}`},
		{"button answer quoting", message.Content{Kind: message.KindInteractiveReply, Reply: &inDirect, Answer: &message.InteractiveReply{ID: "b1", Text: "Yes"}},
			`{"buttonsResponseMessage":{"selectedButtonId":"b1","selectedDisplayText":"Yes","contextInfo":{"stanzaId":"3EB0DIRECT","participant":"6282222222222@s.whatsapp.net"}}}`},
		{"buttons are a native-flow interactive message", message.Content{Kind: message.KindButtons, Text: "Pick", Reply: &inDirect,
			Buttons: &message.Buttons{Footer: "f", Buttons: []message.Button{
				{ID: "yes", Text: "Yes"},
				{Kind: message.ButtonURL, Text: "Site", URL: "https://x.id"},
				{Kind: message.ButtonCall, Text: "Call", Phone: "+62812"},
				{Kind: message.ButtonCopy, Text: "Code", CopyCode: "SAVE"}}}},
			`{"interactiveMessage":{"header":{"title":"","hasMediaAttachment":false},"body":{"text":"Pick"},"footer":{"text":"f"},` +
				`"nativeFlowMessage":{"buttons":[` +
				`{"name":"quick_reply","buttonParamsJson":"{\"display_text\":\"Yes\",\"id\":\"yes\"}"},` +
				`{"name":"cta_url","buttonParamsJson":"{\"display_text\":\"Site\",\"url\":\"https://x.id\",\"merchant_url\":\"https://x.id\"}"},` +
				`{"name":"cta_call","buttonParamsJson":"{\"display_text\":\"Call\",\"phone_number\":\"+62812\"}"},` +
				`{"name":"cta_copy","buttonParamsJson":"{\"display_text\":\"Code\",\"copy_code\":\"SAVE\"}"}],` +
				`"messageParamsJson":"","messageVersion":1},` +
				`"contextInfo":{"stanzaId":"3EB0DIRECT","participant":"6282222222222@s.whatsapp.net"}}}`},
		{"buttons with a header image", message.Content{Kind: message.KindButtons, Text: "Pick",
			Buttons: &message.Buttons{Image: &fullMedia, Buttons: []message.Button{{ID: "yes", Text: "Yes"}}}},
			`{"interactiveMessage":{"header":{"title":"","hasMediaAttachment":true,"imageMessage":{` + handles + `,"width":640,"height":480}},` +
				`"body":{"text":"Pick"},"footer":{"text":""},"nativeFlowMessage":{"buttons":[` +
				`{"name":"quick_reply","buttonParamsJson":"{\"display_text\":\"Yes\",\"id\":\"yes\"}"}],"messageParamsJson":"","messageVersion":1}}}`},
		{"list is a single_select", message.Content{Kind: message.KindList, Text: "Menu", List: &message.List{Title: "T", Footer: "f", ButtonText: "Open",
			Sections: []message.ListSection{{Title: "S", Rows: []message.ListRow{{ID: "r1", Title: "One", Description: "d"}}}}}},
			`{"interactiveMessage":{"header":{"title":"T","hasMediaAttachment":false},"body":{"text":"Menu"},"footer":{"text":"f"},` +
				`"nativeFlowMessage":{"buttons":[{"name":"single_select","buttonParamsJson":` +
				`"{\"title\":\"Open\",\"sections\":[{\"title\":\"S\",\"rows\":[{\"title\":\"One\",\"description\":\"d\",\"id\":\"r1\"}]}]}"}],` +
				`"messageParamsJson":"","messageVersion":1}}}`},
		{"legacy buttons (inbound)", message.Content{Kind: message.KindButtons, Text: "Pick",
			Buttons: &message.Buttons{Legacy: true, Footer: "f", Buttons: []message.Button{{ID: "b1", Text: "Yes"}}}},
			`{"buttonsMessage":{"contentText":"Pick","footerText":"f","headerType":1,"buttons":[{"buttonId":"b1","buttonText":{"displayText":"Yes"},"type":1}]}}`},
		{"legacy buttons with an image (inbound)", message.Content{Kind: message.KindButtons, Text: "Pick",
			Buttons: &message.Buttons{Legacy: true, Image: &fullMedia, Buttons: []message.Button{{ID: "b1", Text: "Yes"}}}},
			`{"buttonsMessage":{"contentText":"Pick","footerText":"","headerType":4,"imageMessage":{` + handles + `,"width":640,"height":480},` +
				`"buttons":[{"buttonId":"b1","buttonText":{"displayText":"Yes"},"type":1}]}}`},
		{"legacy list (inbound)", message.Content{Kind: message.KindList, Text: "Menu", Forwarded: true, List: &message.List{Legacy: true, Title: "T",
			ButtonText: "Open", Sections: []message.ListSection{{Title: "S", Rows: []message.ListRow{{ID: "r1", Title: "One"}}}}}},
			`{"listMessage":{"title":"T","description":"Menu","buttonText":"Open","footerText":"","listType":1,` +
				`"sections":[{"title":"S","rows":[{"rowId":"r1","title":"One","description":""}]}],"contextInfo":{"isForwarded":true}}}`},
		{"unknown kind renders nothing", message.Content{Kind: message.KindUnknown, Text: "?"}, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertJSON(t, warestjson.WABody(tt.c), tt.want)
		})
	}
}

func TestMedia(t *testing.T) {
	t.Parallel()
	for _, c := range []message.Content{text("hi"), {Kind: message.KindImage, Text: "no media"}, {Kind: message.KindLocation, Location: &message.Location{}}} {
		if m := warestjson.Media(c); m != nil {
			t.Fatalf("Media(%s) = %+v, want nil", c.Kind, m)
		}
	}
	tests := []struct {
		c    message.Content
		want string
	}{
		{withMedia(message.KindImage, "look", fullMedia), `{"hasMedia":true,"type":"imageMessage","mimeType":"image/jpeg","caption":"look",` +
			`"fileSha256":"BAUG","mediaKey":"AQID","url":"https://mmg.whatsapp.net/x","directPath":"/v/t62/x","fileLength":2048,` +
			`"fileName":"a.pdf","seconds":9,"pageCount":4,"width":640,"height":480}`},
		{withMedia(message.KindVideo, "", message.Media{MIME: "video/mp4", GIF: true, Seconds: 3}),
			`{"hasMedia":true,"type":"videoMessage","mimeType":"video/mp4","fileLength":0,"seconds":3,"gifPlayback":true}`},
		{withMedia(message.KindAudio, "", message.Media{MIME: "audio/ogg", PTT: true}), `{"hasMedia":true,"type":"audioMessage","mimeType":"audio/ogg","fileLength":0}`},
		{withMedia(message.KindDocument, "", message.Media{MIME: "application/pdf", FileName: "x.pdf"}),
			`{"hasMedia":true,"type":"documentMessage","mimeType":"application/pdf","fileLength":0,"fileName":"x.pdf"}`},
		{withMedia(message.KindSticker, "", message.Media{MIME: "image/webp"}), `{"hasMedia":true,"type":"stickerMessage","mimeType":"image/webp","fileLength":0}`},
		// Mirrored: the link replaces the CDN URL, directPath goes, the mediaKey stays.
		{withMedia(message.KindImage, "", message.Media{MIME: "image/jpeg", URL: "https://mmg.whatsapp.net/x", DirectPath: "/v/x",
			MediaKey: []byte{1, 2, 3}, Mirror: &message.Mirror{Key: "incoming-media/s1/imageMessage/ab.jpg", Driver: "s3", URL: "https://s3/ab.jpg?sig"}}),
			`{"hasMedia":true,"type":"imageMessage","mimeType":"image/jpeg","mediaKey":"AQID","url":"https://s3/ab.jpg?sig","fileLength":0,` +
				`"storageKey":"incoming-media/s1/imageMessage/ab.jpg","storageDriver":"s3"}`},
	}
	for _, tt := range tests {
		m := warestjson.Media(tt.c)
		if m == nil {
			t.Fatalf("Media(%s) = nil", tt.c.Kind)
		}
		assertJSON(t, m, tt.want)
	}
}

func TestWABody_MalformedInboundRendersEmptyInsteadOfPanicking(t *testing.T) {
	t.Parallel()
	for _, k := range []message.Kind{message.KindLocation, message.KindPoll, message.KindPollVote, message.KindReaction, message.KindEdit,
		message.KindRevoke, message.KindPin, message.KindGroupInvite, message.KindInteractiveReply, message.KindButtons, message.KindList} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			c := message.Content{Kind: k, Text: "x"}
			if got := warestjson.WABody(c); len(got) != 0 {
				t.Fatalf("WABody(%s without its part) = %v, want {}", k, got)
			}
			_ = warestjson.Tags(c)
			if warestjson.Media(c) != nil {
				t.Fatal("media for a content without media")
			}
		})
	}
	// Media kinds without media still render their caption.
	assertJSON(t, warestjson.WABody(message.Content{Kind: message.KindDocument, Text: "cap"}), `{"documentMessage":{"caption":"cap"}}`)
}
