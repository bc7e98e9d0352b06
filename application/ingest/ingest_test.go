package ingest_test

// Ingest's mapping of every transport event to the WAREST events it records, checked
// on the stored payload JSON. No network and no background workers run here: a
// session is written straight into the store and the clock stands still.

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// t0 is 1735787045 in Unix seconds; the ingest clock stands at tNow.
var (
	t0   = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tNow = t0.Add(time.Hour)
)

var (
	grp      = chat.JID{User: "120363041234567890", Server: chat.ServerGroup}
	bobJID   = chat.UserJID(bobPhone)
	bobLID   = chat.JID{User: "222222222222222", Server: chat.ServerLID}
	bob      = chat.Party{JID: bobJID, LID: bobLID, PushName: "Bob"}
	citraLID = chat.JID{User: "333333333333333", Server: chat.ServerLID}
	citra    = chat.Party{LID: citraLID, PushName: "Citra"} // known by LID only
	dedi     = chat.Party{JID: chat.UserJID("6284444444444")}
	aliceMe  = session.Identity{JID: alicePhone + "@s.whatsapp.net", LID: "111111111111111@lid", Name: "Alice"}
)

type ingestFixture struct {
	t   *testing.T
	ctx context.Context
	mem *appworld.SQLiteStore
	hub *notify.Hub
	in  *ingest.Ingest
}

// newIngest stores session "alice" in the given status (open with aliceMe, or
// starting) and returns an Ingest over it.
func newIngest(t *testing.T, open bool) *ingestFixture {
	t.Helper()
	f := &ingestFixture{t: t, ctx: context.Background(), mem: appworld.NewStore(t), hub: notify.NewHub()}
	f.in = ingest.NewIngest(f.mem, appworld.FakeQR{}, appworld.FixedClock{T: tNow}, f.hub, appworld.Discard)
	s, err := session.New("alice", "BUDIBUDIBU", t0)
	if err != nil {
		t.Fatal(err)
	}
	if open {
		if err := s.Opened(aliceMe, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.mem.Sessions().Create(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *ingestFixture) handle(e ports.TransportEvent) {
	f.t.Helper()
	if err := f.in.Handle(f.ctx, e); err != nil {
		f.t.Fatalf("Handle(%T): %v", e, err)
	}
}

// all returns every stored event (none is published: no relay runs).
func (f *ingestFixture) all() []event.Envelope {
	f.t.Helper()
	evs, err := f.mem.Events().ListUnpublished(f.ctx, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

// only handles e and returns the events it stored, checking their types in order.
func (f *ingestFixture) only(e ports.TransportEvent, types ...event.Type) []event.Envelope {
	f.t.Helper()
	before := len(f.all())
	f.handle(e)
	got := f.all()[before:]
	var gotTypes []event.Type
	for _, ev := range got {
		gotTypes = append(gotTypes, ev.Type)
		if ev.SessionID != "alice" || !ev.OccurredAt.Equal(tNow) {
			f.t.Fatalf("event %s of %s at %v", ev.Type, ev.SessionID, ev.OccurredAt)
		}
	}
	if !reflect.DeepEqual(gotTypes, types) {
		f.t.Fatalf("%T stored %v, want %v", e, gotTypes, types)
	}
	return got
}

// one handles e and returns the payload of the single event of type typ it stores.
func (f *ingestFixture) one(e ports.TransportEvent, typ event.Type) json.RawMessage {
	f.t.Helper()
	return appworld.Render(f.t, f.only(e, typ)[0])
}

func (f *ingestFixture) session() *session.Session {
	f.t.Helper()
	s, err := f.mem.Sessions().Get(f.ctx, "alice")
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// payloadIs compares a stored payload with the expected JSON, field for field.
func payloadIs(t *testing.T, raw json.RawMessage, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("stored payload %s: %v", raw, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("payload\n got %s\nwant %s", raw, want)
	}
}

func inbound(id string, chatJID chat.JID, from chat.Party, c message.Content) message.Inbound {
	return message.Inbound{ID: id, SessionID: "alice", Chat: chatJID, Sender: from, Content: c, Timestamp: t0}
}

// --- connection -------------------------------------------------------------------

func TestIngestMap_QR(t *testing.T) {
	t.Parallel()
	f := newIngest(t, false)
	raw := f.one(ports.TransportQR{SessionID: "alice", Code: "2@abc,def", ExpiresIn: 20 * time.Second}, event.SessionStatus)
	payloadIs(t, raw, `{"id":"alice","tags":"qr","qr":"data:image/png;base64,QR(2@abc,def)","qrString":"2@abc,def","qrDuration":20}`)
	if s := f.session(); s.Status() != session.StatusQR {
		t.Fatalf("status %s", s.Status())
	}
	q, ok := f.hub.QRs.Get("alice", tNow)
	if !ok || q.Code != "2@abc,def" || q.DataURL != "data:image/png;base64,QR(2@abc,def)" || !q.ExpiresAt.Equal(tNow.Add(20*time.Second)) {
		t.Fatalf("hub QR %+v %v", q, ok)
	}
	if _, ok := f.hub.QRs.Get("alice", tNow.Add(21*time.Second)); ok {
		t.Fatal("the hub keeps an expired QR")
	}
}

func TestIngestMap_Paired(t *testing.T) {
	t.Parallel()
	f := newIngest(t, false)
	raw := f.one(ports.TransportPaired{SessionID: "alice", Me: aliceMe, Platform: "android"}, event.CredsUpdate)
	payloadIs(t, raw, `{"id":"alice","me":{"id":"6281111111111@s.whatsapp.net","lid":"111111111111111@lid","name":"Alice"}}`)
	if s := f.session(); s.Status() != session.StatusStarting {
		t.Fatalf("pairing alone changed the status to %s", s.Status())
	}
}

func TestIngestMap_Connected(t *testing.T) {
	t.Parallel()
	f := newIngest(t, false)
	f.handle(ports.TransportQR{SessionID: "alice", Code: "qr", ExpiresIn: time.Minute})
	evs := f.only(ports.TransportConnected{SessionID: "alice", Me: aliceMe}, event.SessionStatus, event.SessionHealth)
	payloadIs(t, appworld.Render(t, evs[0]), `{"id":"alice","status":"open","me":{"id":"6281111111111@s.whatsapp.net","lid":"111111111111111@lid","name":"Alice"}}`)
	payloadIs(t, appworld.Render(t, evs[1]), `{"id":"alice","health":"healthy","status":"open"}`)
	s := f.session()
	if s.Status() != session.StatusOpen || s.Me() == nil || *s.Me() != aliceMe || s.LastConnAt() == nil || !s.LastConnAt().Equal(tNow) {
		t.Fatalf("session %s %+v %v", s.Status(), s.Me(), s.LastConnAt())
	}
	if _, ok := f.hub.QRs.Get("alice", tNow); ok {
		t.Fatal("QR kept after connecting")
	}
}

func TestIngestMap_Disconnected(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	evs := f.only(ports.TransportDisconnected{SessionID: "alice", Reason: "connection reset", Code: "network", Attempt: 3, RetryIn: 2500 * time.Millisecond},
		event.SessionStatus, event.SessionHealth)
	payloadIs(t, appworld.Render(t, evs[0]), `{"id":"alice","status":"reconnecting","reason":"connection reset","code":"network","attempts":3,"retryInMs":2500}`)
	payloadIs(t, appworld.Render(t, evs[1]), `{"id":"alice","health":"degraded","status":"reconnecting","code":"network","reason":"connection reset",
		"attempts":3,"retryInMs":2500}`)
	s := f.session()
	if s.Status() != session.StatusReconnecting || s.LastError() != "network: connection reset" {
		t.Fatalf("session %s / %q", s.Status(), s.LastError())
	}
	// Without a code the reason alone is the last error.
	evs = f.only(ports.TransportDisconnected{SessionID: "alice", Reason: "stream error", Attempt: 4}, event.SessionStatus, event.SessionHealth)
	payloadIs(t, appworld.Render(t, evs[0]), `{"id":"alice","status":"reconnecting","reason":"stream error","attempts":4}`)
	if s := f.session(); s.LastError() != "stream error" {
		t.Fatalf("last error %q", s.LastError())
	}
}

func TestIngestMap_LoggedOut(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	evs := f.only(ports.TransportLoggedOut{SessionID: "alice", Reason: "device removed"}, event.SessionStatus, event.SessionHealth)
	payloadIs(t, appworld.Render(t, evs[0]), `{"id":"alice","status":"logged_out","reason":"device removed"}`)
	payloadIs(t, appworld.Render(t, evs[1]), `{"id":"alice","health":"down","status":"logged_out","reason":"device removed"}`)
	s := f.session()
	if s.Status() != session.StatusLoggedOut || s.Me() != nil || s.LastError() != "device removed" {
		t.Fatalf("session %s %+v %q", s.Status(), s.Me(), s.LastError())
	}
}

func TestIngestMap_Replaced(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	evs := f.only(ports.TransportReplaced{SessionID: "alice"}, event.SessionStatus, event.SessionHealth)
	payloadIs(t, appworld.Render(t, evs[0]), `{"id":"alice","tags":"conflict_replaced","status":"replaced","reason":"stream replaced"}`)
	payloadIs(t, appworld.Render(t, evs[1]), `{"id":"alice","health":"down","status":"replaced","reason":"stream replaced"}`)
	if s := f.session(); s.Status() != session.StatusReplaced {
		t.Fatalf("status %s", s.Status())
	}
}

// --- messages ---------------------------------------------------------------------

func TestIngestMap_TextMessage(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	raw := f.one(ports.TransportMessage{Message: inbound("3EB0TEXT", bobJID, bob, message.TextContent("halo"))}, event.MessageReceived)
	payloadIs(t, raw, `{"id":"alice","tags":"text",
		"message":{"key":{"remoteJid":"6282222222222@s.whatsapp.net","fromMe":false,"id":"3EB0TEXT"},"messageTimestamp":1735787045,
			"pushName":"Bob","message":{"conversation":"halo"}},
		"text":"halo","contentType":"text",
		"sender":{"chatId":"6282222222222@s.whatsapp.net","fromMe":false,"isGroup":false,"authorJid":"6282222222222@s.whatsapp.net",
			"authorLid":"222222222222222@lid","pushName":"Bob"},
		"mentions":[],"type":"notify"}`)
}

func TestIngestMap_GroupTextWithMentionsAndReply(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	c := message.TextContent("@dedi look")
	c.Mentions = []chat.JID{dedi.JID}
	c.Reply = &message.Reference{Chat: grp, ID: "3EB0QUOTED", Sender: dedi.JID}
	raw := f.one(ports.TransportMessage{Message: inbound("3EB0GRP", grp, bob, c)}, event.MessageReceived)
	payloadIs(t, raw, `{"id":"alice","tags":"extended_text",
		"message":{"key":{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0GRP","participant":"6282222222222@s.whatsapp.net"},
			"messageTimestamp":1735787045,"pushName":"Bob",
			"message":{"extendedTextMessage":{"text":"@dedi look","contextInfo":{"mentionedJid":["6284444444444@s.whatsapp.net"],
				"stanzaId":"3EB0QUOTED","participant":"6284444444444@s.whatsapp.net"}}}},
		"text":"@dedi look","contentType":"text",
		"quoted":{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0QUOTED","participant":"6284444444444@s.whatsapp.net"},
		"sender":{"chatId":"120363041234567890@g.us","fromMe":false,"isGroup":true,"authorJid":"6282222222222@s.whatsapp.net",
			"authorLid":"222222222222222@lid","pushName":"Bob"},
		"mentions":["6284444444444@s.whatsapp.net"],"type":"notify"}`)
}

func TestIngestMap_SenderKnownByLIDOnly(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	raw := f.one(ports.TransportMessage{Message: inbound("3EB0LID", grp, citra, message.TextContent("hi"))}, event.MessageReceived)
	d := appworld.Decode[appworld.MessageReceivedData](t, raw)
	want := appworld.Sender{ChatID: grp.String(), IsGroup: true, AuthorJID: citraLID.String(), AuthorLID: citraLID.String(), PushName: "Citra"}
	if d.Sender != want || d.Message.Key.Participant != citraLID.String() {
		t.Fatalf("sender %+v key %+v", d.Sender, d.Message.Key)
	}
}

func TestIngestMap_OwnMessageFromThePhone(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	m := inbound("3EB0MINE", bobJID, chat.Party{JID: chat.UserJID(alicePhone)}, message.TextContent("sent from my phone"))
	m.FromMe = true
	d := appworld.Decode[appworld.MessageReceivedData](t, f.one(ports.TransportMessage{Message: m}, event.MessageReceived))
	if !d.Message.Key.FromMe || !d.Sender.FromMe || d.Sender.ChatID != bobJID.String() || d.Sender.AuthorJID != alicePhone+"@s.whatsapp.net" {
		t.Fatalf("own message %+v / %+v", d.Message.Key, d.Sender)
	}
}

func TestIngestMap_Reaction(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	target := &message.Reference{Chat: grp, ID: "3EB0MINE", Sender: chat.UserJID(alicePhone), FromMe: true}
	raw := f.one(ports.TransportMessage{Message: inbound("3EB0REACT", grp, bob, message.Content{Kind: message.KindReaction, Target: target, Emoji: "👍"})},
		event.MessageReaction)
	payloadIs(t, raw, `{"id":"alice",
		"key":{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0REACT","participant":"6282222222222@s.whatsapp.net"},
		"reaction":{"text":"👍","key":{"remoteJid":"120363041234567890@g.us","fromMe":true,"id":"3EB0MINE","participant":"6281111111111@s.whatsapp.net"}},
		"sender":{"chatId":"120363041234567890@g.us","fromMe":false,"isGroup":true,"authorJid":"6282222222222@s.whatsapp.net",
			"authorLid":"222222222222222@lid","pushName":"Bob"}}`)
	// Removing the reaction is a reaction with empty text.
	raw = f.one(ports.TransportMessage{Message: inbound("3EB0UNREACT", grp, bob, message.Content{Kind: message.KindReaction, Target: target})},
		event.MessageReaction)
	if d := appworld.Decode[appworld.MessageReactionData](t, raw); d.Reaction.Text != "" || d.Reaction.Key.ID != "3EB0MINE" || d.Key.ID != "3EB0UNREACT" {
		t.Fatalf("removal %s", raw)
	}
}

func TestIngestMap_Edit(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	c := message.Content{Kind: message.KindEdit, Text: "fixed @dedi", Mentions: []chat.JID{dedi.JID},
		Target: &message.Reference{Chat: bobJID, ID: "3EB0ORIG", Sender: bobJID}}
	raw := f.one(ports.TransportMessage{Message: inbound("3EB0EDIT", bobJID, bob, c)}, event.MessageEdited)
	payloadIs(t, raw, `{"id":"alice",
		"key":{"remoteJid":"6282222222222@s.whatsapp.net","fromMe":false,"id":"3EB0ORIG"},
		"editedMessage":{"conversation":"fixed @dedi"},"text":"fixed @dedi","mentions":["6284444444444@s.whatsapp.net"],
		"sender":{"chatId":"6282222222222@s.whatsapp.net","fromMe":false,"isGroup":false,"authorJid":"6282222222222@s.whatsapp.net",
			"authorLid":"222222222222222@lid","pushName":"Bob"}}`)
}

func TestIngestMap_Revoke(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	c := message.Content{Kind: message.KindRevoke, Target: &message.Reference{Chat: grp, ID: "3EB0GONE", Sender: bobJID}}
	raw := f.one(ports.TransportMessage{Message: inbound("3EB0REVOKE", grp, bob, c)}, event.MessageRevoked)
	payloadIs(t, raw, `{"id":"alice",
		"key":{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0GONE","participant":"6282222222222@s.whatsapp.net"},
		"sender":{"chatId":"120363041234567890@g.us","fromMe":false,"isGroup":true,"authorJid":"6282222222222@s.whatsapp.net",
			"authorLid":"222222222222222@lid","pushName":"Bob"}}`)
}

func TestIngestMap_Media(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	c := message.Content{Kind: message.KindImage, Text: "sunset", Media: &message.Media{MIME: "image/jpeg", Size: 4096, Width: 800, Height: 600,
		URL: "https://mmg.whatsapp.net/d/f/x.enc", DirectPath: "/v/t62/x", MediaKey: []byte("key"), FileSHA256: []byte("sha"), FileEncSHA256: []byte("enc")}}
	raw := f.one(ports.TransportMessage{Message: inbound("3EB0IMG", bobJID, bob, c)}, event.MessageReceived)
	d := appworld.Decode[map[string]any](t, raw)
	if d["tags"] != "media" || d["contentType"] != "image" || d["text"] != "sunset" {
		t.Fatalf("payload %s", raw)
	}
	payloadIs(t, mustJSON(t, d["media"]), `{"hasMedia":true,"type":"imageMessage","mimeType":"image/jpeg","caption":"sunset",
		"fileSha256":"c2hh","mediaKey":"a2V5","url":"https://mmg.whatsapp.net/d/f/x.enc","directPath":"/v/t62/x",
		"fileLength":4096,"width":800,"height":600}`)
	body := d["message"].(map[string]any)["message"].(map[string]any)
	payloadIs(t, mustJSON(t, body), `{"imageMessage":{"mimetype":"image/jpeg","fileLength":4096,"url":"https://mmg.whatsapp.net/d/f/x.enc",
		"directPath":"/v/t62/x","mediaKey":"a2V5","fileSha256":"c2hh","fileEncSha256":"ZW5j","caption":"sunset","width":800,"height":600}}`)
	// A voice note is tagged audio and flagged ptt.
	c = message.Content{Kind: message.KindAudio, Media: &message.Media{MIME: "audio/ogg; codecs=opus", Seconds: 4, PTT: true}}
	vd := appworld.Decode[appworld.MessageReceivedData](t, f.one(ports.TransportMessage{Message: inbound("3EB0PTT", bobJID, bob, c)}, event.MessageReceived))
	if vd.Tags != "audio" || vd.Media == nil || vd.Media.Type != "audioMessage" || vd.Media.Seconds != 4 ||
		vd.Message.Message["audioMessage"].(map[string]any)["ptt"] != true {
		t.Fatalf("voice note %+v", vd)
	}
}

func TestIngestMap_OtherKindsAreMessageReceived(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	pin := message.Content{Kind: message.KindPin, Target: &message.Reference{Chat: grp, ID: "3EB0PINNED", Sender: bobJID}}
	vote := message.Content{Kind: message.KindPollVote, PollVote: &message.PollVote{Poll: message.Reference{Chat: grp, ID: "3EB0POLL"}, Selected: []string{"rice"}}}
	tests := []struct {
		c        message.Content
		wantTags string
		wantBody string
	}{
		{pin, "pin", "pinInChatMessage"},
		{vote, "poll", "pollUpdateMessage"},
		{message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: 1, Longitude: 2}}, "location", "locationMessage"},
		{message.Content{Kind: message.KindUnknown}, "system", ""},
		// Malformed reaction/edit/revoke without a target are not mistaken for the real thing.
		{message.Content{Kind: message.KindReaction, Emoji: "👍"}, "system", ""},
	}
	for i, tt := range tests {
		d := appworld.Decode[appworld.MessageReceivedData](t, f.one(ports.TransportMessage{Message: inbound("3EB0K"+string(rune('A'+i)), grp, bob, tt.c)}, event.MessageReceived))
		if d.Tags != tt.wantTags || d.ContentType != string(tt.c.Kind) || d.Type != "notify" {
			t.Errorf("%s: tags %q contentType %q type %q", tt.c.Kind, d.Tags, d.ContentType, d.Type)
		}
		if _, ok := d.Message.Message[tt.wantBody]; tt.wantBody != "" && !ok {
			t.Errorf("%s: body %v lacks %s", tt.c.Kind, d.Message.Message, tt.wantBody)
		}
	}
}

func TestIngestMap_HistorySyncIsPagedAndNeverLive(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	msgs := make([]message.Inbound, 250)
	for i := range msgs {
		msgs[i] = inbound("3EB0H"+string(rune('0'+i/100))+string(rune('0'+i/10%10))+string(rune('0'+i%10)), bobJID, bob, message.TextContent("old"))
	}
	msgs[7].Content = message.Content{Kind: message.KindReaction, Target: &message.Reference{Chat: bobJID, ID: "3EB0H000"}, Emoji: "👍"}
	evs := f.only(ports.TransportHistorySync{SessionID: "alice", Messages: msgs, Progress: 40}, event.HistorySync, event.HistorySync, event.HistorySync)
	var ids []string
	for i, e := range evs {
		d := appworld.Rendered[appworld.HistorySyncData](t, e)
		if want := []int{100, 100, 50}[i]; d.ID != "alice" || d.Progress != 40 || d.Count != want || len(d.Messages) != want {
			t.Fatalf("page %d: id %s progress %d count %d len %d", i, d.ID, d.Progress, d.Count, len(d.Messages))
		}
		for _, m := range d.Messages {
			if m.Type != "append" || m.ID != "alice" || m.Sender.AuthorLID != bobLID.String() {
				t.Fatalf("history message %+v", m)
			}
			ids = append(ids, m.Message.Key.ID)
		}
	}
	for i, id := range ids {
		if id != msgs[i].ID {
			t.Fatalf("message %d is %s, want %s (order lost)", i, id, msgs[i].ID)
		}
	}
	if d := appworld.Rendered[appworld.HistorySyncData](t, evs[0]); d.Messages[7].Tags != "system" || d.Messages[7].Message.Message["reactionMessage"] == nil {
		t.Fatalf("a reaction in history %+v", d.Messages[7])
	}
	if msgs[0].History {
		t.Fatal("Ingest changed the caller's messages")
	}
	// A page boundary exactly at the end makes no empty trailing page.
	f.only(ports.TransportHistorySync{SessionID: "alice", Messages: msgs[:200]}, event.HistorySync, event.HistorySync)
}

func TestIngestMap_Undecryptable(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	raw := f.one(ports.TransportUndecryptable{SessionID: "alice", Chat: grp, Sender: bob, ID: "3EB0BROKEN", At: t0}, event.MessageUndecryptable)
	payloadIs(t, raw, `{"id":"alice",
		"key":{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0BROKEN","participant":"6282222222222@s.whatsapp.net"},
		"sender":{"chatId":"120363041234567890@g.us","fromMe":false,"isGroup":true,"authorJid":"6282222222222@s.whatsapp.net",
			"authorLid":"222222222222222@lid","pushName":"Bob"},
		"timestamp":1735787045}`)
	raw = f.one(ports.TransportUndecryptable{SessionID: "alice", Chat: bobJID, Sender: bob, ID: "3EB0DM", At: t0}, event.MessageUndecryptable)
	if d := appworld.Decode[appworld.MessageUndecryptableData](t, raw); d.Key.Participant != "" || d.Sender.IsGroup {
		t.Fatalf("direct undecryptable %s", raw)
	}
}

func TestIngestMap_CommandTextAlsoRecordsMessageCommand(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	f.in.Commands = ingest.Commands{Prefixes: "/!"}
	evs := f.only(ports.TransportMessage{Message: inbound("3EB0CMD", grp, bob, message.TextContent("  /Order 2 nasi-goreng "))},
		event.MessageReceived, event.MessageCommand)
	if d := appworld.Rendered[appworld.MessageReceivedData](t, evs[0]); d.Text != "  /Order 2 nasi-goreng " || d.Tags != "text" {
		t.Fatalf("message_received %s", evs[0].Payload)
	}
	payloadIs(t, appworld.Render(t, evs[1]), `{"id":"alice","command":"order","prefix":"/","args":["2","nasi-goreng"],"text":"/Order 2 nasi-goreng",
		"key":{"remoteJid":"120363041234567890@g.us","fromMe":false,"id":"3EB0CMD","participant":"6282222222222@s.whatsapp.net"},
		"sender":{"chatId":"120363041234567890@g.us","fromMe":false,"isGroup":true,"authorJid":"6282222222222@s.whatsapp.net",
			"authorLid":"222222222222222@lid","pushName":"Bob"}}`)
	evs = f.only(ports.TransportMessage{Message: inbound("3EB0BANG", bobJID, bob, message.TextContent("!ping"))}, event.MessageReceived, event.MessageCommand)
	if d := appworld.Rendered[appworld.MessageCommandData](t, evs[1]); d.Command != "ping" || d.Prefix != "!" || d.Args == nil || len(d.Args) != 0 {
		t.Fatalf("command %s", evs[1].Payload)
	}

	// Not commands: another prefix, a bare prefix, our own message, a non-text.
	own := inbound("3EB0OWN", bobJID, chat.Party{JID: chat.UserJID(alicePhone)}, message.TextContent("/help"))
	own.FromMe = true
	img := message.Content{Kind: message.KindImage, Text: "/help", Media: &message.Media{MIME: "image/jpeg"}}
	for _, m := range []message.Inbound{
		inbound("3EB0N1", bobJID, bob, message.TextContent(".help")),
		inbound("3EB0N2", bobJID, bob, message.TextContent("/ ")),
		inbound("3EB0N3", bobJID, bob, message.TextContent("help /me")),
		own,
		inbound("3EB0N4", bobJID, bob, img),
	} {
		f.only(ports.TransportMessage{Message: m}, event.MessageReceived)
	}

	// With names, only those commands count, in any case.
	f.in.Commands = ingest.Commands{Prefixes: "/", Names: []string{"help"}}
	f.only(ports.TransportMessage{Message: inbound("3EB0N5", bobJID, bob, message.TextContent("/order 1"))}, event.MessageReceived)
	f.only(ports.TransportMessage{Message: inbound("3EB0N6", bobJID, bob, message.TextContent("/HELP"))}, event.MessageReceived, event.MessageCommand)
}

func TestIngestMap_CommandsOffByDefault(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	f.only(ports.TransportMessage{Message: inbound("3EB0CMD", bobJID, bob, message.TextContent("/help"))}, event.MessageReceived)
}

// --- receipts ---------------------------------------------------------------------

func (f *ingestFixture) outbound(id string) {
	f.t.Helper()
	m, err := message.NewOutbound(id, "alice", bobJID, message.TextContent("hi"), t0)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.mem.Messages().Create(f.ctx, m); err != nil {
		f.t.Fatal(err)
	}
}

func statusOf(t *testing.T, e event.Envelope) string {
	t.Helper()
	d := appworld.Rendered[appworld.MessageStatusData](t, e)
	return d.MessageID + ":" + d.Status
}

func TestIngestMap_ReceiptAdvancesOurMessages(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	f.outbound("3EB0OUT1")
	f.outbound("3EB0OUT2")
	receipt := func(status message.Status, at time.Time, ids ...string) ports.TransportReceipt {
		return ports.TransportReceipt{SessionID: "alice", Chat: bobJID, Sender: bob, IDs: ids, Status: status, At: at}
	}

	// Delivered while still queued: the implied "sent" comes first, then delivered,
	// for each message in the receipt's order, then the ack itself. Unknown ids are
	// acknowledged but advance nothing.
	evs := f.only(receipt(message.StatusDelivered, t0.Add(time.Second), "3EB0OUT1", "3EB0NOTOURS", "3EB0OUT2"),
		event.MessageStatus, event.MessageStatus, event.MessageStatus, event.MessageStatus, event.MessageAck)
	var got []string
	for _, e := range evs[:4] {
		got = append(got, statusOf(t, e))
	}
	if want := []string{"3EB0OUT1:sent", "3EB0OUT1:delivered", "3EB0OUT2:sent", "3EB0OUT2:delivered"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("status events %v, want %v", got, want)
	}
	payloadIs(t, appworld.Render(t, evs[0]), `{"id":"alice","messageId":"3EB0OUT1","to":"6282222222222@s.whatsapp.net","status":"sent","timestamp":1735790645}`)
	payloadIs(t, appworld.Render(t, evs[4]), `{"id":"alice","chat":"6282222222222@s.whatsapp.net","messageIds":["3EB0OUT1","3EB0NOTOURS","3EB0OUT2"],
		"status":"delivered","by":{"jid":"6282222222222@s.whatsapp.net","lid":"222222222222222@lid","pushName":"Bob"},"timestamp":1735787046}`)
	m, _ := f.mem.Messages().Get(f.ctx, "alice", "3EB0OUT1")
	if m.Status != message.StatusDelivered || !m.UpdatedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("message %s updated %v", m.Status, m.UpdatedAt)
	}

	// Read, then played: each one step further.
	evs = f.only(receipt(message.StatusRead, t0.Add(2*time.Second), "3EB0OUT1"), event.MessageStatus, event.MessageAck)
	if s := statusOf(t, evs[0]); s != "3EB0OUT1:read" {
		t.Fatalf("read: %s", s)
	}
	evs = f.only(receipt(message.StatusPlayed, t0.Add(3*time.Second), "3EB0OUT1"), event.MessageStatus, event.MessageAck)
	if s := statusOf(t, evs[0]); s != "3EB0OUT1:played" {
		t.Fatalf("played: %s", s)
	}
	if d := appworld.Rendered[appworld.MessageAckData](t, evs[1]); d.Status != "played" {
		t.Fatalf("ack %+v", d)
	}
	// A late read after played is acknowledged but moves nothing back.
	f.only(receipt(message.StatusRead, t0.Add(4*time.Second), "3EB0OUT1"), event.MessageAck)
	if m, _ := f.mem.Messages().Get(f.ctx, "alice", "3EB0OUT1"); m.Status != message.StatusPlayed {
		t.Fatalf("status %s after a late read", m.Status)
	}
	// A receipt only for messages we did not send is just an ack.
	f.only(receipt(message.StatusRead, t0, "3EB0ELSE"), event.MessageAck)
}

func TestIngestMap_ReceiptAfterFailureMovesNothing(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	f.outbound("3EB0FAIL")
	if _, err := f.mem.Messages().Update(f.ctx, "alice", "3EB0FAIL", func(m *message.Outbound) error {
		m.Advance(message.StatusFailed, "boom", t0)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.only(ports.TransportReceipt{SessionID: "alice", Chat: bobJID, Sender: bob, IDs: []string{"3EB0FAIL"}, Status: message.StatusDelivered, At: t0},
		event.MessageAck)
	if m, _ := f.mem.Messages().Get(f.ctx, "alice", "3EB0FAIL"); m.Status != message.StatusFailed {
		t.Fatalf("status %s", m.Status)
	}
}

// --- people -----------------------------------------------------------------------

func TestIngestMap_Presence(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	raw := f.one(ports.TransportPresence{SessionID: "alice", From: bob, Available: true}, event.PresenceUpdate)
	payloadIs(t, raw, `{"id":"alice","presence":{"id":"6282222222222@s.whatsapp.net",
		"presences":{"6282222222222@s.whatsapp.net":{"lastKnownPresence":"available","lid":"222222222222222@lid"}}}}`)
	raw = f.one(ports.TransportPresence{SessionID: "alice", From: bob, LastSeen: t0}, event.PresenceUpdate)
	payloadIs(t, raw, `{"id":"alice","presence":{"id":"6282222222222@s.whatsapp.net",
		"presences":{"6282222222222@s.whatsapp.net":{"lastKnownPresence":"unavailable","lastSeen":1735787045,"lid":"222222222222222@lid"}}}}`)
	raw = f.one(ports.TransportPresence{SessionID: "alice", From: citra}, event.PresenceUpdate)
	payloadIs(t, raw, `{"id":"alice","presence":{"id":"333333333333333@lid",
		"presences":{"333333333333333@lid":{"lastKnownPresence":"unavailable","lid":"333333333333333@lid"}}}}`)
}

func TestIngestMap_ChatPresence(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	raw := f.one(ports.TransportChatPresence{SessionID: "alice", Chat: grp, From: bob, State: ports.ChatComposing}, event.PresenceUpdate)
	payloadIs(t, raw, `{"id":"alice","presence":{"id":"120363041234567890@g.us",
		"presences":{"6282222222222@s.whatsapp.net":{"lastKnownPresence":"composing","lid":"222222222222222@lid"}}}}`)
	for _, st := range []ports.ChatState{ports.ChatRecording, ports.ChatPaused} {
		d := appworld.Decode[appworld.PresenceUpdateData](t, f.one(ports.TransportChatPresence{SessionID: "alice", Chat: bobJID, From: dedi, State: st}, event.PresenceUpdate))
		e, ok := d.Presence.Presences[dedi.JID.String()]
		if d.Presence.ID != bobJID.String() || !ok || e.LastKnownPresence != string(st) || e.LID != "" {
			t.Fatalf("%s: %+v", st, d)
		}
	}
}

func TestIngestMap_GroupParticipants(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	admin := chat.Party{JID: chat.UserJID(alicePhone), LID: chat.JID{User: "111111111111111", Server: chat.ServerLID}}
	change := func(a ports.GroupAction, by chat.Party) ports.TransportGroupParticipants {
		return ports.TransportGroupParticipants{SessionID: "alice", Group: grp, Action: a, Participants: []chat.Party{bob, citra}, By: by, At: t0}
	}
	const info = `"participants":["6282222222222@s.whatsapp.net","333333333333333@lid"],
		"participantsInfo":[{"jid":"6282222222222@s.whatsapp.net","lid":"222222222222222@lid","pushName":"Bob"},
			{"lid":"333333333333333@lid","pushName":"Citra"}],`
	want := func(action string) string {
		return `{"id":"alice","groupId":"120363041234567890@g.us",` + info + `"action":"` + action + `",
			"author":{"jid":"6281111111111@s.whatsapp.net","lid":"111111111111111@lid"},"timestamp":1735787045}`
	}

	evs := f.only(change(ports.GroupAdd, admin), event.GroupParticipants, event.GroupJoin)
	payloadIs(t, appworld.Render(t, evs[0]), want("add"))
	payloadIs(t, appworld.Render(t, evs[1]), want("add"))

	evs = f.only(change(ports.GroupRemove, admin), event.GroupParticipants, event.GroupLeave)
	payloadIs(t, appworld.Render(t, evs[0]), want("remove"))
	payloadIs(t, appworld.Render(t, evs[1]), want("remove"))

	payloadIs(t, f.one(change(ports.GroupPromote, admin), event.GroupParticipants), want("promote"))
	payloadIs(t, f.one(change(ports.GroupDemote, admin), event.GroupParticipants), want("demote"))

	// Without a known author there is no author field.
	raw := appworld.Render(t, f.only(change(ports.GroupAdd, chat.Party{}), event.GroupParticipants, event.GroupJoin)[0])
	payloadIs(t, raw, `{"id":"alice","groupId":"120363041234567890@g.us",`+info+`"action":"add","timestamp":1735787045}`)
}

func TestIngestMap_GroupUpdateCarriesOnlyChangedFields(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	name, topic, yes, no := "Family", "weekend plans", true, false
	raw := f.one(ports.TransportGroupUpdate{SessionID: "alice", Group: grp, By: bob, Name: &name, At: t0}, event.GroupUpdate)
	payloadIs(t, raw, `{"id":"alice","groupId":"120363041234567890@g.us","update":{"id":"120363041234567890@g.us","subject":"Family"},
		"author":{"jid":"6282222222222@s.whatsapp.net","lid":"222222222222222@lid","pushName":"Bob"},"timestamp":1735787045}`)
	raw = f.one(ports.TransportGroupUpdate{SessionID: "alice", Group: grp, Topic: &topic, Locked: &yes, Announce: &no, At: t0}, event.GroupUpdate)
	payloadIs(t, raw, `{"id":"alice","groupId":"120363041234567890@g.us",
		"update":{"id":"120363041234567890@g.us","desc":"weekend plans","restrict":true,"announce":false},"timestamp":1735787045}`)
	empty := ""
	raw = f.one(ports.TransportGroupUpdate{SessionID: "alice", Group: grp, Topic: &empty, At: t0}, event.GroupUpdate)
	payloadIs(t, raw, `{"id":"alice","groupId":"120363041234567890@g.us","update":{"id":"120363041234567890@g.us","desc":""},"timestamp":1735787045}`)
}

func TestIngestMap_JoinedGroup(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	raw := f.one(ports.TransportJoinedGroup{SessionID: "alice", Group: grp, Name: "Family", Participants: []chat.Party{bob, dedi}, At: t0}, event.GroupJoin)
	payloadIs(t, raw, `{"id":"alice","groupId":"120363041234567890@g.us",
		"participants":["6282222222222@s.whatsapp.net","6284444444444@s.whatsapp.net"],
		"participantsInfo":[{"jid":"6282222222222@s.whatsapp.net","lid":"222222222222222@lid","pushName":"Bob"},{"jid":"6284444444444@s.whatsapp.net"}],
		"action":"joined","timestamp":1735787045}`)
}

func TestIngestMap_Call(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	raw := f.one(ports.TransportCall{SessionID: "alice", CallID: "CALL1", From: bob, State: ports.CallOffer, Video: true, At: t0}, event.Call)
	payloadIs(t, raw, `{"id":"alice","calls":[{"id":"CALL1","from":"6282222222222@s.whatsapp.net","fromLid":"222222222222222@lid",
		"status":"offer","isVideo":true,"isGroup":false,"date":1735787045}]}`)
	raw = f.one(ports.TransportCall{SessionID: "alice", CallID: "CALL2", From: dedi, State: ports.CallTerminate, Group: true, At: t0}, event.Call)
	payloadIs(t, raw, `{"id":"alice","calls":[{"id":"CALL2","from":"6284444444444@s.whatsapp.net","status":"terminate","isVideo":false,"isGroup":true,"date":1735787045}]}`)
}

// --- unknown sessions -------------------------------------------------------------

// everyVariant is one event of each transport variant for the session.
func everyVariant(sessionID string) []ports.TransportEvent {
	name := "x"
	in := inbound("3EB0GHOST", bobJID, bob, message.TextContent("hi"))
	in.SessionID = sessionID
	return []ports.TransportEvent{
		ports.TransportQR{SessionID: sessionID, Code: "qr", ExpiresIn: time.Minute},
		ports.TransportPaired{SessionID: sessionID, Me: aliceMe},
		ports.TransportConnected{SessionID: sessionID, Me: aliceMe},
		ports.TransportDisconnected{SessionID: sessionID, Reason: "x", Attempt: 1},
		ports.TransportLoggedOut{SessionID: sessionID, Reason: "x"},
		ports.TransportReplaced{SessionID: sessionID},
		ports.TransportMessage{Message: in},
		ports.TransportReceipt{SessionID: sessionID, Chat: bobJID, Sender: bob, IDs: []string{"3EB0OUT1"}, Status: message.StatusRead, At: t0},
		ports.TransportPresence{SessionID: sessionID, From: bob, Available: true},
		ports.TransportChatPresence{SessionID: sessionID, Chat: bobJID, From: bob, State: ports.ChatComposing},
		ports.TransportGroupParticipants{SessionID: sessionID, Group: grp, Action: ports.GroupAdd, Participants: []chat.Party{bob}, At: t0},
		ports.TransportGroupUpdate{SessionID: sessionID, Group: grp, Name: &name, At: t0},
		ports.TransportJoinedGroup{SessionID: sessionID, Group: grp, At: t0},
		ports.TransportCall{SessionID: sessionID, CallID: "C", From: bob, State: ports.CallOffer, At: t0},
		ports.TransportHistorySync{SessionID: sessionID, Messages: []message.Inbound{in}},
		ports.TransportUndecryptable{SessionID: sessionID, Chat: bobJID, Sender: bob, ID: "X", At: t0},
	}
}

func TestIngestMap_EveryVariantOfAnUnknownSessionIsDropped(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	f.outbound("3EB0OUT1")
	f.in.Commands = ingest.Commands{Prefixes: "/"}
	cmd := inbound("3EB0GHOSTCMD", bobJID, bob, message.TextContent("/help"))
	cmd.SessionID = "ghost"
	for _, e := range append(everyVariant("ghost"), ports.TransportMessage{Message: cmd}) {
		if err := f.in.Handle(f.ctx, e); err != nil {
			t.Fatalf("Handle(%T) = %v, want nil (dropped)", e, err)
		}
	}
	if evs := f.all(); len(evs) != 0 {
		t.Fatalf("stored %d events for an unknown session: %+v", len(evs), evs)
	}
	if _, ok := f.hub.QRs.Get("ghost", tNow); ok {
		t.Fatal("QR kept for an unknown session")
	}
	if m, _ := f.mem.Messages().Get(f.ctx, "alice", "3EB0OUT1"); m.Status != message.StatusQueued {
		t.Fatalf("a ghost receipt moved alice's message to %s", m.Status)
	}
}

func TestIngestMap_EveryVariantOfAKnownSessionIsRecorded(t *testing.T) {
	t.Parallel()
	// Guards the list above: each variant does record something for a live session,
	// so the drop test is not vacuous.
	for _, e := range everyVariant("alice") {
		t.Run(reflect.TypeOf(e).Name(), func(t *testing.T) {
			t.Parallel()
			f := newIngest(t, false)
			f.outbound("3EB0OUT1")
			switch e.(type) {
			case ports.TransportDisconnected, ports.TransportReplaced:
				f.handle(ports.TransportConnected{SessionID: "alice", Me: aliceMe})
			}
			before := len(f.all())
			f.handle(e)
			if len(f.all()) == before {
				t.Fatalf("%T recorded nothing", e)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// After a restart the transport may need a QR although the store says open: the
// session follows the transport (and forgets the identity), and a move the state
// machine does not list is made too, with a warning.
func TestIngest_SessionFollowsTheTransport(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	var logs bytes.Buffer
	f.in = ingest.NewIngest(f.mem, appworld.FakeQR{}, appworld.FixedClock{T: tNow}, f.hub, slog.New(slog.NewTextHandler(&logs, nil)))

	f.handle(ports.TransportQR{SessionID: "alice", Code: "fresh", ExpiresIn: time.Minute})
	s, _ := f.mem.Sessions().Get(f.ctx, "alice")
	if s.Status() != session.StatusQR || s.Me() != nil {
		t.Fatalf("after a QR: %+v", s.Snapshot())
	}
	if _, ok := f.hub.QRs.Get("alice", tNow); !ok {
		t.Fatal("the QR is not offered")
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Fatalf("open -> qr is a legal move, yet: %s", logs.String())
	}

	f.handle(ports.TransportLoggedOut{SessionID: "alice", Reason: "unlinked"})
	f.handle(ports.TransportDisconnected{SessionID: "alice", Reason: "eof", Code: "network"})
	s, _ = f.mem.Sessions().Get(f.ctx, "alice")
	if s.Status() != session.StatusReconnecting || s.LastError() != "network: eof" {
		t.Fatalf("logged_out -> reconnecting not followed: %+v", s.Snapshot())
	}
	if !strings.Contains(logs.String(), `level=WARN msg="transport status outside the session state machine; following the transport" session=alice from=logged_out to=reconnecting`) {
		t.Fatalf("no warning: %s", logs.String())
	}
	var got []string
	for _, e := range appworld.SessionEvents(t, f.ctx, f.mem, "alice", event.SessionStatus) {
		d := appworld.Rendered[appworld.SessionStatusData](t, e)
		got = append(got, d.Tags+"/"+d.Status)
	}
	if !reflect.DeepEqual(got, []string{"qr/", "/logged_out", "/reconnecting"}) {
		t.Fatalf("status events %v", got)
	}
}

// A stopped session's late transport events are dropped with a warning.
func TestIngest_StoppedSessionIgnoresItsTransportWithAWarning(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	var logs bytes.Buffer
	f.in = ingest.NewIngest(f.mem, appworld.FakeQR{}, appworld.FixedClock{T: tNow}, f.hub, slog.New(slog.NewTextHandler(&logs, nil)))
	if _, err := f.mem.Sessions().Update(f.ctx, "alice", func(s *session.Session) error { return s.Stop(false, t0) }); err != nil {
		t.Fatal(err)
	}
	f.handle(ports.TransportConnected{SessionID: "alice", Me: aliceMe})
	if s, _ := f.mem.Sessions().Get(f.ctx, "alice"); s.Status() != session.StatusStopped {
		t.Fatalf("a stopped session followed a late event: %s", s.Status())
	}
	if n := len(appworld.SessionEvents(t, f.ctx, f.mem, "alice", "")); n != 0 {
		t.Fatalf("%d events recorded", n)
	}
	if !strings.Contains(logs.String(), `level=WARN msg="ignoring transport status change" session=alice`) {
		t.Fatalf("no warning: %s", logs.String())
	}
}

// A flap is an open connection dropping: counted once when the session leaves
// open, not for each reconnect attempt after it.
func TestIngestCountsConnectionFlaps(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	counts := &appworld.Counts{}
	f.in.Metrics = counts
	f.handle(ports.TransportDisconnected{SessionID: "alice", Reason: "connection reset", Attempt: 1})
	f.handle(ports.TransportDisconnected{SessionID: "alice", Reason: "connection reset", Attempt: 2})
	if counts.Flaps() != 1 {
		t.Fatalf("flaps after one drop and a retry: %d", counts.Flaps())
	}
	f.handle(ports.TransportConnected{SessionID: "alice", Me: aliceMe})
	f.handle(ports.TransportLoggedOut{SessionID: "alice", Reason: "device removed"})
	if counts.Flaps() != 2 {
		t.Fatalf("flaps after reconnecting and a logout: %d", counts.Flaps())
	}
}
