package event_test

import (
	"encoding/json"
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
		e, err := event.New(event.SessionStatus, "s1", t0.Add(time.Duration(i/1000)*time.Millisecond), map[string]int{"i": i})
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
	e, err := event.New(event.MessageReceived, "s1", local, event.SessionStatusData{ID: "s1", Tags: "qr"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != event.MessageReceived || e.SessionID != "s1" || e.OccurredAt != t0 || e.Seq != 0 {
		t.Fatalf("envelope %+v", e)
	}
	if string(e.Payload) != `{"id":"s1","tags":"qr"}` {
		t.Fatalf("payload %s", e.Payload)
	}
}

func TestNew_Rejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		typ     event.Type
		payload any
	}{
		{"empty type", "", map[string]string{}},
		{"nil payload", event.SessionStatus, nil},
		{"array payload", event.SessionStatus, []int{1}},
		{"string payload", event.SessionStatus, "x"},
		{"number payload", event.SessionStatus, 42},
		{"raw non-object payload", event.SessionStatus, json.RawMessage(`[1,2]`)},
		{"unmarshalable payload", event.SessionStatus, map[string]any{"c": make(chan int)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if e, err := event.New(tt.typ, "s1", t0, tt.payload); err == nil {
				t.Fatalf("New accepted %v: %+v", tt.payload, e)
			}
		})
	}
}

func TestNew_AcceptsEmptyObjectAndRawObject(t *testing.T) {
	t.Parallel()
	for _, p := range []any{struct{}{}, map[string]any{}, json.RawMessage(` {"a":1} `)} {
		e, err := event.New(event.SessionStatus, "s1", t0, p)
		if err != nil {
			t.Fatalf("New(%v): %v", p, err)
		}
		if e.Payload[0] != '{' {
			t.Fatalf("payload %s", e.Payload)
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
	want := event.MessageStatusData{ID: "s1", MessageID: "3EB0ABC", To: "6281234567890@s.whatsapp.net", Status: "failed",
		Reason: "no route", FailCode: "not_on_whatsapp", Timestamp: now.Unix()}
	if got != want {
		t.Fatalf("MessageStatusOf = %+v, want %+v", got, want)
	}
	raw, _ := json.Marshal(got)
	if string(raw) != `{"id":"s1","messageId":"3EB0ABC","to":"6281234567890@s.whatsapp.net","status":"failed","reason":"no route","failCode":"not_on_whatsapp","timestamp":1735787135}` {
		t.Fatalf("json %s", raw)
	}
}
