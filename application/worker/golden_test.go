package worker_test

// Golden webhook bodies: every event type the gateway emits, recorded by the real
// ingest (a standing clock, so the bodies are stable), delivered by the real
// workers, compared byte for byte with testdata/<case>.golden.json. Receivers parse
// these bytes; a change here is a change of the WAREST wire format.
// Regenerate with: go test ./application/worker/ -run TestWebhookBodiesMatchGolden -update

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/eventlog"
	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// The golden world's fixed people and times (gt0 is 1735787045 in Unix seconds).
var (
	gt0      = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	gNow     = gt0.Add(time.Hour)
	gGroup   = chat.JID{User: "120363041234567890", Server: chat.ServerGroup}
	gBobJID  = chat.UserJID(bobPhone)
	gBob     = chat.Party{JID: gBobJID, LID: chat.JID{User: "222222222222222", Server: chat.ServerLID}, PushName: "Bob"}
	gCitra   = chat.Party{LID: chat.JID{User: "333333333333333", Server: chat.ServerLID}, PushName: "Citra"}
	gDedi    = chat.Party{JID: chat.UserJID("6284444444444")}
	gAliceMe = session.Identity{JID: alicePhone + "@s.whatsapp.net", LID: "111111111111111@lid", Name: "Alice"}
	gMedia   = message.Media{MIME: "image/jpeg", Size: 4096, Width: 800, Height: 600, URL: "https://mmg.whatsapp.net/d/f/x.enc",
		DirectPath: "/v/t62/x", MediaKey: []byte("key"), FileSHA256: []byte("sha"), FileEncSHA256: []byte("enc")}
)

func gInbound(id string, c chat.JID, from chat.Party, content message.Content) message.Inbound {
	return message.Inbound{ID: id, SessionID: "alice", Chat: c, Sender: from, Content: content, Timestamp: gt0}
}

func gMessage(id string, c chat.JID, from chat.Party, content message.Content) func(*goldenWorld) {
	return func(g *goldenWorld) { g.handle(ports.TransportMessage{Message: gInbound(id, c, from, content)}) }
}

func gMediaOf(kind message.Kind, edit func(*message.Media)) message.Content {
	m := gMedia
	edit(&m)
	return message.Content{Kind: kind, Media: &m}
}

// goldenCases are run in order on one session; each names the event types it emits.
var goldenCases = []struct {
	name  string
	types []event.Type
	run   func(*goldenWorld)
}{
	{"session_qr", []event.Type{event.SessionStatus}, func(g *goldenWorld) {
		g.handle(ports.TransportQR{SessionID: "alice", Code: "2@abc,def", ExpiresIn: 20 * time.Second})
	}},
	{"creds_update", []event.Type{event.CredsUpdate}, func(g *goldenWorld) {
		g.handle(ports.TransportPaired{SessionID: "alice", Me: gAliceMe, Platform: "android"})
	}},
	{"session_open", []event.Type{event.SessionStatus, event.SessionHealth}, func(g *goldenWorld) {
		g.handle(ports.TransportConnected{SessionID: "alice", Me: gAliceMe})
	}},
	{"received_text", []event.Type{event.MessageReceived}, gMessage("3EB0TEXT", gBobJID, gBob, message.TextContent("halo \"kamu\" <ok> & 🎉"))},
	{"received_group_mentions_reply", []event.Type{event.MessageReceived}, func(g *goldenWorld) {
		c := message.TextContent("@dedi look")
		c.Mentions = []chat.JID{gDedi.JID}
		c.Reply = &message.Reference{Chat: gGroup, ID: "3EB0QUOTED", Sender: gDedi.JID}
		gMessage("3EB0GRP", gGroup, gBob, c)(g)
	}},
	{"received_forwarded_from_lid", []event.Type{event.MessageReceived}, func(g *goldenWorld) {
		c := message.TextContent("forwarded")
		c.Forwarded = true
		gMessage("3EB0FWD", gGroup, gCitra, c)(g)
	}},
	{"received_own_from_phone", []event.Type{event.MessageReceived}, func(g *goldenWorld) {
		m := gInbound("3EB0MINE", gBobJID, chat.Party{JID: chat.UserJID(alicePhone)}, message.TextContent("sent from my phone"))
		m.FromMe = true
		g.handle(ports.TransportMessage{Message: m})
	}},
	{"received_image", []event.Type{event.MessageReceived}, func(g *goldenWorld) {
		c := message.Content{Kind: message.KindImage, Text: "sunset", Media: &gMedia, ViewOnce: true}
		gMessage("3EB0IMG", gBobJID, gBob, c)(g)
	}},
	{"received_video_gif", []event.Type{event.MessageReceived}, gMessage("3EB0GIF", gBobJID, gBob,
		gMediaOf(message.KindVideo, func(m *message.Media) { m.MIME, m.Seconds, m.GIF = "video/mp4", 3, true }))},
	{"received_voice_note", []event.Type{event.MessageReceived}, gMessage("3EB0PTT", gBobJID, gBob,
		gMediaOf(message.KindAudio, func(m *message.Media) {
			m.MIME, m.Seconds, m.PTT, m.Width, m.Height = "audio/ogg; codecs=opus", 4, true, 0, 0
		}))},
	{"received_document", []event.Type{event.MessageReceived}, gMessage("3EB0DOC", gBobJID, gBob,
		gMediaOf(message.KindDocument, func(m *message.Media) {
			m.MIME, m.FileName, m.Pages, m.Width, m.Height = "application/pdf", "invoice.pdf", 3, 0, 0
		}))},
	{"received_sticker", []event.Type{event.MessageReceived}, gMessage("3EB0STK", gBobJID, gBob,
		gMediaOf(message.KindSticker, func(m *message.Media) { m.MIME, m.Width, m.Height = "image/webp", 512, 512 }))},
	{"received_location", []event.Type{event.MessageReceived}, gMessage("3EB0LOC", gBobJID, gBob, message.Content{Kind: message.KindLocation,
		Location: &message.Location{Latitude: -6.2, Longitude: 106.816666, Name: "Monas", Address: "Jakarta"}})},
	{"received_contact", []event.Type{event.MessageReceived}, gMessage("3EB0VCF", gBobJID, gBob, message.Content{Kind: message.KindContact,
		Contacts: []message.Contact{{DisplayName: "Dedi", VCard: "BEGIN:VCARD\nVERSION:3.0\nFN:Dedi\nTEL;waid=6284444444444:+62 844\nEND:VCARD"}}})},
	{"received_contacts", []event.Type{event.MessageReceived}, gMessage("3EB0VCFS", gBobJID, gBob, message.Content{Kind: message.KindContact,
		Contacts: []message.Contact{{DisplayName: "Dedi", VCard: "BEGIN:VCARD\nFN:Dedi\nEND:VCARD"}, {DisplayName: "Eka", VCard: "BEGIN:VCARD\nFN:Eka\nEND:VCARD"}}})},
	{"received_poll", []event.Type{event.MessageReceived}, gMessage("3EB0POLL", gGroup, gBob, message.Content{Kind: message.KindPoll,
		Poll: &message.Poll{Question: "Lunch?", Options: []string{"rice", "noodles"}, SelectableCount: 1}})},
	{"received_poll_vote", []event.Type{event.MessageReceived}, gMessage("3EB0VOTE", gGroup, gBob, message.Content{Kind: message.KindPollVote,
		PollVote: &message.PollVote{Poll: message.Reference{Chat: gGroup, ID: "3EB0POLL", Sender: gBobJID}, Selected: []string{"rice"}}})},
	{"received_buttons", []event.Type{event.MessageReceived}, gMessage("3EB0BTN", gBobJID, gBob, message.Content{Kind: message.KindButtons, Text: "Pick one",
		Buttons: &message.Buttons{Footer: "shop", Buttons: []message.Button{{ID: "yes", Text: "Yes"}, {Kind: message.ButtonURL, Text: "Site", URL: "https://example.com"}}}})},
	{"received_buttons_legacy", []event.Type{event.MessageReceived}, gMessage("3EB0BTNL", gBobJID, gBob, message.Content{Kind: message.KindButtons, Text: "Pick one",
		Buttons: &message.Buttons{Footer: "shop", Legacy: true, Image: &gMedia, Buttons: []message.Button{{ID: "yes", Text: "Yes"}, {ID: "no", Text: "No"}}}})},
	{"received_list", []event.Type{event.MessageReceived}, gMessage("3EB0LIST", gBobJID, gBob, message.Content{Kind: message.KindList, Text: "Menu",
		List: &message.List{Title: "Today", Footer: "shop", ButtonText: "Open", Sections: []message.ListSection{{Title: "Food",
			Rows: []message.ListRow{{ID: "r1", Title: "Rice", Description: "with egg"}}}}}})},
	{"received_list_legacy", []event.Type{event.MessageReceived}, gMessage("3EB0LISTL", gBobJID, gBob, message.Content{Kind: message.KindList, Text: "Menu",
		List: &message.List{Title: "Today", ButtonText: "Open", Legacy: true, Sections: []message.ListSection{{Title: "Food",
			Rows: []message.ListRow{{ID: "r1", Title: "Rice"}}}}}})},
	{"received_button_reply", []event.Type{event.MessageReceived}, gMessage("3EB0ANS", gBobJID, gBob, message.Content{Kind: message.KindInteractiveReply,
		Answer: &message.InteractiveReply{ID: "yes", Text: "Yes", Reply: message.Reference{Chat: gBobJID, ID: "3EB0BTN", FromMe: true}},
		Reply:  &message.Reference{Chat: gBobJID, ID: "3EB0BTN", FromMe: true}})},
	{"received_group_invite", []event.Type{event.MessageReceived}, gMessage("3EB0INV", gBobJID, gBob, message.Content{Kind: message.KindGroupInvite, Text: "join us",
		Invite: &message.GroupInvite{Group: gGroup, GroupName: "Family", Code: "AbCdEf", Expiration: gt0.Add(72 * time.Hour)}})},
	{"received_pin", []event.Type{event.MessageReceived}, gMessage("3EB0PIN", gGroup, gBob, message.Content{Kind: message.KindPin,
		Target: &message.Reference{Chat: gGroup, ID: "3EB0POLL", Sender: gBobJID}})},
	{"received_unknown", []event.Type{event.MessageReceived}, gMessage("3EB0UNK", gBobJID, gBob, message.Content{Kind: message.KindUnknown})},
	{"received_command", []event.Type{event.MessageReceived, event.MessageCommand}, gMessage("3EB0CMD", gGroup, gBob, message.TextContent("/Order rice 2"))},
	{"reaction", []event.Type{event.MessageReaction}, gMessage("3EB0REACT", gGroup, gBob, message.Content{Kind: message.KindReaction, Emoji: "👍",
		Target: &message.Reference{Chat: gGroup, ID: "3EB0MINE", Sender: chat.UserJID(alicePhone), FromMe: true}})},
	{"reaction_removed", []event.Type{event.MessageReaction}, gMessage("3EB0UNREACT", gGroup, gBob, message.Content{Kind: message.KindReaction,
		Target: &message.Reference{Chat: gGroup, ID: "3EB0MINE", Sender: chat.UserJID(alicePhone), FromMe: true}})},
	{"edited", []event.Type{event.MessageEdited}, gMessage("3EB0EDIT", gBobJID, gBob, message.Content{Kind: message.KindEdit, Text: "fixed @dedi",
		Mentions: []chat.JID{gDedi.JID}, Target: &message.Reference{Chat: gBobJID, ID: "3EB0TEXT", Sender: gBobJID}})},
	{"revoked", []event.Type{event.MessageRevoked}, gMessage("3EB0REVOKE", gGroup, gBob, message.Content{Kind: message.KindRevoke,
		Target: &message.Reference{Chat: gGroup, ID: "3EB0GRP", Sender: gBobJID}})},
	{"message_ack", []event.Type{event.MessageAck}, func(g *goldenWorld) {
		g.handle(ports.TransportReceipt{SessionID: "alice", Chat: gBobJID, Sender: gBob, IDs: []string{"3EB0A", "3EB0B"}, Status: message.StatusRead, At: gt0})
	}},
	{"message_status", []event.Type{event.MessageStatus, event.MessageStatus}, func(g *goldenWorld) {
		m, err := message.NewOutbound("3EB0OUT", "alice", gBobJID, message.TextContent("hi"), gt0)
		if err != nil {
			g.t.Fatal(err)
		}
		g.append(event.MessageStatus, event.MessageStatusOf(m, gNow))
		m.Fail("not_on_whatsapp", "recipient is not on WhatsApp", gNow)
		g.append(event.MessageStatus, event.MessageStatusOf(m, gNow))
	}},
	{"undecryptable", []event.Type{event.MessageUndecryptable}, func(g *goldenWorld) {
		g.handle(ports.TransportUndecryptable{SessionID: "alice", Chat: gGroup, Sender: gBob, ID: "3EB0BAD", At: gt0})
	}},
	{"history_sync", []event.Type{event.HistorySync}, func(g *goldenWorld) {
		g.handle(ports.TransportHistorySync{SessionID: "alice", Progress: 40, Messages: []message.Inbound{
			gInbound("3EB0OLD1", gBobJID, gBob, message.TextContent("old")),
			gInbound("3EB0OLD2", gGroup, gCitra, message.Content{Kind: message.KindImage, Text: "then", Media: &gMedia}),
		}})
	}},
	{"presence", []event.Type{event.PresenceUpdate}, func(g *goldenWorld) {
		g.handle(ports.TransportPresence{SessionID: "alice", From: gBob, Available: false, LastSeen: gt0})
	}},
	{"chat_presence", []event.Type{event.PresenceUpdate}, func(g *goldenWorld) {
		g.handle(ports.TransportChatPresence{SessionID: "alice", Chat: gGroup, From: gBob, State: ports.ChatState("composing")})
	}},
	{"group_add", []event.Type{event.GroupParticipants, event.GroupJoin}, func(g *goldenWorld) {
		g.handle(ports.TransportGroupParticipants{SessionID: "alice", Group: gGroup, Action: ports.GroupAdd, Participants: []chat.Party{gCitra, gDedi}, By: gBob, At: gt0})
	}},
	{"group_remove", []event.Type{event.GroupParticipants, event.GroupLeave}, func(g *goldenWorld) {
		g.handle(ports.TransportGroupParticipants{SessionID: "alice", Group: gGroup, Action: ports.GroupRemove, Participants: []chat.Party{gDedi}, At: gt0})
	}},
	{"group_promote", []event.Type{event.GroupParticipants}, func(g *goldenWorld) {
		g.handle(ports.TransportGroupParticipants{SessionID: "alice", Group: gGroup, Action: ports.GroupPromote, Participants: []chat.Party{gBob}, By: gCitra, At: gt0})
	}},
	{"group_update", []event.Type{event.GroupUpdate}, func(g *goldenWorld) {
		name, locked := "Family 2025", true
		g.handle(ports.TransportGroupUpdate{SessionID: "alice", Group: gGroup, By: gBob, Name: &name, Locked: &locked, At: gt0})
	}},
	{"group_joined", []event.Type{event.GroupJoin}, func(g *goldenWorld) {
		g.handle(ports.TransportJoinedGroup{SessionID: "alice", Group: gGroup, Name: "Family", Participants: []chat.Party{gBob, gCitra}, At: gt0})
	}},
	{"group_join_request", []event.Type{event.GroupJoinRequest}, func(g *goldenWorld) {
		g.handle(ports.TransportGroupJoinRequest{SessionID: "alice", Group: gGroup, Who: gCitra, Method: "invite_link", At: gt0})
	}},
	{"call", []event.Type{event.Call}, func(g *goldenWorld) {
		g.handle(ports.TransportCall{SessionID: "alice", CallID: "CALL1", From: gBob, State: ports.CallOffer, Video: true, At: gt0})
	}},
	{"webhook_disabled", []event.Type{event.WebhookDisabled}, func(g *goldenWorld) {
		g.append(event.WebhookDisabled, event.SubscriptionDisabled{SubscriptionID: "sub-1", URL: "https://down.hooks.test/h",
			Failures: 5, Reason: "HTTP 503"})
	}},
	{"webhook_action_failed", []event.Type{event.WebhookActionFailed}, func(g *goldenWorld) {
		g.append(event.WebhookActionFailed, event.ActionFailed{DeliveryID: "dlv-1", EventID: "01JGZ0000000000000000000",
			Path: "actions[0]", Action: "send_text", Error: "to is required"})
	}},
	{"session_reconnecting", []event.Type{event.SessionStatus, event.SessionHealth}, func(g *goldenWorld) {
		g.handle(ports.TransportDisconnected{SessionID: "alice", Reason: "connection reset", Code: "network", Attempt: 3, RetryIn: 2500 * time.Millisecond})
	}},
	{"session_replaced", []event.Type{event.SessionStatus, event.SessionHealth}, func(g *goldenWorld) {
		g.handle(ports.TransportReplaced{SessionID: "alice"})
	}},
	{"session_logged_out", []event.Type{event.SessionStatus, event.SessionHealth}, func(g *goldenWorld) {
		g.handle(ports.TransportLoggedOut{SessionID: "alice", Reason: "device removed"})
	}},
}

type goldenWorld struct {
	*hookWorld
	in *ingest.Ingest
}

func (g *goldenWorld) handle(e ports.TransportEvent) {
	g.t.Helper()
	if err := g.in.Handle(g.ctx, e); err != nil {
		g.t.Fatalf("Handle(%T): %v", e, err)
	}
}

// append records an event as the use cases and workers do.
func (g *goldenWorld) append(t event.Type, data event.Data) {
	g.t.Helper()
	if err := eventlog.Append(g.ctx, g.store, appworld.FixedClock{T: gNow}, t, "alice", data); err != nil {
		g.t.Fatal(err)
	}
	g.hub.Outbox.Poke()
}

func TestWebhookBodiesMatchGolden(t *testing.T) {
	w := newHookWorld(t, hookOpts{})
	s, err := session.New("alice", "BUDIBUDIBU", gt0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.Sessions().Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a"})
	g := &goldenWorld{hookWorld: w, in: ingest.NewIngest(w.store, appworld.FakeQR{}, appworld.FixedClock{T: gNow}, w.hub, appworld.Discard)}
	g.in.Commands = ingest.Commands{Prefixes: "/"}

	for _, c := range goldenCases {
		before := len(w.send.to(hookA))
		c.run(g)
		var got []ports.WebhookRequest
		appworld.Eventually(t, 5*time.Second, func() bool {
			got = w.send.to(hookA)[before:]
			return len(got) >= len(c.types)
		}, "%s: %d of %d webhooks delivered", c.name, len(got), len(c.types))
		var bodies []string
		for i, r := range got {
			if i >= len(c.types) || r.Headers["X-WAREST-Event"] != string(c.types[i]) {
				t.Fatalf("%s: webhook %d is %s, want the types %v", c.name, i, r.Headers["X-WAREST-Event"], c.types)
			}
			bodies = append(bodies, string(r.Body))
		}
		appworld.Golden(t, filepath.Join("testdata", c.name+".golden.json"), []byte(strings.Join(bodies, "\n")+"\n"), *update)
	}
}

// Rows stored before typed events hold the WAREST data itself; they are delivered
// exactly as they were: every golden body, stored as such a row, comes back the same.
func TestWebhookBodiesOfLegacyRowsMatchGolden(t *testing.T) {
	w := newHookWorld(t, hookOpts{})
	s, err := session.New("alice", "BUDIBUDIBU", gt0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.Sessions().Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a"})
	for _, c := range goldenCases {
		want, err := os.ReadFile(filepath.Join("testdata", c.name+".golden.json"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
		before := len(w.send.to(hookA))
		for _, line := range lines {
			var body struct {
				Event string          `json:"event"`
				Data  json.RawMessage `json:"data"`
				TS    int64           `json:"ts"`
			}
			if err := json.Unmarshal([]byte(line), &body); err != nil {
				t.Fatal(err)
			}
			stored, ok := bytes.CutSuffix(body.Data, []byte(`,"sessionId":"alice"}`)) // the webhook adds it
			if !ok {
				t.Fatalf("%s: data %s does not end with the sessionId", c.name, body.Data)
			}
			w.emitAt("alice", event.Type(body.Event), time.UnixMilli(body.TS), event.Legacy(append(stored, '}')))
		}
		var got []ports.WebhookRequest
		appworld.Eventually(t, 5*time.Second, func() bool {
			got = w.send.to(hookA)[before:]
			return len(got) >= len(lines)
		}, "%s: %d of %d webhooks delivered", c.name, len(got), len(lines))
		for i, r := range got {
			if string(r.Body) != lines[i] {
				t.Errorf("%s: legacy row delivered as\n%s\nwant\n%s", c.name, r.Body, lines[i])
			}
		}
	}
}
