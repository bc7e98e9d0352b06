package whatsmeow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// fakeClient records what the sender asks of WhatsApp.
type fakeClient struct {
	sent     []*waE2E.Message
	to       []types.JID
	extra    []wm.SendRequestExtra
	uploaded [][]byte
	types    []wm.MediaType
	calls    []string
	patches  []appstate.PatchInfo
	fail     error
}

func (f *fakeClient) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, extra ...wm.SendRequestExtra) (wm.SendResponse, error) {
	if f.fail != nil {
		return wm.SendResponse{}, f.fail
	}
	f.sent, f.to, f.extra = append(f.sent, msg), append(f.to, to), append(f.extra, extra...)
	return wm.SendResponse{ID: extra[0].ID, Timestamp: t0}, nil
}

func (f *fakeClient) Upload(_ context.Context, data []byte, mt wm.MediaType) (wm.UploadResponse, error) {
	f.uploaded, f.types = append(f.uploaded, data), append(f.types, mt)
	return wm.UploadResponse{URL: "https://mmg/u", DirectPath: "/v/u", MediaKey: []byte{7}, FileSHA256: []byte{8}, FileEncSHA256: []byte{9},
		FileLength: uint64(len(data))}, nil
}

func (f *fakeClient) MarkRead(_ context.Context, ids []types.MessageID, at time.Time, c, sender types.JID, _ ...types.ReceiptType) error {
	f.calls = append(f.calls, "read "+c.String()+" "+sender.String()+" "+ids[0]+" "+at.UTC().Format(time.RFC3339))
	return nil
}

func (f *fakeClient) SendPresence(_ context.Context, state types.Presence) error {
	f.calls = append(f.calls, "presence "+string(state))
	return nil
}

func (f *fakeClient) SendChatPresence(_ context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error {
	f.calls = append(f.calls, "chat "+jid.String()+" "+string(state)+" "+string(media))
	return nil
}

func (f *fakeClient) SendAppState(_ context.Context, patch appstate.PatchInfo) error {
	f.patches = append(f.patches, patch)
	return nil
}

// blobs is an in-memory BlobStore.
type blobs map[string][]byte

func (b blobs) Put(context.Context, string, io.Reader, string) (ports.BlobInfo, error) {
	return ports.BlobInfo{}, errors.New("read only")
}
func (b blobs) Open(_ context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	data, ok := b[key]
	if !ok {
		return nil, ports.BlobInfo{}, fault.NotFound(fault.ReasonInvalidParameter, "no blob %s", key)
	}
	return io.NopCloser(bytes.NewReader(data)), ports.BlobInfo{Size: int64(len(data))}, nil
}
func (b blobs) Delete(context.Context, string) error { return nil }

// nativeFlowWant wraps an interactive message as buttons and lists are sent.
func nativeFlowWant(im *waE2E.InteractiveMessage) *waE2E.Message {
	return &waE2E.Message{ViewOnceMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
		MessageContextInfo: &waE2E.MessageContextInfo{DeviceListMetadata: &waE2E.DeviceListMetadata{}, DeviceListMetadataVersion: proto.Int32(2)},
		InteractiveMessage: im}}}
}

// flowWant is a native-flow message of (name, params) pairs.
func flowWant(pairs ...string) *waE2E.InteractiveMessage_NativeFlowMessage_ {
	f := &waE2E.InteractiveMessage_NativeFlowMessage{MessageVersion: proto.Int32(1)}
	for i := 0; i < len(pairs); i += 2 {
		f.Buttons = append(f.Buttons, &waE2E.InteractiveMessage_NativeFlowMessage_NativeFlowButton{Name: proto.String(pairs[i]), ButtonParamsJSON: proto.String(pairs[i+1])})
	}
	return &waE2E.InteractiveMessage_NativeFlowMessage_{NativeFlowMessage: f}
}

var (
	to    = chat.UserJID("6281111")
	grp   = chat.JID{User: "120363000000000001", Server: chat.ServerGroup}
	upped = wm.UploadResponse{URL: "https://mmg/u", DirectPath: "/v/u", MediaKey: []byte{7}, FileSHA256: []byte{8}, FileEncSHA256: []byte{9}, FileLength: 5}
)

func TestBuildersProduceWhatsAppsProtobufs(t *testing.T) {
	t.Parallel()
	target := &message.Reference{ID: "T1", FromMe: true}
	theirs := &message.Reference{ID: "T2", Sender: chat.UserJID("6283333")}
	b := built{upload: upped, secret: []byte("s3cr3t"), now: t0}
	mediaFields := func(m *waE2E.ImageMessage) *waE2E.ImageMessage {
		m.URL, m.DirectPath, m.MediaKey, m.FileSHA256, m.FileEncSHA256, m.FileLength = proto.String("https://mmg/u"), proto.String("/v/u"), []byte{7}, []byte{8}, []byte{9}, proto.Uint64(5)
		return m
	}
	img := func(m *waE2E.ImageMessage) *waE2E.Message { return &waE2E.Message{ImageMessage: mediaFields(m)} }
	common := mediaFields(&waE2E.ImageMessage{})
	tests := []struct {
		name string
		to   chat.JID
		c    message.Content
		want *waE2E.Message
	}{
		{"plain text", to, message.TextContent("hi"), &waE2E.Message{Conversation: proto.String("hi")}},
		{"text with mentions, reply and forwarded flag", grp, message.Content{Kind: message.KindText, Text: "hey @6283333", Mentions: []chat.JID{chat.UserJID("6283333")},
			Reply: &message.Reference{Chat: grp, ID: "Q1", Sender: chat.UserJID("6283333")}, Forwarded: true},
			&waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("hey @6283333"), ContextInfo: &waE2E.ContextInfo{
				MentionedJID: []string{"6283333@s.whatsapp.net"}, StanzaID: proto.String("Q1"), Participant: proto.String("6283333@s.whatsapp.net"),
				RemoteJID: proto.String(grp.String()), QuotedMessage: &waE2E.Message{Conversation: proto.String("")},
				IsForwarded: proto.Bool(true), ForwardingScore: proto.Uint32(1)}}}},
		{"image with caption", to, message.Content{Kind: message.KindImage, Text: "cap", Media: &message.Media{MIME: "image/png", Width: 3, Height: 2}},
			img(&waE2E.ImageMessage{Caption: proto.String("cap"), Mimetype: proto.String("image/png"), Width: proto.Uint32(3), Height: proto.Uint32(2)})},
		{"view-once video", to, message.Content{Kind: message.KindVideo, ViewOnce: true, Media: &message.Media{MIME: "video/mp4", Seconds: 4}},
			&waE2E.Message{VideoMessage: &waE2E.VideoMessage{Mimetype: proto.String("video/mp4"), Seconds: proto.Uint32(4), ViewOnce: proto.Bool(true),
				URL: common.URL, DirectPath: common.DirectPath, MediaKey: common.MediaKey, FileSHA256: common.FileSHA256, FileEncSHA256: common.FileEncSHA256, FileLength: common.FileLength}}},
		{"GIF is a video with gif playback", to, message.Content{Kind: message.KindVideo, Media: &message.Media{MIME: "video/mp4", GIF: true}},
			&waE2E.Message{VideoMessage: &waE2E.VideoMessage{Mimetype: proto.String("video/mp4"), GifPlayback: proto.Bool(true),
				URL: common.URL, DirectPath: common.DirectPath, MediaKey: common.MediaKey, FileSHA256: common.FileSHA256, FileEncSHA256: common.FileEncSHA256, FileLength: common.FileLength}}},
		{"audio", to, message.Content{Kind: message.KindAudio, Media: &message.Media{MIME: "audio/mpeg"}},
			&waE2E.Message{AudioMessage: &waE2E.AudioMessage{Mimetype: proto.String("audio/mpeg"),
				URL: common.URL, DirectPath: common.DirectPath, MediaKey: common.MediaKey, FileSHA256: common.FileSHA256, FileEncSHA256: common.FileEncSHA256, FileLength: common.FileLength}}},
		{"voice note", to, message.Content{Kind: message.KindAudio, Media: &message.Media{MIME: "audio/ogg; codecs=opus", PTT: true, Seconds: 3}},
			&waE2E.Message{AudioMessage: &waE2E.AudioMessage{Mimetype: proto.String("audio/ogg; codecs=opus"), PTT: proto.Bool(true), Seconds: proto.Uint32(3),
				URL: common.URL, DirectPath: common.DirectPath, MediaKey: common.MediaKey, FileSHA256: common.FileSHA256, FileEncSHA256: common.FileEncSHA256, FileLength: common.FileLength}}},
		{"document", to, message.Content{Kind: message.KindDocument, Text: "see", Media: &message.Media{MIME: "application/pdf", FileName: "a.pdf", Pages: 2}},
			&waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String("see"), Mimetype: proto.String("application/pdf"), FileName: proto.String("a.pdf"),
				Title: proto.String("a.pdf"), PageCount: proto.Uint32(2),
				URL: common.URL, DirectPath: common.DirectPath, MediaKey: common.MediaKey, FileSHA256: common.FileSHA256, FileEncSHA256: common.FileEncSHA256, FileLength: common.FileLength}}},
		{"sticker", to, message.Content{Kind: message.KindSticker, Media: &message.Media{MIME: "image/webp", Width: 512, Height: 512}},
			&waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String("image/webp"), Width: proto.Uint32(512), Height: proto.Uint32(512),
				URL: common.URL, DirectPath: common.DirectPath, MediaKey: common.MediaKey, FileSHA256: common.FileSHA256, FileEncSHA256: common.FileEncSHA256, FileLength: common.FileLength}}},
		{"location", to, message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: -6.2, Longitude: 106.8, Name: "Monas"}},
			&waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-6.2), DegreesLongitude: proto.Float64(106.8), Name: proto.String("Monas")}}},
		{"one vCard", to, message.Content{Kind: message.KindContact, Contacts: []message.Contact{{DisplayName: "Ana", VCard: "BEGIN:VCARD\nEND:VCARD"}}},
			&waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("Ana"), Vcard: proto.String("BEGIN:VCARD\nEND:VCARD")}}},
		{"several vCards", to, message.Content{Kind: message.KindContact, Contacts: []message.Contact{{DisplayName: "A", VCard: "V1"}, {DisplayName: "B", VCard: "V2"}}},
			&waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{DisplayName: proto.String("2 contacts"), Contacts: []*waE2E.ContactMessage{
				{DisplayName: proto.String("A"), Vcard: proto.String("V1")}, {DisplayName: proto.String("B"), Vcard: proto.String("V2")}}}}},
		{"poll", to, message.Content{Kind: message.KindPoll, Poll: &message.Poll{Question: "Lunch?", Options: []string{"rice", "noodles"}, SelectableCount: 1}},
			&waE2E.Message{PollCreationMessage: &waE2E.PollCreationMessage{Name: proto.String("Lunch?"), SelectableOptionsCount: proto.Uint32(1),
				Options: []*waE2E.PollCreationMessage_Option{{OptionName: proto.String("rice")}, {OptionName: proto.String("noodles")}}},
				MessageContextInfo: &waE2E.MessageContextInfo{MessageSecret: []byte("s3cr3t")}}},
		{"buttons (best effort): native-flow quick reply", to, message.Content{Kind: message.KindButtons, Text: "Pick",
			Buttons: &message.Buttons{Footer: "f", Buttons: []message.Button{{ID: "b1", Text: "Yes"}}}},
			nativeFlowWant(&waE2E.InteractiveMessage{Header: &waE2E.InteractiveMessage_Header{HasMediaAttachment: proto.Bool(false)},
				Body: &waE2E.InteractiveMessage_Body{Text: proto.String("Pick")}, Footer: &waE2E.InteractiveMessage_Footer{Text: proto.String("f")},
				InteractiveMessage: flowWant(`quick_reply`, `{"display_text":"Yes","id":"b1"}`)})},
		{"typed buttons with a header image, replying", grp, message.Content{Kind: message.KindButtons, Text: "Need help?",
			Reply: &message.Reference{Chat: grp, ID: "Q1", Sender: chat.UserJID("6283333")},
			Buttons: &message.Buttons{Image: &message.Media{MIME: "image/png", Width: 3, Height: 2, BlobKey: "h"}, Buttons: []message.Button{
				{Kind: message.ButtonReply, ID: "agent", Text: "Agent"},
				{Kind: message.ButtonURL, Text: "Site", URL: "https://example.com/?a=1&b=2"},
				{Kind: message.ButtonCall, Text: "Call", Phone: "+62 812"},
				{Kind: message.ButtonCopy, Text: "Code", CopyCode: "SAVE20"}}}},
			nativeFlowWant(&waE2E.InteractiveMessage{
				Header: &waE2E.InteractiveMessage_Header{HasMediaAttachment: proto.Bool(true), Media: &waE2E.InteractiveMessage_Header_ImageMessage{
					ImageMessage: mediaFields(&waE2E.ImageMessage{Mimetype: proto.String("image/png"), Width: proto.Uint32(3), Height: proto.Uint32(2)})}},
				Body: &waE2E.InteractiveMessage_Body{Text: proto.String("Need help?")},
				InteractiveMessage: flowWant(
					`quick_reply`, `{"display_text":"Agent","id":"agent"}`,
					`cta_url`, `{"display_text":"Site","url":"https://example.com/?a=1&b=2","merchant_url":"https://example.com/?a=1&b=2"}`,
					`cta_call`, `{"display_text":"Call","phone_number":"+62 812"}`,
					`cta_copy`, `{"display_text":"Code","copy_code":"SAVE20"}`),
				ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("Q1"), Participant: proto.String("6283333@s.whatsapp.net"),
					RemoteJID: proto.String(grp.String()), QuotedMessage: &waE2E.Message{Conversation: proto.String("")}}})},
		{"list (best effort): native-flow single_select", to, message.Content{Kind: message.KindList, Text: "Menu", List: &message.List{Title: "T", ButtonText: "Open",
			Footer: "f", Sections: []message.ListSection{{Title: "S", Rows: []message.ListRow{{ID: "r1", Title: "One", Description: "d"}, {ID: "r2", Title: "Two"}}}}}},
			nativeFlowWant(&waE2E.InteractiveMessage{Header: &waE2E.InteractiveMessage_Header{Title: proto.String("T"), HasMediaAttachment: proto.Bool(false)},
				Body: &waE2E.InteractiveMessage_Body{Text: proto.String("Menu")}, Footer: &waE2E.InteractiveMessage_Footer{Text: proto.String("f")},
				InteractiveMessage: flowWant(`single_select`,
					`{"title":"Open","sections":[{"title":"S","rows":[{"title":"One","description":"d","id":"r1"},{"title":"Two","id":"r2"}]}]}`)})},
		{"list with a header image", to, message.Content{Kind: message.KindList, Text: "Menu", List: &message.List{ButtonText: "Open",
			Image: &message.Media{MIME: "image/jpeg", BlobKey: "h"}, Sections: []message.ListSection{{Rows: []message.ListRow{{ID: "r1", Title: "One"}}}}}},
			nativeFlowWant(&waE2E.InteractiveMessage{
				Header: &waE2E.InteractiveMessage_Header{HasMediaAttachment: proto.Bool(true), Media: &waE2E.InteractiveMessage_Header_ImageMessage{
					ImageMessage: mediaFields(&waE2E.ImageMessage{Mimetype: proto.String("image/jpeg")})}},
				Body:               &waE2E.InteractiveMessage_Body{Text: proto.String("Menu")},
				InteractiveMessage: flowWant(`single_select`, `{"title":"Open","sections":[{"title":"","rows":[{"title":"One","id":"r1"}]}]}`)})},
		{"reaction on someone's group message", grp, message.Content{Kind: message.KindReaction, Emoji: "🔥", Target: theirs},
			&waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("🔥"), SenderTimestampMS: proto.Int64(t0.UnixMilli()),
				Key: &waCommon.MessageKey{RemoteJID: proto.String(grp.String()), ID: proto.String("T2"), FromMe: proto.Bool(false), Participant: proto.String("6283333@s.whatsapp.net")}}}},
		{"edit", to, message.Content{Kind: message.KindEdit, Text: "fixed", Target: target},
			&waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
				Key:  &waCommon.MessageKey{RemoteJID: proto.String(to.String()), ID: proto.String("T1"), FromMe: proto.Bool(true)},
				Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), TimestampMS: proto.Int64(t0.UnixMilli()), EditedMessage: &waE2E.Message{Conversation: proto.String("fixed")}}}}}},
		{"revoke", to, message.Content{Kind: message.KindRevoke, Target: target},
			&waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(),
				Key: &waCommon.MessageKey{RemoteJID: proto.String(to.String()), ID: proto.String("T1"), FromMe: proto.Bool(true)}}}},
		{"pin", to, message.Content{Kind: message.KindPin, Target: target},
			&waE2E.Message{PinInChatMessage: &waE2E.PinInChatMessage{Type: waE2E.PinInChatMessage_PIN_FOR_ALL.Enum(), SenderTimestampMS: proto.Int64(t0.UnixMilli()),
				Key: &waCommon.MessageKey{RemoteJID: proto.String(to.String()), ID: proto.String("T1"), FromMe: proto.Bool(true)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := toProto(tt.to, tt.c, b)
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
	if _, err := toProto(to, message.Content{Kind: message.KindPollVote}, b); err == nil {
		t.Error("built an inbound-only kind")
	}
}

func TestSendUploadsMediaAndKeepsTheClientChosenID(t *testing.T) {
	t.Parallel()
	f := &fakeClient{}
	s := sender{cli: f, blobs: blobs{"k1": []byte("bytes")}, polls: newPollBook(), now: func() time.Time { return t0 }}
	m := message.Outbound{ID: "3EB0CAFE", To: to, Content: message.Content{Kind: message.KindAudio, Media: &message.Media{MIME: "audio/ogg", PTT: true, BlobKey: "k1"}}}
	rc, err := s.send(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	if rc != (ports.SendReceipt{ID: "3EB0CAFE", Timestamp: t0}) || f.extra[0].ID != "3EB0CAFE" || f.to[0] != toJID(to) {
		t.Errorf("receipt %+v, extra %+v", rc, f.extra)
	}
	if string(f.uploaded[0]) != "bytes" || f.types[0] != wm.MediaAudio || f.sent[0].GetAudioMessage().GetDirectPath() != "/v/u" || !f.sent[0].GetAudioMessage().GetPTT() {
		t.Errorf("upload %q %v, sent %v", f.uploaded, f.types, f.sent[0])
	}
	// A retry sends under the same id.
	if _, err := s.send(t.Context(), m); err != nil || f.extra[1].ID != "3EB0CAFE" {
		t.Errorf("retry: %v %+v", err, f.extra)
	}
	// A poll gets a 32-byte secret and its options are remembered for vote names.
	poll := message.Outbound{ID: "P1", To: to, Content: message.Content{Kind: message.KindPoll, Poll: &message.Poll{Question: "?", Options: []string{"a", "b"}}}}
	if _, err := s.send(t.Context(), poll); err != nil {
		t.Fatal(err)
	}
	if len(f.sent[2].GetMessageContextInfo().GetMessageSecret()) != 32 || !reflect.DeepEqual(s.polls.options("P1"), []string{"a", "b"}) {
		t.Errorf("poll secret / book: %v %v", f.sent[2].GetMessageContextInfo(), s.polls.options("P1"))
	}
	// Missing media and network refusals surface as faults.
	m.Content.Media.BlobKey = "missing"
	if _, err := s.send(t.Context(), m); !fault.Is(err, fault.KindNotFound) {
		t.Errorf("missing blob: %v", err)
	}
	if _, err := (sender{cli: f, now: time.Now}).send(t.Context(), m); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Errorf("no blob store: %v", err)
	}
}

// whatsmeow's send errors are classed for the send queue.
func TestSendErrorsAreClassed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want message.Failure
		code fault.Reason
	}{
		{wm.ErrGroupNotFound, message.FailurePermanent, fault.ReasonGroupNotFound},
		{wm.ErrNotInGroup, message.FailurePermanent, fault.ReasonSendRejected},
		{wm.ErrUnknownServer, message.FailurePermanent, fault.ReasonRecipientInvalid},
		{wm.ErrBroadcastListUnsupported, message.FailurePermanent, fault.ReasonRecipientInvalid},
		{wm.ErrNotLoggedIn, message.FailurePermanent, fault.ReasonNotPaired},
		{wm.ErrNotConnected, message.FailureTransient, ""},
		{wm.ErrIQTimedOut, message.FailureTransient, ""},
		{wm.ErrMessageTimedOut, message.FailureTransient, ""},
		{fmt.Errorf("usync: %w", context.DeadlineExceeded), message.FailureTransient, ""},
		{errors.New("server said no"), message.FailureUnknown, ""},
		{fmt.Errorf("%w 479", wm.ErrServerReturnedError), message.FailureUnknown, ""},
	}
	for _, tt := range tests {
		f := &fakeClient{fail: tt.err}
		_, err := (sender{cli: f, now: time.Now}).send(t.Context(), message.Outbound{ID: "X", To: to, Content: message.TextContent("hi")})
		if got := message.ClassifySend(err); got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("%v: class %v (want %v), err %v", tt.err, got, tt.want, err)
		}
		if tt.want == message.FailurePermanent && message.FailCodeOf(err) != tt.code {
			t.Errorf("%v: code %q, want %q", tt.err, message.FailCodeOf(err), tt.code)
		}
	}
}

func TestSendButtonsUploadsTheHeaderImageAndAddsTheBizNode(t *testing.T) {
	t.Parallel()
	f := &fakeClient{}
	s := sender{cli: f, blobs: blobs{"h1": []byte("image")}, polls: newPollBook(), now: func() time.Time { return t0 }}
	buttons := message.Content{Kind: message.KindButtons, Text: "Pick", Buttons: &message.Buttons{
		Image: &message.Media{MIME: "image/png", BlobKey: "h1"}, Buttons: []message.Button{{ID: "b1", Text: "Yes"}}}}
	list := message.Content{Kind: message.KindList, Text: "Menu", List: &message.List{ButtonText: "Open",
		Sections: []message.ListSection{{Rows: []message.ListRow{{ID: "r1", Title: "One"}}}}}}
	for _, m := range []message.Outbound{{ID: "B1", To: to, Content: buttons}, {ID: "L1", To: grp, Content: list}, {ID: "T1", To: to, Content: message.TextContent("hi")}} {
		if _, err := s.send(t.Context(), m); err != nil {
			t.Fatalf("%s: %v", m.ID, err)
		}
	}
	if len(f.uploaded) != 1 || string(f.uploaded[0]) != "image" || f.types[0] != wm.MediaImage {
		t.Fatalf("uploads %q %v", f.uploaded, f.types)
	}
	img := f.sent[0].GetViewOnceMessage().GetMessage().GetInteractiveMessage().GetHeader().GetImageMessage()
	if img.GetDirectPath() != "/v/u" || img.GetMimetype() != "image/png" || img.GetFileLength() != 5 {
		t.Fatalf("header image %v", img)
	}
	biz := waBinary.Node{Tag: "biz", Attrs: waBinary.Attrs{"actual_actors": "2", "host_storage": "2", "privacy_mode_ts": "1741064767"},
		Content: []waBinary.Node{
			{Tag: "interactive", Attrs: waBinary.Attrs{"type": "native_flow", "v": "1"},
				Content: []waBinary.Node{{Tag: "native_flow", Attrs: waBinary.Attrs{"v": "9", "name": "mixed"}}}},
			{Tag: "quality_control", Attrs: waBinary.Attrs{"source_type": "third_party"}}}}
	bot := waBinary.Node{Tag: "bot", Attrs: waBinary.Attrs{"biz_bot": "1"}}
	if n := f.extra[0].AdditionalNodes; n == nil || !reflect.DeepEqual(*n, []waBinary.Node{bot, biz}) || f.extra[0].ID != "B1" {
		t.Errorf("buttons to a user: extra %+v", f.extra[0])
	}
	if n := f.extra[1].AdditionalNodes; n == nil || !reflect.DeepEqual(*n, []waBinary.Node{biz}) {
		t.Errorf("list to a group: extra %+v", f.extra[1])
	}
	if f.extra[2].AdditionalNodes != nil {
		t.Errorf("text got nodes %+v", *f.extra[2].AdditionalNodes)
	}
	// A missing header image fails the send rather than sending without it.
	missing := message.Outbound{ID: "B2", To: to, Content: buttons}
	missing.Content.Buttons = &message.Buttons{Image: &message.Media{MIME: "image/png", BlobKey: "gone"}, Buttons: buttons.Buttons.Buttons}
	if _, err := s.send(t.Context(), missing); !fault.Is(err, fault.KindNotFound) {
		t.Errorf("missing header image: %v", err)
	}
}

func TestReceiptsAndPresence(t *testing.T) {
	t.Parallel()
	f := &fakeClient{}
	s := sender{cli: f, now: time.Now}
	ctx := t.Context()
	if err := s.markRead(ctx, grp, chat.UserJID("6283333"), []string{"M1"}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.markRead(ctx, to, chat.JID{}, []string{"M2"}, t0); err != nil {
		t.Fatal(err)
	}
	_ = s.presence(ctx, true)
	_ = s.presence(ctx, false)
	for _, st := range []ports.ChatState{ports.ChatComposing, ports.ChatRecording, ports.ChatPaused} {
		if err := s.chatPresence(ctx, to, st); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.chatPresence(ctx, to, "dancing"); !fault.Is(err, fault.KindInvalid) {
		t.Errorf("unknown chat state: %v", err)
	}
	want := []string{
		"read " + grp.String() + " 6283333@s.whatsapp.net M1 2025-03-04T05:06:07Z",
		"read 6281111@s.whatsapp.net  M2 2025-03-04T05:06:07Z",
		"presence available", "presence unavailable",
		"chat 6281111@s.whatsapp.net composing ", "chat 6281111@s.whatsapp.net composing audio", "chat 6281111@s.whatsapp.net paused ",
	}
	if !reflect.DeepEqual(f.calls, want) {
		t.Errorf("calls\n%q\nwant\n%q", f.calls, want)
	}
}

func TestAppStatePatches(t *testing.T) {
	t.Parallel()
	mine := message.Reference{Chat: to, ID: "M1", FromMe: true}
	theirs := message.Reference{Chat: grp, ID: "M2", Sender: chat.UserJID("6283333")}
	until := t0.Add(time.Hour)
	tests := []struct {
		name      string
		patch     func() (appstate.PatchInfo, error)
		typ       appstate.WAPatchName
		index     []string
		check     func(v string) bool
		valueRepr string
	}{
		{"star", func() (appstate.PatchInfo, error) { return messagePatch(mine, ports.MessageStar, t0) }, appstate.WAPatchRegularHigh,
			[]string{"star", to.String() + "", "M1", "1", "0"}, nil, "starred:true"},
		{"unstar a group message", func() (appstate.PatchInfo, error) { return messagePatch(theirs, ports.MessageUnstar, t0) }, appstate.WAPatchRegularHigh,
			[]string{"star", grp.String(), "M2", "0", "6283333@s.whatsapp.net"}, nil, "starred:false"},
		{"delete for me", func() (appstate.PatchInfo, error) { return messagePatch(theirs, ports.MessageDeleteForMe, t0) }, appstate.WAPatchRegularHigh,
			[]string{"deleteMessageForMe", grp.String(), "M2", "0", "6283333@s.whatsapp.net"}, nil, "deleteMedia:false"},
		{"mute until", func() (appstate.PatchInfo, error) {
			return chatPatch(to, ports.ChatChange{Kind: ports.ChatMute, MuteUntil: until}, t0)
		},
			appstate.WAPatchRegularHigh, []string{"mute", to.String()}, nil, "muted:true"},
		{"unmute", func() (appstate.PatchInfo, error) { return chatPatch(to, ports.ChatChange{Kind: ports.ChatUnmute}, t0) },
			appstate.WAPatchRegularHigh, []string{"mute", to.String()}, nil, "muted:false"},
		{"archive", func() (appstate.PatchInfo, error) {
			return chatPatch(to, ports.ChatChange{Kind: ports.ChatArchive}, t0)
		},
			appstate.WAPatchRegularLow, []string{"archive", to.String()}, nil, "archived:true"},
		{"pin", func() (appstate.PatchInfo, error) { return chatPatch(to, ports.ChatChange{Kind: ports.ChatPin}, t0) },
			appstate.WAPatchRegularLow, []string{"pin_v1", to.String()}, nil, "pinned:true"},
		{"clear", func() (appstate.PatchInfo, error) { return chatPatch(to, ports.ChatChange{Kind: ports.ChatClear}, t0) },
			appstate.WAPatchRegularHigh, []string{"clearChat", to.String(), "1", "0"}, nil, "clearChatAction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.patch()
			if err != nil {
				t.Fatal(err)
			}
			if p.Type != tt.typ || len(p.Mutations) < 1 || !reflect.DeepEqual(p.Mutations[0].Index, tt.index) {
				t.Fatalf("patch %+v", p)
			}
			if v := p.Mutations[0].Value.String(); !bytes.Contains([]byte(v), []byte(tt.valueRepr)) {
				t.Errorf("value %s lacks %q", v, tt.valueRepr)
			}
		})
	}
	if p, _ := chatPatch(to, ports.ChatChange{Kind: ports.ChatMute, MuteUntil: until}, t0); p.Mutations[0].Value.GetMuteAction().GetMuteEndTimestamp() != until.UnixMilli() {
		t.Error("mute end not kept")
	}
	if p, _ := chatPatch(to, ports.ChatChange{Kind: ports.ChatMute}, t0); p.Mutations[0].Value.GetMuteAction().GetMuteEndTimestamp() != -1 {
		t.Error("mute without an end is not forever")
	}
	if _, err := messagePatch(mine, "pin", t0); err == nil {
		t.Error("unknown message change accepted")
	}
	if _, err := chatPatch(to, ports.ChatChange{Kind: "explode"}, t0); err == nil {
		t.Error("unknown chat change accepted")
	}
}
