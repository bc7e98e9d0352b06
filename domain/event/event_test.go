package event_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestNew_AssignsUniqueTimeOrderedULIDs(t *testing.T) {
	t.Parallel()
	const n = 5000
	ids := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for i := range n {
		// Same millisecond for most of them: monotonic entropy must still order them.
		e, err := event.New(event.SessionStatus, "s1", t0.Add(time.Duration(i/1000)*time.Millisecond), event.SessionStatusChanged{Attempts: i})
		if err != nil {
			t.Fatal(err)
		}
		if seen[e.ID] {
			t.Fatalf("duplicate id %s", e.ID)
		}
		seen[e.ID] = true
		ids = append(ids, e.ID)
	}
	if !slices.IsSorted(ids) {
		t.Fatal("ids made in a tight loop are not in ascending order")
	}
	if _, err := ulid.Parse(ids[0]); err != nil {
		t.Fatalf("id %q is not a ULID: %v", ids[0], err)
	}
}

func TestNewID_EmbedsTheTime(t *testing.T) {
	t.Parallel()
	// Later than anything else in this package, so no earlier id can hold it back.
	at := time.Date(2200, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	u, err := ulid.Parse(event.NewID(at))
	if err != nil {
		t.Fatal(err)
	}
	if got := ulid.Time(u.Time()); !got.Equal(at) {
		t.Fatalf("ULID time = %v, want %v", got, at)
	}
}

func TestNewID_StaysOrderedWhenTimesArriveOutOfOrder(t *testing.T) {
	t.Parallel()
	// Concurrent callers read the clock, then queue for the generator: a slightly
	// older time may come after a newer one.
	base := time.Now().Add(time.Hour)
	var ids []string
	for i := range 200 {
		at := base.Add(time.Duration(i/2) * time.Millisecond)
		if i%3 == 0 {
			at = at.Add(-2 * time.Millisecond)
		}
		ids = append(ids, event.NewID(at))
	}
	if !slices.IsSorted(ids) {
		t.Fatal("ids are not in issue order")
	}
}

func TestNewID_IDsInOneGoroutineAreOrdered(t *testing.T) {
	t.Parallel()
	ch := make(chan []string, 4)
	for g := range 4 {
		go func() {
			var ids []string
			for range 500 {
				ids = append(ids, event.NewID(time.Now().Add(time.Duration(g)*time.Millisecond)))
			}
			ch <- ids
		}()
	}
	for range 4 {
		if ids := <-ch; !slices.IsSorted(ids) {
			t.Fatal("one goroutine's ids are out of order")
		}
	}
}

func TestNew_IDsOrderedAcrossGoroutines(t *testing.T) {
	t.Parallel()
	ch := make(chan string, 400)
	for range 4 {
		go func() {
			for range 100 {
				ch <- event.NewID(t0)
			}
		}()
	}
	seen := map[string]bool{}
	for range 400 {
		id := <-ch
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
	}
}

func TestNew_Envelope(t *testing.T) {
	t.Parallel()
	local := t0.In(time.FixedZone("X", 7200))
	e, err := event.New(event.SessionStatus, "s1", local, event.SessionStatusChanged{Tag: "qr", QRValidFor: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != event.SessionStatus || e.SessionID != "s1" || e.OccurredAt != t0 || e.Seq != 0 {
		t.Fatalf("envelope %+v", e)
	}
	if string(e.Payload) != `{"v":1,"data":{"tag":"qr","qrValidFor":20000000000}}` {
		t.Fatalf("payload %s", e.Payload)
	}
}

func TestNew_Rejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  event.Type
		data event.Data
	}{
		{"empty type", "", event.SessionStatusChanged{}},
		{"unknown type", "message_teleported", event.SessionStatusChanged{}},
		{"data of another type", event.MessageReceived, event.SessionStatusChanged{}},
		{"nil data", event.SessionStatus, nil},
		{"legacy array", event.SessionStatus, event.Legacy(`[1]`)},
		{"legacy broken JSON", event.SessionStatus, event.Legacy(`{"a":`)},
		{"legacy empty", event.SessionStatus, event.Legacy(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if e, err := event.New(tt.typ, "s1", t0, tt.data); err == nil {
				t.Fatalf("New accepted %v: %+v", tt.data, e)
			}
		})
	}
}

func TestNew_StoresLegacyAsItIs(t *testing.T) {
	t.Parallel()
	e, err := event.New(event.MessageReceived, "s1", t0, event.Legacy(`{"id":"s1","text":"hi"}`))
	if err != nil || string(e.Payload) != `{"id":"s1","text":"hi"}` {
		t.Fatalf("payload %s, %v", e.Payload, err)
	}
}

// Every event type's data survives the stored form unchanged.
func TestDecode_RoundTripsEveryType(t *testing.T) {
	t.Parallel()
	bob := chat.Party{JID: chat.UserJID("6282222222222"), LID: chat.JID{User: "222", Server: chat.ServerLID}, PushName: "Bob"}
	group := chat.JID{User: "120363041234567890", Server: chat.ServerGroup}
	text := message.TextContent("halo @dedi")
	text.Mentions = []chat.JID{chat.UserJID("6284444444444")}
	text.Reply = &message.Reference{Chat: group, ID: "3EB0Q", Sender: bob.JID}
	in := event.InboundMessage{ID: "3EB0A", Chat: group, Sender: bob, Content: text, SentAt: t0}
	img := in
	img.Content = message.Content{Kind: message.KindImage, Text: "cap", Media: &message.Media{MIME: "image/jpeg", Size: 9, MediaKey: []byte{1, 2}, Width: 3}}
	react := in
	react.Content = message.Content{Kind: message.KindReaction, Emoji: "👍", Target: &message.Reference{Chat: group, ID: "3EB0B", FromMe: true}}
	name, locked := "Family", true
	out, err := message.NewOutbound("3EB0OUT", "s1", bob.JID, message.TextContent("hi"), t0)
	if err != nil {
		t.Fatal(err)
	}
	out.Fail(fault.ReasonNotOnWhatsApp, "no route", t0)
	cases := map[event.Type]event.Data{
		event.SessionStatus: event.SessionStatusChanged{Tag: "qr", Status: "reconnecting", QRImage: "data:x", QRCode: "2@a", QRValidFor: time.Minute,
			Me: &event.Identity{JID: "62811@s.whatsapp.net", LID: "111@lid", Name: "Alice"}, Reason: "reset", Code: "network", Attempts: 2, RetryIn: 1500 * time.Millisecond},
		event.SessionHealth:        event.SessionHealthChanged{Health: "degraded", Status: "reconnecting", Code: "network", Attempts: 2, RetryIn: time.Second},
		event.CredsUpdate:          event.DeviceLinked{Me: event.Identity{JID: "62811@s.whatsapp.net"}},
		event.MessageReceived:      img,
		event.MessageReaction:      react,
		event.MessageCommand:       event.CommandReceived{Message: in, Name: "order", Prefix: "/", Args: []string{"rice"}, Text: "/order rice"},
		event.HistorySync:          event.HistorySynced{Progress: 40, Messages: []event.InboundMessage{in, img}},
		event.MessageAck:           event.ReceiptReceived{Chat: group, MessageIDs: []string{"a", "b"}, Status: message.StatusRead, By: bob, At: t0},
		event.MessageUndecryptable: event.Undecryptable{ID: "3EB0X", Chat: group, Sender: bob, At: t0},
		event.MessageStatus:        event.MessageStatusOf(out, t0),
		event.GroupParticipants:    event.GroupMembersChanged{Group: group, Action: "add", Members: []chat.Party{bob}, By: bob, At: t0},
		event.GroupUpdate:          event.GroupSettingsChanged{Group: group, By: bob, Name: &name, Locked: &locked, At: t0},
		event.PresenceUpdate:       event.PresenceChanged{Chat: group, From: bob, State: "composing", LastSeen: t0},
		event.Call:                 event.CallUpdated{CallID: "C1", From: bob, State: "offer", Video: true, At: t0},
		event.WebhookDisabled:      event.SubscriptionDisabled{SubscriptionID: "sub", URL: "https://x.test", Failures: 3, Reason: "HTTP 500"},
		event.WebhookActionFailed:  event.ActionFailed{DeliveryID: "d", EventID: "e", Path: "actions[0]", Action: "send_text", Error: "bad"},
	}
	for typ, data := range cases {
		e, err := event.New(typ, "s1", t0, data)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		got, err := e.Data()
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if !reflect.DeepEqual(got, data) {
			t.Errorf("%s: stored %s\nreads back %+v\nwant %+v", typ, e.Payload, got, data)
		}
	}
}

// A row written before typed events (no version) reads back as the WAREST data it is.
func TestDecode_UnversionedIsLegacy(t *testing.T) {
	t.Parallel()
	raw := json.RawMessage(`{"id":"s1","tags":"text","text":"hi"}`)
	got, err := event.Decode(event.MessageReceived, raw)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := got.(event.Legacy); !ok || string(l) != string(raw) {
		t.Fatalf("decoded %#v", got)
	}
}

func TestDecode_Refuses(t *testing.T) {
	t.Parallel()
	for name, raw := range map[string]string{
		"a newer version":         `{"v":2,"data":{}}`,
		"not JSON":                `{"v":`,
		"data of the wrong shape": `{"v":1,"data":{"tag":5}}`,
	} {
		if got, err := event.Decode(event.SessionStatus, json.RawMessage(raw)); err == nil {
			t.Errorf("%s: decoded %#v", name, got)
		}
	}
}

func TestMessageStatusOf(t *testing.T) {
	t.Parallel()
	m, err := message.NewOutbound("3EB0ABC", "s1", chat.UserJID("6281234567890"), message.TextContent("hi"), t0)
	if err != nil {
		t.Fatal(err)
	}
	m.Fail(fault.ReasonNotOnWhatsApp, "no route", t0)
	now := t0.Add(90 * time.Second)
	got := event.MessageStatusOf(m, now)
	want := event.MessageStatusChanged{MessageID: "3EB0ABC", To: chat.UserJID("6281234567890"), Status: message.StatusFailed,
		Reason: "no route", FailCode: "not_on_whatsapp", At: now}
	if got != want {
		t.Fatalf("MessageStatusOf = %+v, want %+v", got, want)
	}
}
