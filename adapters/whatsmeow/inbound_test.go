package whatsmeow

import (
	"reflect"
	"testing"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waHistorySync"
	"go.mau.fi/whatsmeow/proto/waWeb"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

var (
	t0      = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	peer    = types.NewJID("6281111", types.DefaultUserServer)
	peerLID = types.NewJID("999", types.HiddenUserServer)
	group   = types.NewJID("120363000000000001", types.GroupServer)
	me      = session.Identity{JID: "6280000@s.whatsapp.net", LID: "555@lid", Name: "Me"}
)

func dmInfo() types.MessageInfo {
	return types.MessageInfo{MessageSource: types.MessageSource{Chat: peer, Sender: peer, SenderAlt: peerLID},
		ID: "MSG1", PushName: "Budi", Timestamp: t0}
}

func groupInfo() types.MessageInfo {
	i := dmInfo()
	i.Chat, i.IsGroup, i.Sender, i.SenderAlt = group, true, peerLID, types.EmptyJID
	return i
}

func testView() view {
	return view{session: "s1", me: me, now: t0, historyMax: 10, alt: func(j types.JID) types.JID {
		if j == peerLID {
			return peer
		}
		return types.EmptyJID
	}}
}

var media = &message.Media{URL: "https://mmg/x", DirectPath: "/v/x", MediaKey: []byte{1}, FileSHA256: []byte{2}, FileEncSHA256: []byte{3}}

func withMedia(m message.Media) *message.Media {
	m.URL, m.DirectPath, m.MediaKey, m.FileSHA256, m.FileEncSHA256 = media.URL, media.DirectPath, media.MediaKey, media.FileSHA256, media.FileEncSHA256
	return &m
}

func key(id string, fromMe bool, participant string) *waCommon.MessageKey {
	k := &waCommon.MessageKey{ID: proto.String(id), FromMe: proto.Bool(fromMe), RemoteJID: proto.String(peer.String())}
	if participant != "" {
		k.Participant = proto.String(participant)
	}
	return k
}

func TestMessageContentOfEveryKind(t *testing.T) {
	t.Parallel()
	h := func(b []byte) []byte { return b }
	img := &waE2E.ImageMessage{URL: proto.String(media.URL), DirectPath: proto.String(media.DirectPath), MediaKey: h(media.MediaKey),
		FileSHA256: h(media.FileSHA256), FileEncSHA256: h(media.FileEncSHA256), Mimetype: proto.String("image/jpeg"), Caption: proto.String("cap"),
		FileLength: proto.Uint64(10), Width: proto.Uint32(3), Height: proto.Uint32(4)}
	vid := &waE2E.VideoMessage{URL: img.URL, DirectPath: img.DirectPath, MediaKey: img.MediaKey, FileSHA256: img.FileSHA256, FileEncSHA256: img.FileEncSHA256,
		Mimetype: proto.String("video/mp4"), Seconds: proto.Uint32(5), GifPlayback: proto.Bool(true)}
	// Buttons and a list exactly as we send them (view-once wrapped native flow).
	sentButtons := message.Content{Kind: message.KindButtons, Text: "Pick", Buttons: &message.Buttons{Footer: "f",
		Image: &message.Media{MIME: "image/png", Width: 3, Height: 2, BlobKey: "h"}, Buttons: []message.Button{
			{Kind: message.ButtonReply, ID: "yes", Text: "Yes"}, {Kind: message.ButtonURL, Text: "Site", URL: "https://x.id"},
			{Kind: message.ButtonCall, Text: "Call", Phone: "+62812"}, {Kind: message.ButtonCopy, Text: "Code", CopyCode: "SAVE20"}}}}
	sentList := message.Content{Kind: message.KindList, Text: "Menu", List: &message.List{Title: "T", Footer: "f", ButtonText: "Open",
		Sections: []message.ListSection{{Title: "S", Rows: []message.ListRow{{ID: "r1", Title: "One", Description: "d"}}}}}}
	nativeButtons, err := toProto(to, sentButtons, built{upload: upped, now: t0})
	if err != nil {
		t.Fatal(err)
	}
	nativeList, err := toProto(to, sentList, built{now: t0})
	if err != nil {
		t.Fatal(err)
	}
	receivedButtons := sentButtons
	receivedButtons.Buttons = &message.Buttons{Footer: "f", Buttons: sentButtons.Buttons.Buttons, Image: &message.Media{MIME: "image/png",
		Size: 5, Width: 3, Height: 2, URL: "https://mmg/u", DirectPath: "/v/u", MediaKey: []byte{7}, FileSHA256: []byte{8}, FileEncSHA256: []byte{9}}}

	tests := []struct {
		name string
		msg  *waE2E.Message
		want message.Content
	}{
		{"text", &waE2E.Message{Conversation: proto.String("hi")}, message.Content{Kind: message.KindText, Text: "hi"}},
		{"native-flow buttons (not view-once content)", nativeButtons, receivedButtons},
		{"native-flow list", nativeList, sentList},
		{"native-flow payment is unknown", &waE2E.Message{InteractiveMessage: &waE2E.InteractiveMessage{Body: &waE2E.InteractiveMessage_Body{Text: proto.String("Pay")},
			InteractiveMessage: &waE2E.InteractiveMessage_NativeFlowMessage_{NativeFlowMessage: &waE2E.InteractiveMessage_NativeFlowMessage{
				Buttons: []*waE2E.InteractiveMessage_NativeFlowMessage_NativeFlowButton{{Name: proto.String("review_and_pay"), ButtonParamsJSON: proto.String("{}")}}}}}},
			message.Content{Kind: message.KindUnknown, Text: "Pay"}},
		{"legacy buttons", &waE2E.Message{ButtonsMessage: &waE2E.ButtonsMessage{ContentText: proto.String("Pick"), FooterText: proto.String("f"),
			Buttons:     []*waE2E.ButtonsMessage_Button{{ButtonID: proto.String("b1"), ButtonText: &waE2E.ButtonsMessage_Button_ButtonText{DisplayText: proto.String("Yes")}}},
			ContextInfo: &waE2E.ContextInfo{IsForwarded: proto.Bool(true)}}},
			message.Content{Kind: message.KindButtons, Text: "Pick", Forwarded: true, Buttons: &message.Buttons{Footer: "f", Legacy: true,
				Buttons: []message.Button{{Kind: message.ButtonReply, ID: "b1", Text: "Yes"}}}}},
		{"legacy list", &waE2E.Message{ListMessage: &waE2E.ListMessage{Title: proto.String("T"), Description: proto.String("Menu"), ButtonText: proto.String("Open"),
			Sections: []*waE2E.ListMessage_Section{{Title: proto.String("S"), Rows: []*waE2E.ListMessage_Row{{RowID: proto.String("r1"), Title: proto.String("One")}}}}}},
			message.Content{Kind: message.KindList, Text: "Menu", List: &message.List{Title: "T", ButtonText: "Open", Legacy: true,
				Sections: []message.ListSection{{Title: "S", Rows: []message.ListRow{{ID: "r1", Title: "One"}}}}}}},
		{"extended text with reply, mentions, forwarded", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("yo @6280000"),
			ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("Q1"), Participant: proto.String("6280000@s.whatsapp.net"),
				MentionedJID: []string{"6280000@s.whatsapp.net"}, IsForwarded: proto.Bool(true)}}},
			message.Content{Kind: message.KindText, Text: "yo @6280000", Mentions: []chat.JID{chat.UserJID("6280000")}, Forwarded: true,
				Reply: &message.Reference{Chat: chat.UserJID("6281111"), ID: "Q1", Sender: chat.UserJID("6280000"), FromMe: true}}},
		{"image", &waE2E.Message{ImageMessage: img},
			message.Content{Kind: message.KindImage, Text: "cap", Media: withMedia(message.Media{MIME: "image/jpeg", Size: 10, Width: 3, Height: 4})}},
		{"view-once image (V2 wrapper)", &waE2E.Message{ViewOnceMessageV2: &waE2E.FutureProofMessage{Message: &waE2E.Message{ImageMessage: img}}},
			message.Content{Kind: message.KindImage, Text: "cap", ViewOnce: true, Media: withMedia(message.Media{MIME: "image/jpeg", Size: 10, Width: 3, Height: 4})}},
		{"view-once video (extension) inside ephemeral", &waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
			ViewOnceMessageV2Extension: &waE2E.FutureProofMessage{Message: &waE2E.Message{VideoMessage: vid}}}}},
			message.Content{Kind: message.KindVideo, ViewOnce: true, Media: withMedia(message.Media{MIME: "video/mp4", Seconds: 5, GIF: true})}},
		{"voice note", &waE2E.Message{ViewOnceMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			URL: img.URL, DirectPath: img.DirectPath, MediaKey: img.MediaKey, FileSHA256: img.FileSHA256, FileEncSHA256: img.FileEncSHA256,
			Mimetype: proto.String("audio/ogg; codecs=opus"), Seconds: proto.Uint32(7), PTT: proto.Bool(true)}}}},
			message.Content{Kind: message.KindAudio, ViewOnce: true, Media: withMedia(message.Media{MIME: "audio/ogg; codecs=opus", Seconds: 7, PTT: true})}},
		{"document with caption", &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
			URL: img.URL, DirectPath: img.DirectPath, MediaKey: img.MediaKey, FileSHA256: img.FileSHA256, FileEncSHA256: img.FileEncSHA256,
			Mimetype: proto.String("application/pdf"), FileName: proto.String("a.pdf"), PageCount: proto.Uint32(2), Caption: proto.String("doc")}}}},
			message.Content{Kind: message.KindDocument, Text: "doc", Media: withMedia(message.Media{MIME: "application/pdf", FileName: "a.pdf", Pages: 2})}},
		{"sticker", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{URL: img.URL, DirectPath: img.DirectPath, MediaKey: img.MediaKey,
			FileSHA256: img.FileSHA256, FileEncSHA256: img.FileEncSHA256, Mimetype: proto.String("image/webp"), IsAnimated: proto.Bool(true)}},
			message.Content{Kind: message.KindSticker, Media: withMedia(message.Media{MIME: "image/webp", GIF: true})}},
		{"location", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-6.2), DegreesLongitude: proto.Float64(106.8), Name: proto.String("Monas")}},
			message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: -6.2, Longitude: 106.8, Name: "Monas"}}},
		{"live location", &waE2E.Message{LiveLocationMessage: &waE2E.LiveLocationMessage{DegreesLatitude: proto.Float64(1), DegreesLongitude: proto.Float64(2)}},
			message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: 1, Longitude: 2, Live: true}}},
		{"contact", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("Ana"), Vcard: proto.String("BEGIN:VCARD")}},
			message.Content{Kind: message.KindContact, Contacts: []message.Contact{{DisplayName: "Ana", VCard: "BEGIN:VCARD"}}}},
		{"contacts", &waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{DisplayName: proto.String("2 contacts"), Contacts: []*waE2E.ContactMessage{
			{DisplayName: proto.String("A"), Vcard: proto.String("V1")}, {DisplayName: proto.String("B"), Vcard: proto.String("V2")}}}},
			message.Content{Kind: message.KindContact, Text: "2 contacts", Contacts: []message.Contact{{DisplayName: "A", VCard: "V1"}, {DisplayName: "B", VCard: "V2"}}}},
		{"poll (v3)", &waE2E.Message{PollCreationMessageV3: &waE2E.PollCreationMessage{Name: proto.String("Lunch?"), SelectableOptionsCount: proto.Uint32(1),
			Options: []*waE2E.PollCreationMessage_Option{{OptionName: proto.String("rice")}, {OptionName: proto.String("noodles")}}}},
			message.Content{Kind: message.KindPoll, Poll: &message.Poll{Question: "Lunch?", Options: []string{"rice", "noodles"}, SelectableCount: 1}}},
		{"reaction to my message", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: key("T1", false, ""), Text: proto.String("👍")}},
			message.Content{Kind: message.KindReaction, Emoji: "👍", Target: &message.Reference{Chat: chat.UserJID("6281111"), ID: "T1", FromMe: true}}},
		{"reaction to their own message", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: key("T2", true, "")}},
			message.Content{Kind: message.KindReaction, Target: &message.Reference{Chat: chat.UserJID("6281111"), ID: "T2", Sender: chat.UserJID("6281111")}}},
		{"revoke", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: key("T3", true, "")}},
			message.Content{Kind: message.KindRevoke, Target: &message.Reference{Chat: chat.UserJID("6281111"), ID: "T3", Sender: chat.UserJID("6281111")}}},
		{"edit (edited message wrapper)", &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
			Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), Key: key("T4", true, ""), EditedMessage: &waE2E.Message{Conversation: proto.String("fixed")}}}}},
			message.Content{Kind: message.KindEdit, Text: "fixed", Target: &message.Reference{Chat: chat.UserJID("6281111"), ID: "T4", Sender: chat.UserJID("6281111")}}},
		{"unpin", &waE2E.Message{PinInChatMessage: &waE2E.PinInChatMessage{Key: key("T5", false, ""), Type: waE2E.PinInChatMessage_UNPIN_FOR_ALL.Enum()}},
			message.Content{Kind: message.KindPin, Unpin: true, Target: &message.Reference{Chat: chat.UserJID("6281111"), ID: "T5", FromMe: true}}},
		{"group invite", &waE2E.Message{GroupInviteMessage: &waE2E.GroupInviteMessage{GroupJID: proto.String(group.String()), InviteCode: proto.String("ABC"),
			GroupName: proto.String("Team"), InviteExpiration: proto.Int64(t0.Unix())}},
			message.Content{Kind: message.KindGroupInvite, Invite: &message.GroupInvite{Group: toDomain(group), GroupName: "Team", Code: "ABC", Expiration: t0}}},
		{"button reply", &waE2E.Message{ButtonsResponseMessage: &waE2E.ButtonsResponseMessage{SelectedButtonID: proto.String("b1"),
			Response: &waE2E.ButtonsResponseMessage_SelectedDisplayText{SelectedDisplayText: "Yes"}, ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("Q9")}}},
			message.Content{Kind: message.KindInteractiveReply, Text: "Yes", Answer: &message.InteractiveReply{ID: "b1", Text: "Yes",
				Reply: message.Reference{Chat: chat.UserJID("6281111"), ID: "Q9"}}}},
		{"list reply", &waE2E.Message{ListResponseMessage: &waE2E.ListResponseMessage{Title: proto.String("Row 2"),
			SingleSelectReply: &waE2E.ListResponseMessage_SingleSelectReply{SelectedRowID: proto.String("r2")}}},
			message.Content{Kind: message.KindInteractiveReply, Text: "Row 2", Answer: &message.InteractiveReply{ID: "r2", Text: "Row 2"}}},
		{"something new", &waE2E.Message{KeepInChatMessage: &waE2E.KeepInChatMessage{}}, message.Content{Kind: message.KindUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			evs := toEvents(testView(), &events.Message{Info: dmInfo(), RawMessage: tt.msg})
			if len(evs) != 1 {
				t.Fatalf("events = %#v", evs)
			}
			got := evs[0].(ports.TransportMessage).Message
			want := message.Inbound{ID: "MSG1", SessionID: "s1", Chat: chat.UserJID("6281111"), Content: tt.want, Timestamp: t0,
				Sender: chat.Party{JID: chat.UserJID("6281111"), LID: chat.JID{User: "999", Server: chat.ServerLID}, PushName: "Budi"}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got.Content, want.Content)
			}
		})
	}
}

func TestHousekeepingMessagesMapToNothing(t *testing.T) {
	t.Parallel()
	for _, m := range []*waE2E.Message{
		{SenderKeyDistributionMessage: &waE2E.SenderKeyDistributionMessage{GroupID: proto.String("g")}},
		{MessageContextInfo: &waE2E.MessageContextInfo{MessageSecret: []byte{1}}},
		{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_APP_STATE_SYNC_KEY_SHARE.Enum()}},
	} {
		if evs := toEvents(testView(), &events.Message{Info: dmInfo(), Message: m}); len(evs) != 0 {
			t.Errorf("%v mapped to %#v", m, evs)
		}
	}
}

func TestGroupMessageSenderIsCompletedFromTheLIDStore(t *testing.T) {
	t.Parallel()
	evs := toEvents(testView(), &events.Message{Info: groupInfo(), Message: &waE2E.Message{Conversation: proto.String("hi all")}})
	m := evs[0].(ports.TransportMessage).Message
	if !m.IsGroup() || m.Sender.JID != chat.UserJID("6281111") || m.Sender.LID.String() != "999@lid" {
		t.Errorf("group message %+v", m)
	}
	// A reaction in a group names the target's author.
	evs = toEvents(testView(), &events.Message{Info: groupInfo(), Message: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{
		Key: &waCommon.MessageKey{ID: proto.String("T"), RemoteJID: proto.String(group.String()), Participant: proto.String(me.LID)}}}})
	if tgt := evs[0].(ports.TransportMessage).Message.Content.Target; tgt.Sender.String() != me.LID || !tgt.FromMe {
		t.Errorf("group reaction target %+v", tgt)
	}
}

func TestPollVoteUsesTheDecryptedVote(t *testing.T) {
	t.Parallel()
	v := testView()
	book := newPollBook()
	book.remember("POLL", []string{"rice", "noodles"})
	v.pollOptions = book.options
	v.vote = &waE2E.PollVoteMessage{SelectedOptions: hashPollOptions([]string{"noodles"})}
	evs := toEvents(v, &events.Message{Info: dmInfo(), Message: &waE2E.Message{PollUpdateMessage: &waE2E.PollUpdateMessage{
		PollCreationMessageKey: key("POLL", false, "")}}})
	got := evs[0].(ports.TransportMessage).Message.Content
	if got.Kind != message.KindPollVote || got.PollVote.Poll.ID != "POLL" || !got.PollVote.Poll.FromMe || !reflect.DeepEqual(got.PollVote.Selected, []string{"noodles"}) {
		t.Errorf("vote = %+v", got.PollVote)
	}
}

func TestNonMessageEvents(t *testing.T) {
	t.Parallel()
	name, topic, locked := "New name", "About", true
	by := peerLID
	party := chat.Party{JID: chat.UserJID("6281111"), LID: chat.JID{User: "999", Server: chat.ServerLID}}
	other := types.NewJID("6283333", types.DefaultUserServer)
	otherParty := chat.Party{JID: chat.UserJID("6283333")}
	g := toDomain(group)
	tests := []struct {
		name string
		evt  any
		want []ports.TransportEvent
	}{
		{"read receipt", &events.Receipt{MessageSource: types.MessageSource{Chat: peer, Sender: peerLID}, MessageIDs: []string{"A", "B"}, Timestamp: t0, Type: types.ReceiptTypeRead},
			[]ports.TransportEvent{ports.TransportReceipt{SessionID: "s1", Chat: chat.UserJID("6281111"), Sender: party, IDs: []string{"A", "B"}, Status: message.StatusRead, At: t0}}},
		{"delivered receipt", &events.Receipt{MessageSource: types.MessageSource{Chat: peer, Sender: peer}, MessageIDs: []string{"A"}, Timestamp: t0},
			[]ports.TransportEvent{ports.TransportReceipt{SessionID: "s1", Chat: chat.UserJID("6281111"), Sender: chat.Party{JID: chat.UserJID("6281111")}, IDs: []string{"A"}, Status: message.StatusDelivered, At: t0}}},
		{"played receipt", &events.Receipt{MessageSource: types.MessageSource{Chat: peer, Sender: peer, SenderAlt: peerLID}, MessageIDs: []string{"A"}, Timestamp: t0, Type: types.ReceiptTypePlayed},
			[]ports.TransportEvent{ports.TransportReceipt{SessionID: "s1", Chat: chat.UserJID("6281111"), Sender: party, IDs: []string{"A"}, Status: message.StatusPlayed, At: t0}}},
		{"own device read receipt", &events.Receipt{Type: types.ReceiptTypeReadSelf}, nil},
		{"presence", &events.Presence{From: peerLID, LastSeen: t0, Unavailable: true},
			[]ports.TransportEvent{ports.TransportPresence{SessionID: "s1", From: party, LastSeen: t0}}},
		{"recording", &events.ChatPresence{MessageSource: types.MessageSource{Chat: group, Sender: peerLID}, State: types.ChatPresenceComposing, Media: types.ChatPresenceMediaAudio},
			[]ports.TransportEvent{ports.TransportChatPresence{SessionID: "s1", Chat: g, From: party, State: ports.ChatRecording}}},
		{"typing", &events.ChatPresence{MessageSource: types.MessageSource{Chat: peer, Sender: peer, SenderAlt: peerLID}, State: types.ChatPresenceComposing},
			[]ports.TransportEvent{ports.TransportChatPresence{SessionID: "s1", Chat: chat.UserJID("6281111"), From: party, State: ports.ChatComposing}}},
		{"paused", &events.ChatPresence{MessageSource: types.MessageSource{Chat: peer, Sender: peer, SenderAlt: peerLID}, State: types.ChatPresencePaused},
			[]ports.TransportEvent{ports.TransportChatPresence{SessionID: "s1", Chat: chat.UserJID("6281111"), From: party, State: ports.ChatPaused}}},
		{"group membership and settings", &events.GroupInfo{JID: group, Sender: &by, SenderPN: &peer, Timestamp: t0,
			Join: []types.JID{other}, Leave: []types.JID{peerLID}, Promote: []types.JID{other}, Demote: []types.JID{other},
			Name: &types.GroupName{Name: name}, Topic: &types.GroupTopic{Topic: topic}, Locked: &types.GroupLocked{IsLocked: locked}},
			[]ports.TransportEvent{
				ports.TransportGroupParticipants{SessionID: "s1", Group: g, Action: ports.GroupAdd, Participants: []chat.Party{otherParty}, By: party, At: t0},
				ports.TransportGroupParticipants{SessionID: "s1", Group: g, Action: ports.GroupRemove, Participants: []chat.Party{party}, By: party, At: t0},
				ports.TransportGroupParticipants{SessionID: "s1", Group: g, Action: ports.GroupPromote, Participants: []chat.Party{otherParty}, By: party, At: t0},
				ports.TransportGroupParticipants{SessionID: "s1", Group: g, Action: ports.GroupDemote, Participants: []chat.Party{otherParty}, By: party, At: t0},
				ports.TransportGroupUpdate{SessionID: "s1", Group: g, By: party, Name: &name, Topic: &topic, Locked: &locked, At: t0},
			}},
		{"join request by the sender", &events.GroupInfo{JID: group, Sender: &by, SenderPN: &peer, Timestamp: t0,
			UnknownChanges: []*waBinary.Node{{Tag: "created_membership_requests", Attrs: waBinary.Attrs{"request_method": "invite_link"}}}},
			[]ports.TransportEvent{ports.TransportGroupJoinRequest{SessionID: "s1", Group: g, Who: party, Method: "invite_link", At: t0}}},
		{"join request naming the participant", &events.GroupInfo{JID: group, Sender: &by, Timestamp: t0,
			UnknownChanges: []*waBinary.Node{{Tag: "created_membership_requests", Attrs: waBinary.Attrs{"request_method": "linked_group_join"},
				Content: []waBinary.Node{{Tag: "participant", Attrs: waBinary.Attrs{"jid": other}}}}}},
			[]ports.TransportEvent{ports.TransportGroupJoinRequest{SessionID: "s1", Group: g, Who: otherParty, Method: "linked_group_join", At: t0}}},
		{"joined group", &events.JoinedGroup{GroupInfo: types.GroupInfo{JID: group, GroupName: types.GroupName{Name: "Team"},
			Participants: []types.GroupParticipant{{JID: peerLID, PhoneNumber: peer, LID: peerLID}}}},
			[]ports.TransportEvent{ports.TransportJoinedGroup{SessionID: "s1", Group: g, Name: "Team", Participants: []chat.Party{party}, At: t0}}},
		{"call offer notice (group video)", &events.CallOfferNotice{BasicCallMeta: types.BasicCallMeta{From: peer, CallCreator: peerLID, CallCreatorAlt: peer, CallID: "C1", Timestamp: t0}, Media: "video", Type: "group"},
			[]ports.TransportEvent{ports.TransportCall{SessionID: "s1", CallID: "C1", From: party, State: ports.CallOffer, Video: true, Group: true, At: t0}}},
		{"call offer", &events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: peer, CallID: "C2", Timestamp: t0}},
			[]ports.TransportEvent{ports.TransportCall{SessionID: "s1", CallID: "C2", From: chat.Party{JID: chat.UserJID("6281111")}, State: ports.CallOffer, At: t0}}},
		{"video call offer", &events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: peer, CallID: "C3", Timestamp: t0},
			Data: &waBinary.Node{Tag: "offer", Content: []waBinary.Node{{Tag: "video"}}}},
			[]ports.TransportEvent{ports.TransportCall{SessionID: "s1", CallID: "C3", From: chat.Party{JID: chat.UserJID("6281111")}, State: ports.CallOffer, Video: true, At: t0}}},
		{"call accept", &events.CallAccept{BasicCallMeta: types.BasicCallMeta{From: peer, CallID: "C2", Timestamp: t0}},
			[]ports.TransportEvent{ports.TransportCall{SessionID: "s1", CallID: "C2", From: chat.Party{JID: chat.UserJID("6281111")}, State: ports.CallAccept, At: t0}}},
		{"call reject", &events.CallReject{BasicCallMeta: types.BasicCallMeta{From: peer, CallID: "C2", Timestamp: t0}},
			[]ports.TransportEvent{ports.TransportCall{SessionID: "s1", CallID: "C2", From: chat.Party{JID: chat.UserJID("6281111")}, State: ports.CallReject, At: t0}}},
		{"call terminate", &events.CallTerminate{BasicCallMeta: types.BasicCallMeta{From: peer, CallID: "C2", Timestamp: t0}},
			[]ports.TransportEvent{ports.TransportCall{SessionID: "s1", CallID: "C2", From: chat.Party{JID: chat.UserJID("6281111")}, State: ports.CallTerminate, At: t0}}},
		{"undecryptable", &events.UndecryptableMessage{Info: dmInfo()},
			[]ports.TransportEvent{ports.TransportUndecryptable{SessionID: "s1", Chat: chat.UserJID("6281111"), Sender: chat.Party{JID: chat.UserJID("6281111"), LID: party.LID, PushName: "Budi"}, ID: "MSG1", At: t0}}},
		{"connected", &events.Connected{}, []ports.TransportEvent{ports.TransportConnected{SessionID: "s1", Me: me}}},
		{"paired", &events.PairSuccess{ID: types.JID{User: "6280000", Server: types.DefaultUserServer, Device: 4}, BusinessName: "Shop", Platform: "smba"},
			[]ports.TransportEvent{ports.TransportPaired{SessionID: "s1", Me: session.Identity{JID: "6280000@s.whatsapp.net", Name: "Shop"}, Platform: "smba"}}},
		{"logged out", &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureMainDeviceGone},
			[]ports.TransportEvent{ports.TransportLoggedOut{SessionID: "s1", Reason: "403: primary device was logged out"}}},
		{"replaced", &events.StreamReplaced{}, []ports.TransportEvent{ports.TransportReplaced{SessionID: "s1"}}},
		{"disconnected steers the loop only", &events.Disconnected{}, nil},
		{"keepalive timeout steers the watchdog only", &events.KeepAliveTimeout{ErrorCount: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := toEvents(testView(), tt.evt); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestHistorySyncIsMappedAndBounded(t *testing.T) {
	t.Parallel()
	web := func(id string, fromMe bool, text string) *waHistorySync.HistorySyncMsg {
		return &waHistorySync.HistorySyncMsg{Message: &waWeb.WebMessageInfo{Key: &waCommon.MessageKey{ID: proto.String(id), FromMe: proto.Bool(fromMe), RemoteJID: proto.String(peer.String())},
			Message: &waE2E.Message{Conversation: proto.String(text)}, MessageTimestamp: proto.Uint64(uint64(t0.Unix()))}}
	}
	evt := &events.HistorySync{Data: &waHistorySync.HistorySync{Progress: proto.Uint32(40), Conversations: []*waHistorySync.Conversation{
		{ID: proto.String(peer.String()), Messages: []*waHistorySync.HistorySyncMsg{web("H1", false, "old"), web("H2", true, "mine"), web("H3", false, "cut")}},
	}}}
	v := testView()
	v.historyMax = 2
	h := toEvents(v, evt)[0].(ports.TransportHistorySync)
	if h.Progress != 40 || len(h.Messages) != 2 {
		t.Fatalf("history = %+v", h)
	}
	first, second := h.Messages[0], h.Messages[1]
	if !first.History || first.ID != "H1" || first.Content.Text != "old" || first.Sender.JID != chat.UserJID("6281111") || !first.Timestamp.Equal(t0) {
		t.Errorf("first = %+v", first)
	}
	if !second.FromMe || second.Sender.JID.String() != me.JID {
		t.Errorf("own history message = %+v", second)
	}
}
