package contract

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// webhookTests check delivery claims and listing, subscriptions and the per-session
// event replay.
var webhookTests = []struct {
	name string
	run  func(t *testing.T, s ports.Store)
}{
	{"delivery/claim due takes pending deliveries due by now in creation order", claimDue},
	{"delivery/claim leases until it expires and save releases the lease", claimLease},
	{"delivery/claim takes only the oldest pending delivery of a session's subscription", claimHeadOfLine},
	{"delivery/claim takes at most limit", claimLimit},
	{"delivery/concurrent claimers get disjoint sets covering every due delivery", claimConcurrent},
	{"delivery/claim takes a line's next deliveries in order up to per line, oldest lines first", claimRuns},
	{"delivery/a line's run stops at the first delivery not due or leased", claimRunStops},
	{"delivery/concurrent claimers of runs get each delivery once and each line in order", claimRunsConcurrent},
	{"delivery/list applies every filter newest first", deliveryList},

	{"event/list after for returns later events of the given sessions only", eventListAfterFor},

	{"subscription/create then get returns every field", subscriptionRoundTrip},
	{"subscription/duplicate id is a conflict and an unknown session is not found", subscriptionCreateErrors},
	{"subscription/unknown id is not found for get update and delete", subscriptionNotFound},
	{"subscription/update persists fn's changes and a failing fn changes nothing", subscriptionUpdate},
	{"subscription/update inside a transaction rolls back with it", subscriptionUpdateRollsBack},
	{"subscription/put creates then replaces", subscriptionPut},
	{"subscription/list by session returns that session's subscriptions oldest first", subscriptionListBySession},
	{"subscription/delete removes it and deleting the session removes the rest", subscriptionDelete},
	{"subscription/secrets are stored sealed", subscriptionSealed},
}

const lease = time.Minute

// lineDelivery is a delivery of its own event, due at next, created now: creation
// order is the order of Create calls.
func lineDelivery(id, sessionID, subscriptionID, url string, next time.Time) webhook.Delivery {
	d := webhook.NewDelivery(id, "ev-"+id, sessionID, subscriptionID, url, at(0))
	d.NextAttemptAt = next
	return d
}

func createDeliveries(t *testing.T, s ports.Store, ds ...webhook.Delivery) {
	t.Helper()
	for _, d := range ds {
		ensureEvent(t, s, d.EventID, d.SessionID)
		must(t, s.Deliveries().Create(t.Context(), d))
	}
}

// claimIDs claims the heads of up to limit lines.
func claimIDs(t *testing.T, s ports.Store, now time.Time, limit int) []string {
	t.Helper()
	return claimRunIDs(t, s, now, limit, 1)
}

func claimRunIDs(t *testing.T, s ports.Store, now time.Time, lines, perLine int) []string {
	t.Helper()
	return deliveryIDs(t)(s.Deliveries().ClaimDue(t.Context(), now, lease, lines, perLine))
}

// settle saves deliveries as delivered, which moves their lines on.
func settle(t *testing.T, s ports.Store, ds ...webhook.Delivery) {
	t.Helper()
	for _, d := range ds {
		webhook.DefaultPolicy.Record(&d, webhook.Outcome{HTTPStatus: 200}, at(2))
		must(t, s.Deliveries().Save(t.Context(), d))
	}
}

func claimDue(t *testing.T, s ports.Store) {
	done := lineDelivery("done", "s1", "", "https://e.test", at(5))
	done.Status = webhook.DeliveryDelivered
	dead := lineDelivery("dead", "s1", "", "https://f.test", at(5))
	dead.Status = webhook.DeliveryDead
	createDeliveries(t, s,
		lineDelivery("late", "s1", "", "https://a.test", at(30)),
		lineDelivery("second", "s1", "", "https://b.test", at(20)),
		lineDelivery("first", "s1", "", "https://c.test", at(10)),
		lineDelivery("future", "s1", "", "https://d.test", at(40)),
		done, dead)

	equal(t, claimIDs(t, s, at(9), 10), []string{})
	equal(t, claimIDs(t, s, at(29), 10), []string{"second", "first"})
	equal(t, claimIDs(t, s, at(30), 10), []string{"late"})
	equal(t, claimIDs(t, s, at(45), 10), []string{"future"})
}

func claimLease(t *testing.T, s ports.Store) {
	ctx := t.Context()
	d := lineDelivery("d1", "s1", "sub", "https://a.test", at(0))
	d.RetryFrom = at(-5)
	createDeliveries(t, s, d)

	got, err := s.Deliveries().ClaimDue(ctx, at(1), 10*time.Second, 10, 1)
	must(t, err)
	equal(t, len(got), 1)
	equal(t, normDelivery(got[0]), normDelivery(d))
	equal(t, claimIDs(t, s, at(5), 10), []string{})
	// The lease ends at 1s+10s: from then on the delivery is free again.
	equal(t, deliveryIDs(t)(s.Deliveries().ClaimDue(ctx, at(11), 10*time.Second, 10, 1)), []string{"d1"})
	equal(t, claimIDs(t, s, at(12), 10), []string{})

	webhook.Policy{Base: time.Second}.Record(&d, webhook.Outcome{HTTPStatus: 503}, at(12))
	must(t, s.Deliveries().Save(ctx, d))
	equal(t, claimIDs(t, s, d.NextAttemptAt, 10), []string{"d1"})
}

func claimHeadOfLine(t *testing.T, s ports.Store) {
	ctx := t.Context()
	older := lineDelivery("older", "s1", "sub-a", "https://a.test", at(50))
	createDeliveries(t, s,
		older,
		lineDelivery("younger", "s1", "sub-a", "https://a.test", at(0)),
		lineDelivery("other", "s1", "sub-b", "https://a.test", at(0)))

	// older is not due yet, and younger waits behind it.
	equal(t, claimIDs(t, s, at(10), 10), []string{"other"})
	// Claimed, older still holds the line.
	equal(t, claimIDs(t, s, at(50), 10), []string{"older"})
	equal(t, claimIDs(t, s, at(200), 10), []string{"older", "other"})

	webhook.DefaultPolicy.Record(&older, webhook.Outcome{HTTPStatus: 200}, at(201))
	must(t, s.Deliveries().Save(ctx, older))
	equal(t, claimIDs(t, s, at(201), 10), []string{"younger"})
}

func claimLimit(t *testing.T, s ports.Store) {
	for i := range 5 {
		createDeliveries(t, s, lineDelivery(fmt.Sprintf("d%d", i), "s1", "", fmt.Sprintf("https://%d.test", i), at(0)))
	}
	equal(t, claimIDs(t, s, at(1), 2), []string{"d0", "d1"})
	equal(t, claimIDs(t, s, at(1), 2), []string{"d2", "d3"})
	equal(t, claimIDs(t, s, at(1), 10), []string{"d4"})
}

func claimConcurrent(t *testing.T, s ports.Store) {
	const n, claimers = 50, 8
	want := make([]string, 0, n)
	for i := range n {
		d := lineDelivery(fmt.Sprintf("d%02d", i), fmt.Sprintf("s%d", i%3), fmt.Sprintf("sub-%d", i), "https://a.test", at(0))
		createDeliveries(t, s, d)
		want = append(want, d.ID)
	}
	var mu sync.Mutex
	var got []string
	run(t, claimers, func(int) error {
		for {
			claimed, err := s.Deliveries().ClaimDue(t.Context(), at(1), lease, 3, 1)
			if err != nil || len(claimed) == 0 {
				return err
			}
			mu.Lock()
			for _, d := range claimed {
				got = append(got, d.ID)
			}
			mu.Unlock()
		}
	})
	slices.Sort(got)
	equal(t, got, want) // every delivery once: disjoint and complete
	equal(t, claimIDs(t, s, at(1), 10), []string{})
}

func claimRuns(t *testing.T, s ports.Store) {
	a := func(id string) webhook.Delivery { return lineDelivery(id, "s1", "sub-a", "https://a.test", at(0)) }
	b := func(id string) webhook.Delivery { return lineDelivery(id, "s1", "sub-b", "https://a.test", at(0)) }
	a1, a2 := a("a1"), a("a2")
	createDeliveries(t, s, a1, b("b1"), a2, a("a3"), b("b2"), a("a4"))

	equal(t, claimRunIDs(t, s, at(1), 1, 2), []string{"a1", "a2"})
	// Line a is leased from its head on; line b comes back whole, in order.
	equal(t, claimRunIDs(t, s, at(1), 10, 3), []string{"b1", "b2"})
	equal(t, claimRunIDs(t, s, at(1), 10, 3), []string{})
	settle(t, s, a1, a2)
	equal(t, claimRunIDs(t, s, at(1), 10, 3), []string{"a3", "a4"})
}

func claimRunStops(t *testing.T, s ports.Store) {
	ctx := t.Context()
	a := func(id string, next int) webhook.Delivery {
		return lineDelivery(id, "s1", "sub-a", "https://a.test", at(next))
	}
	b := func(id string) webhook.Delivery { return lineDelivery(id, "s1", "sub-b", "https://a.test", at(0)) }
	a1, a2, b1 := a("a1", 0), a("a2", 0), b("b1")
	createDeliveries(t, s, a1, a2, a("a3", 50), a("a4", 0), b1, b("b2"), b("b3"))

	// a3 is not due yet: line a stops before it, and a4 waits behind it.
	equal(t, claimRunIDs(t, s, at(10), 10, 3), []string{"a1", "a2", "b1", "b2", "b3"})
	settle(t, s, a1, a2)
	// b1 is released unattempted while b2 and b3 stay leased: b1 alone is claimable.
	must(t, s.Deliveries().Save(ctx, b1))
	equal(t, claimRunIDs(t, s, at(10), 10, 3), []string{"b1"})
	equal(t, claimRunIDs(t, s, at(50), 10, 3), []string{"a3", "a4"})
}

func claimRunsConcurrent(t *testing.T, s ports.Store) {
	const lines, perLine, claimers = 6, 10, 8
	want := map[string][]string{}
	for i := range lines * perLine {
		sub := fmt.Sprintf("sub-%d", i%lines)
		d := lineDelivery(fmt.Sprintf("d%02d", i), fmt.Sprintf("s%d", i%2), sub, "https://a.test", at(0))
		createDeliveries(t, s, d)
		want[sub] = append(want[sub], d.ID)
	}
	var mu sync.Mutex
	got := map[string][]string{}
	total := 0
	deadline := time.Now().Add(20 * time.Second)
	run(t, claimers, func(int) error {
		for {
			mu.Lock()
			claimedSoFar := total
			mu.Unlock()
			if claimedSoFar == lines*perLine {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("claimed %d of %d deliveries", claimedSoFar, lines*perLine)
			}
			claimed, err := s.Deliveries().ClaimDue(t.Context(), at(1), lease, 2, 3)
			if err != nil {
				return err
			}
			// Recorded before being saved: a line's next run is claimable only after.
			mu.Lock()
			for _, d := range claimed {
				got[d.SubscriptionID] = append(got[d.SubscriptionID], d.ID)
			}
			total += len(claimed)
			mu.Unlock()
			if len(claimed) == 0 {
				time.Sleep(time.Millisecond)
			}
			for _, d := range claimed {
				webhook.DefaultPolicy.Record(&d, webhook.Outcome{HTTPStatus: 200}, at(2))
				if err := s.Deliveries().Save(t.Context(), d); err != nil {
					return err
				}
			}
		}
	})
	equal(t, got, want) // every delivery once, each line in creation order
}

func deliveryList(t *testing.T, s ports.Store) {
	ctx := t.Context()
	mk := func(id, sessionID, subscriptionID, eventID string, status webhook.DeliveryStatus, created time.Time) webhook.Delivery {
		d := webhook.NewDelivery(id, eventID, sessionID, subscriptionID, "https://a.test", created)
		d.Status = status
		return d
	}
	createDeliveries(t, s,
		mk("d1", "s1", "sub-1", "e1", webhook.DeliveryDelivered, at(1)),
		mk("d2", "s2", "sub-2", "e1", webhook.DeliveryPending, at(2)),
		mk("d3", "s1", "sub-1", "e2", webhook.DeliveryDead, at(3)),
		mk("d4", "s3", "sub-3", "e2", webhook.DeliveryPending, at(4)),
		mk("d5", "s1", "sub-9", "e3", webhook.DeliveryPending, at(5)))

	list := func(f ports.DeliveryFilter) []string {
		t.Helper()
		return deliveryIDs(t)(s.Deliveries().List(ctx, f))
	}
	equal(t, list(ports.DeliveryFilter{}), []string{"d5", "d4", "d3", "d2", "d1"})
	equal(t, list(ports.DeliveryFilter{SessionIDs: []string{"s1", "s2"}}), []string{"d5", "d3", "d2", "d1"})
	equal(t, list(ports.DeliveryFilter{SessionIDs: []string{}}), []string{})
	equal(t, list(ports.DeliveryFilter{Status: webhook.DeliveryPending}), []string{"d5", "d4", "d2"})
	equal(t, list(ports.DeliveryFilter{EventID: "e2"}), []string{"d4", "d3"})
	equal(t, list(ports.DeliveryFilter{SubscriptionID: "sub-1"}), []string{"d3", "d1"})
	equal(t, list(ports.DeliveryFilter{CreatedFrom: at(2), CreatedTo: at(4)}), []string{"d3", "d2"})
	equal(t, list(ports.DeliveryFilter{Limit: 2}), []string{"d5", "d4"})
	equal(t, list(ports.DeliveryFilter{SessionIDs: []string{"s1"}, Status: webhook.DeliveryPending, EventID: "e3",
		SubscriptionID: "sub-9", CreatedFrom: at(5), CreatedTo: at(6), Limit: 1}), []string{"d5"})

	got, err := s.Deliveries().List(ctx, ports.DeliveryFilter{EventID: "e1", SessionIDs: []string{"s2"}})
	must(t, err)
	equal(t, len(got), 1)
	equal(t, normDelivery(got[0]), normDelivery(mk("d2", "s2", "sub-2", "e1", webhook.DeliveryPending, at(2))))
}

func eventListAfterFor(t *testing.T, s ports.Store) {
	ctx := t.Context()
	var stored []event.Envelope
	for i, sessionID := range []string{"s1", "s2", "s3", "s1", "s2", "s1"} {
		ensureSession(t, s, sessionID)
		e := newEvent(i + 1)
		e.SessionID = sessionID
		_, err := s.Events().Append(ctx, e)
		must(t, err)
		stored = append(stored, e)
	}
	// The last one stays unpublished: not replayed.
	stored = publishEvents(t, s, stored[:5]...)
	pick := func(is ...int) []event.Envelope {
		var out []event.Envelope
		for _, i := range is {
			out = append(out, stored[i])
		}
		return normEvents(out)
	}
	listed := func(ids []string, after int64, limit int) []event.Envelope {
		t.Helper()
		got, err := s.Events().ListAfterFor(ctx, ids, after, limit)
		must(t, err)
		return normEvents(got)
	}
	equal(t, listed([]string{"s1", "s2"}, 0, 10), pick(0, 1, 3, 4))
	equal(t, listed([]string{"s2", "s1"}, stored[1].Seq, 10), pick(3, 4))
	equal(t, listed([]string{"s1", "s2"}, 0, 2), pick(0, 1))
	equal(t, listed([]string{"s3", "unknown"}, 0, 10), pick(2))
	equal(t, listed([]string{}, 0, 10), pick())
	equal(t, listed(nil, 0, 10), pick())
}

// --- subscriptions ---

func newSubscription(t *testing.T, id, sessionID string, created time.Time) webhook.Subscription {
	t.Helper()
	sub, err := webhook.NewSubscription(id, sessionID, "https://example.test/hook?x="+id, "secret-"+id, nil, webhook.ModeWAREST, 0, created)
	must(t, err)
	return sub
}

func getSubscription(t *testing.T, s ports.Store, id string) webhook.Subscription {
	t.Helper()
	sub, err := s.Subscriptions().Get(t.Context(), id)
	must(t, err)
	return normSubscription(sub)
}

func subscriptionRoundTrip(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	full, err := webhook.NewSubscription("full", "s1", "https://example.test/h", "s3cr3t-ключ",
		[]string{"message_received", "session_status"}, webhook.ModeStandard, webhook.SHA512, at(1))
	must(t, err)
	must(t, full.Rotate("n3w-s3cr3t", time.Hour, at(2)))
	full.Undeliverable(1, "receiver gone", at(3))
	must(t, s.Subscriptions().Create(ctx, full))
	equal(t, getSubscription(t, s, "full"), normSubscription(full))

	// A fresh subscription (all events, no rotation) comes back just as empty.
	plain := newSubscription(t, "plain", "s1", at(4))
	must(t, s.Subscriptions().Create(ctx, plain))
	got := getSubscription(t, s, "plain")
	equal(t, got, normSubscription(plain))
	if got.Events != nil || got.PreviousSecret != "" || !got.PreviousUntil.IsZero() {
		t.Fatalf("fresh subscription came back with events %#v, previous secret %q until %v", got.Events, got.PreviousSecret, got.PreviousUntil)
	}
}

func subscriptionCreateErrors(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	must(t, s.Subscriptions().Create(ctx, newSubscription(t, "w1", "s1", at(1))))
	isFault(t, s.Subscriptions().Create(ctx, newSubscription(t, "w1", "s1", at(2))), fault.KindConflict, "")
	isFault(t, s.Subscriptions().Create(ctx, newSubscription(t, "w2", "nope", at(2))), fault.KindNotFound, fault.ReasonSessionNotFound)
	isFault(t, s.Subscriptions().Put(ctx, newSubscription(t, "w3", "nope", at(2))), fault.KindNotFound, fault.ReasonSessionNotFound)
}

func subscriptionNotFound(t *testing.T, s ports.Store) {
	ctx := t.Context()
	_, err := s.Subscriptions().Get(ctx, "nope")
	isFault(t, err, fault.KindNotFound, "")
	_, err = s.Subscriptions().Update(ctx, "nope", func(*webhook.Subscription) error { return nil })
	isFault(t, err, fault.KindNotFound, "")
	isFault(t, s.Subscriptions().Delete(ctx, "nope"), fault.KindNotFound, "")
}

func subscriptionUpdate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	must(t, s.Subscriptions().Create(ctx, newSubscription(t, "w1", "s1", at(1))))
	updated, err := s.Subscriptions().Update(ctx, "w1", func(sub *webhook.Subscription) error {
		sub.Events = []string{"message_ack"}
		return sub.Rotate("rotated-secret", time.Minute, at(2))
	})
	must(t, err)
	equal(t, updated.Secret, "rotated-secret")
	equal(t, getSubscription(t, s, "w1"), normSubscription(updated))

	_, err = s.Subscriptions().Update(ctx, "w1", func(sub *webhook.Subscription) error {
		sub.URL = "https://changed.test"
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("Update error = %v, want fn's error unchanged", err)
	}
	equal(t, getSubscription(t, s, "w1"), normSubscription(updated))
}

func subscriptionUpdateRollsBack(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	sub := newSubscription(t, "w1", "s1", at(1))
	must(t, s.Subscriptions().Create(ctx, sub))
	err := s.InTx(ctx, func(r ports.Repositories) error {
		_, err := r.Subscriptions().Update(ctx, "w1", func(sub *webhook.Subscription) error {
			sub.Undeliverable(1, "gone", at(2))
			return nil
		})
		must(t, err)
		inside, err := r.Subscriptions().Get(ctx, "w1")
		must(t, err)
		equal(t, inside.Enabled, false)
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("InTx error = %v, want fn's error unchanged", err)
	}
	equal(t, getSubscription(t, s, "w1"), normSubscription(sub))
}

func subscriptionPut(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	id := webhook.PrimaryID("s1")
	first := newSubscription(t, id, "s1", at(1))
	must(t, s.Subscriptions().Put(ctx, first))
	equal(t, getSubscription(t, s, id), normSubscription(first))

	second, err := webhook.NewSubscription(id, "s1", "https://other.test", "another-secret", []string{"message_ack"}, webhook.ModeStandard, 0, at(2))
	must(t, err)
	must(t, s.Subscriptions().Put(ctx, second))
	equal(t, getSubscription(t, s, id), normSubscription(second))
	all, err := s.Subscriptions().ListBySession(ctx, "s1")
	must(t, err)
	equal(t, len(all), 1)
}

func subscriptionListBySession(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	createSession(t, s, "s2", "A")
	for _, sub := range []webhook.Subscription{
		newSubscription(t, "c", "s1", at(3)),
		newSubscription(t, "a", "s1", at(1)),
		newSubscription(t, "x", "s2", at(0)),
		newSubscription(t, "b", "s1", at(2)),
	} {
		must(t, s.Subscriptions().Create(ctx, sub))
	}
	ids := func(id string) []string {
		subs, err := s.Subscriptions().ListBySession(ctx, id)
		must(t, err)
		out := []string{}
		for _, sub := range subs {
			out = append(out, sub.ID)
		}
		return out
	}
	equal(t, ids("s1"), []string{"a", "b", "c"})
	equal(t, ids("s2"), []string{"x"})
	equal(t, ids("none"), []string{})
}

func subscriptionDelete(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	createSession(t, s, "s2", "A")
	for _, sub := range []webhook.Subscription{
		newSubscription(t, "w1", "s1", at(1)), newSubscription(t, "w2", "s1", at(2)), newSubscription(t, "w3", "s2", at(3)),
	} {
		must(t, s.Subscriptions().Create(ctx, sub))
	}
	must(t, s.Subscriptions().Delete(ctx, "w1"))
	_, err := s.Subscriptions().Get(ctx, "w1")
	isFault(t, err, fault.KindNotFound, "")

	must(t, s.Sessions().Delete(ctx, "s1"))
	_, err = s.Subscriptions().Get(ctx, "w2")
	isFault(t, err, fault.KindNotFound, "")
	left, err := s.Subscriptions().ListBySession(ctx, "s1")
	must(t, err)
	equal(t, len(left), 0)
	getSubscription(t, s, "w3")
}

// subscriptionSealed reads the raw columns of stores that have them.
func subscriptionSealed(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	sub := newSubscription(t, "w1", "s1", at(1))
	sub.Secret = "plain-current"
	must(t, sub.Rotate("plain-next", time.Hour, at(2)))
	must(t, s.Subscriptions().Create(ctx, sub))
	equal(t, getSubscription(t, s, "w1"), normSubscription(sub))

	raw, ok := s.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("%T offers no DB() to read the stored columns", s)
	}
	var secret, previous string
	must(t, raw.DB().QueryRowContext(ctx, `SELECT secret, previous_secret FROM webhook_subscriptions WHERE id = 'w1'`).Scan(&secret, &previous))
	for _, c := range []struct{ raw, plain string }{{secret, "plain-next"}, {previous, "plain-current"}} {
		want, _ := Sealer{}.Seal(c.plain)
		if strings.Contains(c.raw, c.plain) || c.raw != want {
			t.Fatalf("stored secret %q, want sealed %q", c.raw, want)
		}
	}
}

func normSubscription(s webhook.Subscription) webhook.Subscription {
	s.CreatedAt, s.UpdatedAt = ms(s.CreatedAt), ms(s.UpdatedAt)
	if !s.PreviousUntil.IsZero() {
		s.PreviousUntil = ms(s.PreviousUntil)
	}
	return s
}
