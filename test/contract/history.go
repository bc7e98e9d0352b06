package contract

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// historyTests check that a session's history belongs to that session, not to its
// reusable id: deleting the session deletes it, and nothing can be added to a
// session or an event that is gone.
var historyTests = []struct {
	name string
	run  func(t *testing.T, s ports.Store)
}{
	{"history/deleting a session deletes its events deliveries messages blobs idempotency keys and cooldowns only", historyDeleted},
	{"history/a new session under a deleted one's id finds none of its history", historyNotInherited},
	{"history/rows of a missing session and deliveries of a missing event are not found", historyOrphansRefused},
}

const recipient = "628@s.whatsapp.net"

// seedHistory gives a new session one of everything it can own: a media message, a
// published and an unpublished message_received event with a delivery each, an
// idempotency key, a cooldown and a received message with a reaction. It returns the two events.
func seedHistory(t *testing.T, s ports.Store, sessionID string) []event.Envelope {
	t.Helper()
	ctx := t.Context()
	createSession(t, s, sessionID, "OWNER")
	createAll(t, s, mediaMessage(t, sessionID, "m1", "outbound/"+sessionID+".jpg"))
	var es []event.Envelope
	for i := range 2 {
		e, err := event.New(event.MessageReceived, sessionID, at(i), legacy(t, map[string]any{"id": sessionID,
			"message": map[string]any{"key": map[string]any{"id": "MSG-" + sessionID}}}))
		must(t, err)
		_, err = s.Events().Append(ctx, e)
		must(t, err)
		es = append(es, e)
	}
	es[0] = publishEvents(t, s, es[0])[0]
	for _, e := range es {
		must(t, s.Deliveries().Create(ctx, webhook.NewDelivery("d-"+e.ID, e.ID, sessionID, "sub-"+sessionID, "https://a.test", at(0))))
	}
	_, ok, err := s.Idempotency().Claim(ctx, historyKey(sessionID, "h1"))
	must(t, err)
	equal(t, ok, true)
	must(t, s.Cooldowns().Touch(ctx, sessionID, recipient, at(5)))
	m := received("MSG-" + sessionID)
	m.SessionID = sessionID
	must(t, s.Inbound().Save(ctx, m, at(1)))
	must(t, s.Inbound().React(ctx, sessionID, "MSG-"+sessionID, chat.UserJID("6282222222222"), "👍", at(2)))
	return es
}

// historyKey is an idempotency record of the same scope and key for any session.
func historyKey(sessionID, hash string) ports.IdempotencyRecord {
	return ports.IdempotencyRecord{Scope: "key1", Key: "k-" + sessionID, Hash: hash, SessionID: sessionID,
		MessageIDs: []string{"m1"}, CreatedAt: at(0), ExpiresAt: at(0).Add(24 * time.Hour)}
}

// historyOf returns what the store shows of a session's history through every read,
// as ids: events, deliveries, messages, blob keys, the cooldown and whether its
// idempotency key is still bound (claiming it again with another hash fails).
func historyOf(t *testing.T, s ports.Store, sessionID string, es []event.Envelope) map[string][]string {
	t.Helper()
	ctx := t.Context()
	got := map[string][]string{}
	add := func(what, id string) { got[what] = append(got[what], id) }
	for _, e := range es {
		if _, err := s.Events().Get(ctx, e.ID); err == nil {
			add("event", e.ID)
		} else {
			isFault(t, err, fault.KindNotFound, "")
		}
		ds, err := s.Deliveries().ListByEvent(ctx, e.ID)
		must(t, err)
		for _, d := range ds {
			add("delivery by event", d.ID)
		}
	}
	replayed, err := s.Events().ListAfterFor(ctx, []string{sessionID}, 0, 0)
	must(t, err)
	all, err := s.Events().ListAfter(ctx, 0, 0)
	must(t, err)
	unpublished, err := s.Events().ListUnpublished(ctx, 0)
	must(t, err)
	for _, e := range append(append(replayed, all...), unpublished...) {
		if e.SessionID == sessionID {
			add("listed event", e.ID)
		}
	}
	if m, err := s.Inbound().Get(ctx, sessionID, "MSG-"+sessionID); err == nil {
		add("received", m.ID)
		for _, r := range m.Reactions {
			add("reaction", r.By.String())
		}
	} else {
		isFault(t, err, fault.KindNotFound, fault.ReasonMessageNotFound)
	}
	ds, err := s.Deliveries().List(ctx, ports.DeliveryFilter{})
	must(t, err)
	for _, d := range ds {
		if d.SessionID == sessionID {
			add("delivery", d.ID)
		}
	}
	if m, err := s.Messages().Get(ctx, sessionID, "m1"); err == nil {
		add("message", m.ID)
	}
	keys, err := s.Messages().ListSessionBlobs(ctx, sessionID)
	must(t, err)
	for _, k := range keys {
		add("blob", k)
	}
	if last, err := s.Cooldowns().Last(ctx, sessionID, recipient); err != nil || !last.IsZero() {
		must(t, err)
		add("cooldown", recipient)
	}
	// Another session's claim of the key succeeds only once the record is gone; the
	// probe session takes its claim away with it.
	createSession(t, s, "probe", "OWNER")
	probe := historyKey(sessionID, "probe")
	probe.SessionID = "probe"
	_, ok, err := s.Idempotency().Claim(ctx, probe)
	must(t, err)
	if !ok {
		add("idempotency key", probe.Key)
	}
	must(t, s.Sessions().Delete(ctx, "probe"))
	return got
}

func historyDeleted(t *testing.T, s ports.Store) {
	ctx := t.Context()
	gone := seedHistory(t, s, "s1")
	kept := seedHistory(t, s, "s2")
	keptHistory := historyOf(t, s, "s2", kept)
	equal(t, len(keptHistory["event"]), 2)
	equal(t, len(keptHistory["listed event"]), 3) // replayed twice, and listed unpublished
	equal(t, len(keptHistory["delivery"]), 2)
	equal(t, keptHistory["blob"], []string{"outbound/s2.jpg"})

	must(t, s.Sessions().Delete(ctx, "s1"))
	equal(t, historyOf(t, s, "s1", gone), map[string][]string{})
	equal(t, historyOf(t, s, "s2", kept), keptHistory)
	// The relay and the webhook worker no longer find any of it either.
	claimed, err := s.Deliveries().ClaimDue(ctx, at(10), lease, 10, 10)
	must(t, err)
	equal(t, deliveryIDs(t)(claimed, nil), []string{"d-" + kept[0].ID, "d-" + kept[1].ID})
}

func historyNotInherited(t *testing.T, s ports.Store) {
	old := seedHistory(t, s, "reuse1")
	must(t, s.Sessions().Delete(t.Context(), "reuse1"))
	createSession(t, s, "reuse1", "ANOTHER")
	equal(t, historyOf(t, s, "reuse1", old), map[string][]string{})
}

func historyOrphansRefused(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ghost := func(name string, err error) {
		t.Helper()
		if fe, ok := fault.As(err); !ok || fe.Kind != fault.KindNotFound || fe.Reason != fault.ReasonSessionNotFound {
			t.Fatalf("%s of a missing session: %v, want not found (session)", name, err)
		}
	}
	check := func(sessionID string) {
		t.Helper()
		e := newEvent(90)
		e.SessionID = sessionID
		_, err := s.Events().Append(ctx, e)
		ghost("event", err)
		ghost("message", s.Messages().Create(ctx, newMessage(t, sessionID, "m9", at(0))))
		ghost("cooldown", s.Cooldowns().Touch(ctx, sessionID, recipient, at(0)))
		_, _, err = s.Idempotency().Claim(ctx, historyKey(sessionID, "h"))
		ghost("idempotency key", err)
		// Refused inside a transaction, the error comes back as the store gave it.
		ghost("event in a transaction", s.InTx(ctx, func(r ports.Repositories) error {
			_, err := r.Events().Append(ctx, e)
			return err
		}))
	}
	check("never-created")

	es := seedHistory(t, s, "s1")
	must(t, s.Sessions().Delete(ctx, "s1"))
	check("s1")
	// The relay scheduling an event its session took away finds it gone.
	err := s.Deliveries().Create(ctx, webhook.NewDelivery("late", es[1].ID, "s1", "sub-s1", "https://b.test", at(1)))
	isFault(t, err, fault.KindNotFound, "")
	err = s.Deliveries().Create(ctx, webhook.NewDelivery("stray", "no-such-event", "s1", "", "https://b.test", at(1)))
	isFault(t, err, fault.KindNotFound, "")
	all, err := s.Deliveries().List(ctx, ports.DeliveryFilter{})
	must(t, err)
	equal(t, len(all), 0)
}

// legacy is v as the payload of a row stored before typed events (these suites
// treat payloads as opaque bytes).
func legacy(t *testing.T, v any) event.Legacy {
	t.Helper()
	raw, err := json.Marshal(v)
	must(t, err)
	return event.Legacy(raw)
}
