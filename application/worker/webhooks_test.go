package worker_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
	"github.com/warest-go/warest/test/contract"
)

const (
	hookA = "https://a.hooks.test/h"
	hookB = "https://b.hooks.test/h"
	hookC = "https://c.hooks.test/h"
)

func hmacHex(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return "HMAC-SHA256=" + hex.EncodeToString(m.Sum(nil))
}

func TestWebhooks_OneDeliveryPerInterestedSubscription(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "Alice")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	b := w.subscribe(command.SubscriptionInput{URL: hookB, Secret: "secret-b", Events: []string{"session_status", "call"}})
	c := w.subscribe(command.SubscriptionInput{URL: hookC, Secret: "secret-c"}) // every event

	e := w.text("halo")
	w.delivery(e.ID, a.ID, isStatus(webhook.DeliveryDelivered))
	w.delivery(e.ID, c.ID, isStatus(webhook.DeliveryDelivered))
	ds := w.deliveries(e.ID)
	if len(ds) != 2 {
		t.Fatalf("%d deliveries, want 2 (a and c): %+v", len(ds), ds)
	}
	for _, r := range w.send.to(hookB) { // the session's opening may reach b: it wants session_status
		if eventIDOf(r) == e.ID {
			t.Fatal("b (session_status, call) got the message_received")
		}
	}
	for url, secret := range map[string]string{hookA: "secret-a", hookC: "secret-c"} {
		var reqs []ports.WebhookRequest
		for _, r := range w.send.to(url) {
			if eventIDOf(r) == e.ID {
				reqs = append(reqs, r)
			}
		}
		if len(reqs) != 1 {
			t.Fatalf("%s got the message_received %d times", url, len(reqs))
		}
		if got, want := reqs[0].Headers["X-WAREST-Signature"], hmacHex(secret+"budi", reqs[0].Body); got != want {
			t.Fatalf("%s signed with the wrong subscription's secret", url)
		}
	}

	// An event b wants goes to b (and c), not a.
	s := w.emit("alice", event.Call, map[string]any{"id": "alice", "calls": []any{}})
	w.delivery(s.ID, b.ID, isStatus(webhook.DeliveryDelivered))
	w.delivery(s.ID, c.ID, isStatus(webhook.DeliveryDelivered))
	if ds := w.deliveries(s.ID); len(ds) != 2 {
		t.Fatalf("%d deliveries of call, want 2: %+v", len(ds), ds)
	}

	// Scheduling the same event again (a re-published event) adds nothing.
	for range 3 {
		if err := w.hooks.Schedule(w.ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if ds := w.deliveries(e.ID); len(ds) != 2 {
		t.Fatalf("re-scheduling made %d deliveries, want 2", len(ds))
	}
}

func TestWebhooks_DisabledSubscriptionGetsNothingAndItsPendingDeliveryGoesDead(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{policy: webhook.Policy{Horizon: time.Hour, Base: 100 * time.Millisecond, Max: 100 * time.Millisecond}})
	w.open(w.user, "alice", alicePhone, "")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	b := w.subscribe(command.SubscriptionInput{URL: hookB, Secret: "secret-b", Events: []string{"message_received"}})
	w.send.set(func(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
		if r.URL == hookB {
			return status(500)
		}
		return status(200)
	})
	off := false
	if _, err := w.cmd.Subscriptions.UpdateSubscription(w.ctx, w.user, a.ID, command.SubscriptionPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}

	e := w.text("one")
	w.delivery(e.ID, b.ID, func(d webhook.Delivery) bool { return d.Attempts >= 1 })
	if _, err := w.cmd.Subscriptions.UpdateSubscription(w.ctx, w.user, b.ID, command.SubscriptionPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	d := w.delivery(e.ID, b.ID, isStatus(webhook.DeliveryDead))
	if d.LastError != "subscription disabled" {
		t.Fatalf("dead delivery %+v, want reason subscription disabled", d)
	}
	attempts := d.Attempts
	for _, d := range w.deliveries(e.ID) {
		if d.SubscriptionID == a.ID {
			t.Fatalf("disabled subscription got a delivery: %+v", d)
		}
	}
	if n := len(w.send.to(hookA)); n != 0 {
		t.Fatalf("disabled subscription got %d requests", n)
	}
	if n := len(w.send.to(hookB)); n != attempts {
		t.Fatalf("b got %d requests, delivery counts %d attempts", n, attempts)
	}
	// Nothing new is scheduled for either while they are off.
	e2 := w.text("two")
	appworld.Eventually(t, 5*time.Second, func() bool {
		un, _ := w.store.Events().ListUnpublished(w.ctx, 0)
		return !slices.ContainsFunc(un, func(x event.Envelope) bool { return x.ID == e2.ID })
	}, "event two never published")
	if ds := w.deliveries(e2.ID); len(ds) != 0 {
		t.Fatalf("deliveries for disabled subscriptions: %+v", ds)
	}
}

func TestWebhooks_DefaultURLOnlyWithoutAnEnabledSubscription(t *testing.T) {
	t.Parallel()
	const def = "https://default.hooks.test/h"
	w := newHookWorld(t, hookOpts{defaultURL: def})
	w.open(w.user, "alice", alicePhone, "")

	e1 := w.text("one")
	d := w.delivery(e1.ID, worker.DefaultSubscriptionID, isStatus(webhook.DeliveryDelivered))
	if d.URL != def {
		t.Fatalf("default delivery to %s", d.URL)
	}
	r := w.send.forEvent(e1.ID)
	if len(r) != 1 || r[0].Headers["X-WAREST-Signature"] != hmacHex("default-secret"+"budi", r[0].Body) {
		t.Fatalf("default request %+v", r)
	}

	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"call"}})
	e2 := w.text("two") // a does not want it, but it is enabled: no default either
	appworld.Eventually(t, 5*time.Second, func() bool {
		un, _ := w.store.Events().ListUnpublished(w.ctx, 0)
		return !slices.ContainsFunc(un, func(x event.Envelope) bool { return x.ID == e2.ID })
	}, "event two never published")
	if ds := w.deliveries(e2.ID); len(ds) != 0 {
		t.Fatalf("deliveries while a subscription is enabled: %+v", ds)
	}

	off := false
	if _, err := w.cmd.Subscriptions.UpdateSubscription(w.ctx, w.user, a.ID, command.SubscriptionPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	e3 := w.text("three")
	w.delivery(e3.ID, worker.DefaultSubscriptionID, isStatus(webhook.DeliveryDelivered))
}

// Event 2 is not attempted while event 1 is being retried; both arrive in order.
// Claimed behind a failing event 1, events 2 and 3 are released without an attempt.
func TestWebhooks_PerSessionOrderingAcrossRetries(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	var fails atomic.Int32
	fails.Store(3)
	w.send.set(func(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
		if bodyText(r) == "one" && fails.Add(-1) >= 0 {
			return status(503)
		}
		return status(200)
	})
	e1, e2, e3 := w.text("one"), w.text("two"), w.text("three")
	for _, e := range []event.Envelope{e1, e2, e3} {
		w.delivery(e.ID, a.ID, isStatus(webhook.DeliveryDelivered))
	}
	var seq []string
	for _, r := range w.send.to(hookA) {
		seq = append(seq, bodyText(r))
	}
	if want := []string{"one", "one", "one", "one", "two", "three"}; !slices.Equal(seq, want) {
		t.Fatalf("receiver saw %v, want %v", seq, want)
	}
	if d := w.deliveries(e1.ID)[0]; d.Attempts != 4 {
		t.Fatalf("event one took %d attempts, want 4", d.Attempts)
	}
	// Metrics saw each attempt's outcome, and a lag for each delivered event.
	if r, d, lags := w.counts.Deliveries(ports.DeliveryRetry), w.counts.Deliveries(ports.DeliveryDelivered), w.counts.Lags(); r != 3 || d != 3 || len(lags) != 3 {
		t.Fatalf("counted %d retries, %d delivered with lags %v; want 3, 3 and 3", r, d, lags)
	}
	want := []string{"warest.webhook.delivery failed", "warest.webhook.delivery failed", "warest.webhook.delivery failed",
		"warest.webhook.delivery", "warest.webhook.delivery", "warest.webhook.delivery"}
	if spans := w.spans.Ended(); !slices.Equal(spans, want) {
		t.Fatalf("delivery spans %q, want %q", spans, want)
	}
	for _, e := range []event.Envelope{e2, e3} {
		if d := w.deliveries(e.ID)[0]; d.Attempts != 1 {
			t.Fatalf("event %s took %d attempts, want 1", e.ID, d.Attempts)
		}
	}
}

// A 401 opens the URL's security circuit: the next delivery is deferred, not
// attempted and not counted.
func TestWebhooks_OpenCircuitDefersWithoutCountingAnAttempt(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	w.send.set(func(context.Context, ports.WebhookRequest) (ports.WebhookResponse, error) { return status(401) })
	e1 := w.text("one")
	if d := w.delivery(e1.ID, a.ID, isStatus(webhook.DeliveryDead)); d.Attempts != 1 || d.LastStatus != 401 {
		t.Fatalf("delivery after a 401: %+v", d)
	}
	e2 := w.text("two")
	d := w.delivery(e2.ID, a.ID, func(d webhook.Delivery) bool { return d.NextAttemptAt.After(time.Now().Add(10 * time.Minute)) })
	if d.Status != webhook.DeliveryPending || d.Attempts != 0 || d.LastStatus != 0 {
		t.Fatalf("deferred delivery %+v, want pending with no attempt", d)
	}
	if n := len(w.send.to(hookA)); n != 1 {
		t.Fatalf("%d requests to an open circuit, want only the one that opened it", n)
	}
}

// Five consecutive failures open the circuit for a minute; the retry is deferred
// to then, with its attempt count untouched.
func TestWebhooks_FailuresOpenTheCircuit(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	w.send.set(func(context.Context, ports.WebhookRequest) (ports.WebhookResponse, error) { return status(500) })
	e := w.text("one")
	d := w.delivery(e.ID, a.ID, func(d webhook.Delivery) bool { return d.NextAttemptAt.After(time.Now().Add(30 * time.Second)) })
	if d.Attempts != 5 || d.Status != webhook.DeliveryPending {
		t.Fatalf("delivery behind an open circuit %+v, want pending after 5 attempts", d)
	}
	if n := len(w.send.to(hookA)); n != 5 {
		t.Fatalf("%d requests, want 5", n)
	}
}

func (w *hookWorld) subscription(id string) webhook.Subscription {
	w.t.Helper()
	s, err := w.store.Subscriptions().Get(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func TestWebhooks_SubscriptionDisabledAfterConsecutiveDeadDeliveries(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{disableAfter: 3})
	w.open(w.user, "alice", alicePhone, "")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	watcher := w.subscribe(command.SubscriptionInput{URL: hookB, Secret: "secret-b", Events: []string{"webhook_disabled"}})
	w.send.set(func(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
		if r.URL == hookA {
			return status(404)
		}
		return status(200)
	})
	for i := range 2 {
		e := w.text(fmt.Sprint("n", i))
		w.delivery(e.ID, a.ID, isStatus(webhook.DeliveryDead))
	}
	// The count is written just after the delivery.
	appworld.Eventually(t, time.Second, func() bool { return w.subscription(a.ID).Failures == 2 }, "failures did not reach 2")
	if s := w.subscription(a.ID); !s.Enabled || s.Failures != 2 {
		t.Fatalf("after 2 failed events: %+v, want enabled with 2 failures", s)
	}
	if n := len(w.eventsOf("alice", event.WebhookDisabled)); n != 0 {
		t.Fatalf("%d webhook_disabled events before the threshold", n)
	}
	// The third failure disables it. Events after it were either scheduled before the
	// subscription was disabled — then they are given up without counting again — or
	// after, and then not scheduled at all; which one depends on timing.
	e3, e4, e5 := w.text("n2"), w.text("n3"), w.text("n4")
	w.delivery(e3.ID, a.ID, isStatus(webhook.DeliveryDead))
	appworld.Eventually(t, time.Second, func() bool { return !w.subscription(a.ID).Enabled }, "the third failure did not disable it")
	s := w.subscription(a.ID)
	if s.Enabled || s.Failures != 3 || s.DisabledReason != "HTTP 404" {
		t.Fatalf("subscription %+v, want disabled after 3 failures (HTTP 404)", s)
	}
	dis := w.eventsOf("alice", event.WebhookDisabled)
	if len(dis) != 1 {
		t.Fatalf("%d webhook_disabled events, want 1", len(dis))
	}
	data := appworld.Rendered[appworld.WebhookDisabledData](t, dis[0])
	if data.SubscriptionID != a.ID || data.URL != hookA || data.Failures != 3 || data.Reason != "HTTP 404" {
		t.Fatalf("webhook_disabled %s", dis[0].Payload)
	}
	// It is itself delivered to whoever subscribed to it. It was logged after e4 and
	// e5, so by now the relay has scheduled (or skipped) them too.
	w.delivery(dis[0].ID, watcher.ID, isStatus(webhook.DeliveryDelivered))
	for _, e := range []event.Envelope{e4, e5} {
		list, err := w.store.Deliveries().ListByEvent(w.ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			continue
		}
		if d := w.delivery(e.ID, a.ID, isStatus(webhook.DeliveryDead)); d.LastError != "subscription disabled" || d.Attempts != 0 {
			t.Fatalf("delivery after disabling: %+v", d)
		}
	}
	if n := len(w.send.to(hookA)); n != 3 {
		t.Fatalf("%d requests to the failing URL, want 3", n)
	}
}

func TestWebhooks_ASuccessResetsTheFailureCount(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{disableAfter: 3})
	w.open(w.user, "alice", alicePhone, "")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	w.send.set(func(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
		if strings.HasPrefix(bodyText(r), "bad") {
			return status(410)
		}
		return status(200)
	})
	for _, s := range []string{"bad1", "bad2", "good", "bad3", "bad4"} {
		e := w.text(s)
		w.delivery(e.ID, a.ID, func(d webhook.Delivery) bool { return d.Status != webhook.DeliveryPending })
		if s == "good" { // the count is written just after the delivery
			appworld.Eventually(t, time.Second, func() bool { return w.subscription(a.ID).Failures == 0 }, "failures not reset by a success")
		}
	}
	appworld.Eventually(t, time.Second, func() bool { return w.subscription(a.ID).Failures == 2 }, "failures did not settle at 2 (bad3, bad4)")
	if s := w.subscription(a.ID); !s.Enabled {
		t.Fatalf("subscription %+v, want enabled", s)
	}
	if n := len(w.eventsOf("alice", event.WebhookDisabled)); n != 0 {
		t.Fatalf("%d webhook_disabled events", n)
	}
}

func TestWebhooks_StandardWebhooksModeVerifiesWithTheReferenceLibrary(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "")
	sub := w.subscribe(command.SubscriptionInput{URL: hookA, Events: []string{"message_received"}, Mode: webhook.ModeStandard})
	if !strings.HasPrefix(sub.Secret, "whsec_") {
		t.Fatalf("generated standard secret %q, want whsec_…", sub.Secret)
	}
	var fails atomic.Int32
	fails.Store(1)
	w.send.set(func(context.Context, ports.WebhookRequest) (ports.WebhookResponse, error) {
		if fails.Add(-1) >= 0 {
			return status(502)
		}
		return status(200)
	})
	e := w.text("standard")
	w.delivery(e.ID, sub.ID, isStatus(webhook.DeliveryDelivered))
	wh, err := standardwebhooks.NewWebhook(sub.Secret)
	if err != nil {
		t.Fatal(err)
	}
	reqs := w.send.forEvent(e.ID)
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		if err := wh.Verify(r.Body, httpHeader(r.Headers)); err != nil {
			t.Fatalf("reference library rejects attempt %s: %v (headers %v)", r.Headers["X-WAREST-Delivery-Attempt"], err, r.Headers)
		}
		if r.Headers["webhook-id"] != e.ID || r.Headers["X-WAREST-Signature"] != "" {
			t.Fatalf("standard headers %v", r.Headers)
		}
	}
	// The signature covers the timestamp: a receiver cannot be fooled by a new one.
	forged := httpHeader(reqs[0].Headers)
	forged.Set("webhook-timestamp", fmt.Sprint(time.Now().Unix()+1))
	if err := wh.Verify(reqs[0].Body, forged); err == nil {
		t.Fatal("a changed timestamp still verifies")
	}
	if err := wh.Verify([]byte(strings.Replace(string(reqs[0].Body), "standard", "standarD", 1)), httpHeader(reqs[0].Headers)); err == nil {
		t.Fatal("a changed body still verifies")
	}
}

// Standard Webhooks receivers refuse a webhook-timestamp older than 5 minutes (the
// reference library's tolerance). The timestamp is the attempt's, so a delivery
// retried long after its event still verifies; the event time stays in the body.
func TestWebhooks_StandardTimestampIsTheAttemptsSoLateRetriesVerify(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "")
	sub := w.subscribe(command.SubscriptionInput{URL: hookA, Events: []string{"message_received"}, Mode: webhook.ModeStandard})
	occurred := time.Now().Add(-2 * time.Hour)
	e := w.emitAt("alice", event.MessageReceived, occurred, map[string]any{"id": "alice", "text": "late"})
	w.delivery(e.ID, sub.ID, isStatus(webhook.DeliveryDelivered))
	wh, _ := standardwebhooks.NewWebhook(sub.Secret)
	r := w.send.forEvent(e.ID)[0]
	if err := wh.Verify(r.Body, httpHeader(r.Headers)); err != nil {
		t.Fatalf("a retried/late delivery is refused by a standard receiver: %v", err)
	}
	if !strings.Contains(string(r.Body), fmt.Sprintf(`"ts":%d`, occurred.UnixMilli())) {
		t.Fatalf("body lost the event time: %s", r.Body)
	}
}

func TestWebhooks_RotationSignsWithBothSecretsDuringTheOverlap(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "")
	wa := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "old-secret-a", Events: []string{"message_received"}})
	std := w.subscribe(command.SubscriptionInput{URL: hookB, Events: []string{"message_received"}, Mode: webhook.ModeStandard})
	oldStd := std.Secret

	rot, err := w.cmd.Subscriptions.RotateSubscriptionSecret(w.ctx, w.user, wa.ID, "new-secret-a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if rot.Secret != "new-secret-a" || rot.PreviousSecret != "old-secret-a" {
		t.Fatalf("rotated %+v", rot)
	}
	rotStd, err := w.cmd.Subscriptions.RotateSubscriptionSecret(w.ctx, w.user, std.ID, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rotStd.Secret, "whsec_") || rotStd.Secret == oldStd {
		t.Fatalf("generated rotation secret %q", rotStd.Secret)
	}

	e := w.text("rotating")
	w.delivery(e.ID, wa.ID, isStatus(webhook.DeliveryDelivered))
	w.delivery(e.ID, std.ID, isStatus(webhook.DeliveryDelivered))
	r := w.send.to(hookA)[0]
	if got := r.Headers["X-WAREST-Signature"]; got != hmacHex("new-secret-a"+"budi", r.Body) {
		t.Fatalf("current signature %q does not verify with the new secret", got)
	}
	if got := r.Headers["X-WAREST-Signature-Previous"]; got != hmacHex("old-secret-a"+"budi", r.Body) {
		t.Fatalf("previous signature %q does not verify with the old secret", got)
	}
	s := w.send.to(hookB)[0]
	if n := len(strings.Fields(s.Headers["webhook-signature"])); n != 2 {
		t.Fatalf("standard signature header %q, want two signatures", s.Headers["webhook-signature"])
	}
	for _, secret := range []string{oldStd, rotStd.Secret} {
		wh, _ := standardwebhooks.NewWebhook(secret)
		if err := wh.Verify(s.Body, httpHeader(s.Headers)); err != nil {
			t.Fatalf("a receiver holding %s rejects the rotation overlap: %v", secret[:10], err)
		}
	}

	// Once the overlap is over only the new secret signs.
	if _, err := w.cmd.Subscriptions.RotateSubscriptionSecret(w.ctx, w.user, wa.ID, "newest-secret-a", time.Nanosecond); err != nil {
		t.Fatal(err)
	}
	e2 := w.text("rotated")
	w.delivery(e2.ID, wa.ID, isStatus(webhook.DeliveryDelivered))
	r2 := w.send.to(hookA)[1]
	if _, ok := r2.Headers["X-WAREST-Signature-Previous"]; ok || r2.Headers["X-WAREST-Signature"] != hmacHex("newest-secret-a"+"budi", r2.Body) {
		t.Fatalf("after the overlap: %v", r2.Headers)
	}
}

// Every attempt and every redelivery carries the same event id, so a receiver that
// drops ids it already processed processes the event once.
func TestWebhooks_SameEventIDAcrossRetriesAndRedeliveries(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	var mu sync.Mutex
	processed := map[string]int{}
	var fails atomic.Int32
	fails.Store(2)
	w.send.set(func(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
		if fails.Add(-1) >= 0 {
			return status(500) // failed before processing
		}
		mu.Lock()
		defer mu.Unlock()
		processed[eventIDOf(r)]++ // the receiver's duplicate check would skip the rest
		return status(200)
	})
	e := w.text("once")
	d := w.delivery(e.ID, a.ID, isStatus(webhook.DeliveryDelivered))
	if _, err := w.cmd.Subscriptions.Redeliver(w.ctx, w.user, d.ID); err != nil {
		t.Fatal(err)
	}
	w.delivery(e.ID, a.ID, func(d webhook.Delivery) bool { return d.Attempts == 4 && d.Status == webhook.DeliveryDelivered })
	reqs := w.send.to(hookA)
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	for i, r := range reqs {
		if eventIDOf(r) != e.ID || r.Headers["X-WAREST-Delivery-Attempt"] != fmt.Sprint(i+1) || string(r.Body) != string(reqs[0].Body) {
			t.Fatalf("request %d: id %s attempt %s", i, eventIDOf(r), r.Headers["X-WAREST-Delivery-Attempt"])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if processed[e.ID] != 2 || len(processed) != 1 {
		t.Fatalf("processed %v: a receiver deduplicating by X-WAREST-Event-Id sees one id twice", processed)
	}
}

// A restart in the middle of a retry: the attempt count, the next attempt time and
// the delivery itself survive in SQLite; the new process delivers it exactly once.
func TestWebhooks_RestartMidRetryOnSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	open := func() *appworld.SQLiteStore {
		s, err := appworld.OpenSQLite(context.Background(), appworld.SQLiteConfig{Path: path}, contract.Sealer{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	slow := webhook.Policy{Horizon: time.Hour, Base: 300 * time.Millisecond, Max: 300 * time.Millisecond}
	db1 := open()
	w1 := newHookWorld(t, hookOpts{store: db1, policy: slow})
	w1.open(w1.user, "alice", alicePhone, "")
	a := w1.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	w1.send.set(func(context.Context, ports.WebhookRequest) (ports.WebhookResponse, error) { return status(503) })
	e := w1.text("survives")
	w1.delivery(e.ID, a.ID, func(d webhook.Delivery) bool { return d.Attempts >= 1 })
	w1.stop()
	first := len(w1.send.forEvent(e.ID))
	if err := db1.Close(); err != nil {
		t.Fatal(err)
	}

	db2 := open()
	t.Cleanup(func() { _ = db2.Close() })
	w2 := newHookWorld(t, hookOpts{store: db2, existing: true, policy: slow})
	d := w2.delivery(e.ID, a.ID, isStatus(webhook.DeliveryDelivered))
	if got := w2.send.forEvent(e.ID); len(got) != 1 || got[0].Headers["X-WAREST-Delivery-Attempt"] != fmt.Sprint(first+1) {
		t.Fatalf("after the restart: %d requests (attempt %v), want exactly 1 (attempt %d)", len(got), got, first+1)
	}
	if d.Attempts != first+1 || len(w2.deliveries(e.ID)) != 1 {
		t.Fatalf("delivery %+v after %d failed attempts", d, first)
	}
	w2.stop()
	if n := len(w2.send.forEvent(e.ID)); n != 1 {
		t.Fatalf("%d requests once stopped, want 1", n)
	}
}

// A shutdown in the middle of an attempt (the receiver still answering) releases the
// delivery at once: the next process does not wait out the claim's lease.
func TestWebhooks_ShutdownMidAttemptReleasesTheDelivery(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	db1, err := appworld.OpenSQLite(context.Background(), appworld.SQLiteConfig{Path: path}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	w1 := newHookWorld(t, hookOpts{store: db1})
	w1.open(w1.user, "alice", alicePhone, "")
	a := w1.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	inFlight := make(chan struct{})
	var once sync.Once
	w1.send.set(func(ctx context.Context, _ ports.WebhookRequest) (ports.WebhookResponse, error) {
		once.Do(func() { close(inFlight) })
		<-ctx.Done() // a slow receiver: the request is cut by the shutdown
		return ports.WebhookResponse{}, ctx.Err()
	})
	e := w1.text("slow")
	<-inFlight
	w1.stop()
	_ = db1.Close()

	db2, err := appworld.OpenSQLite(context.Background(), appworld.SQLiteConfig{Path: path}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db2.Close() })
	w2 := newHookWorld(t, hookOpts{store: db2, existing: true})
	d := w2.delivery(e.ID, a.ID, isStatus(webhook.DeliveryDelivered)) // well within the 31 s lease
	if n := len(w2.send.forEvent(e.ID)); n != 1 {
		t.Fatalf("%d requests after the restart, want 1", n)
	}
	if d.Attempts != 1 {
		t.Fatalf("delivery %+v: the attempt cut by the shutdown should not count", d)
	}
}

// The receiver is down (connection refused) for a while, then up: every event
// arrives, each once successfully, in order.
func TestWebhooks_ReceiverDownThenUp(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "")
	a := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a", Events: []string{"message_received"}})
	var down atomic.Int32
	down.Store(4) // below the breaker's threshold of 5
	var mu sync.Mutex
	var got []string
	w.send.set(func(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
		if down.Add(-1) >= 0 {
			return ports.WebhookResponse{}, errors.New("dial tcp 127.0.0.1:9: connect: connection refused")
		}
		mu.Lock()
		got = append(got, bodyText(r))
		mu.Unlock()
		return status(200)
	})
	var evs []event.Envelope
	for i := range 5 {
		evs = append(evs, w.text(fmt.Sprint("m", i)))
	}
	for _, e := range evs {
		w.delivery(e.ID, a.ID, isStatus(webhook.DeliveryDelivered))
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"m0", "m1", "m2", "m3", "m4"}; !slices.Equal(got, want) {
		t.Fatalf("receiver got %v, want %v", got, want)
	}
	d := w.deliveries(evs[0].ID)[0]
	if d.Attempts != 5 || d.LastError != "" {
		t.Fatalf("first delivery %+v, want 5 attempts", d)
	}
}

func TestWebhooks_ScheduleAllStoresABatchWhollyOrNotAtAll(t *testing.T) {
	t.Parallel()
	w := newHookWorld(t, hookOpts{})
	w.open(w.user, "alice", alicePhone, "Alice")
	// Relayed while alice had no subscription: nothing scheduled.
	e := w.text("before the subscription")
	appworld.Eventually(t, 5*time.Second, func() bool {
		got, err := w.store.Events().Get(w.ctx, e.ID)
		return err == nil && got.Seq > 0
	}, "event %s was not relayed", e.ID)
	sub := w.subscribe(command.SubscriptionInput{URL: hookA, Secret: "secret-a"})

	// An event gone with its session (never stored here) fails the whole batch: the
	// bus then offers each event to Schedule, which passes it over.
	gone, err := event.New(event.MessageReceived, "alice", time.Now(), appworld.Legacy(t, map[string]any{"id": "alice"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.hooks.ScheduleAll(w.ctx, []event.Envelope{e, gone}); err == nil {
		t.Fatal("ScheduleAll succeeded with an event that is not stored")
	}
	if ds := w.deliveries(e.ID); len(ds) != 0 {
		t.Fatalf("the failed batch left %d deliveries of its stored event", len(ds))
	}
	if err := w.hooks.Schedule(w.ctx, gone); err != nil {
		t.Fatalf("Schedule of an event gone with its session: %v", err)
	}

	for range 2 { // a batch published again schedules nothing more
		if err := w.hooks.ScheduleAll(w.ctx, []event.Envelope{e}); err != nil {
			t.Fatal(err)
		}
	}
	w.delivery(e.ID, sub.ID, isStatus(webhook.DeliveryDelivered))
	if ds := w.deliveries(e.ID); len(ds) != 1 {
		t.Fatalf("%d deliveries, want 1", len(ds))
	}
}
