package webhook_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/warest-go/warest/domain/webhook"
)

func TestPolicy_HorizonEndsRetries(t *testing.T) {
	t.Parallel()
	p := webhook.Policy{Horizon: time.Hour, Base: time.Minute, Max: 20 * time.Minute}
	d := webhook.NewDelivery("d", "e", "s", "sub", "u", t0)
	now := t0
	for d.Status == webhook.DeliveryPending {
		p.Record(&d, webhook.Outcome{HTTPStatus: 503}, now)
		if d.Status == webhook.DeliveryPending {
			if d.NextAttemptAt.After(t0.Add(time.Hour)) {
				t.Fatalf("attempt %d scheduled past the horizon: %v", d.Attempts, d.NextAttemptAt)
			}
			now = d.NextAttemptAt
		}
		if d.Attempts > 100 {
			t.Fatal("never went dead")
		}
	}
	// 1+2+4+8+16 minutes = 31 min of waits; the next (20 min cap) would end at 51 min,
	// the one after at 71 min, past the hour.
	if d.Status != webhook.DeliveryDead || d.Attempts != 7 {
		t.Fatalf("status %s after %d attempts, want dead after 7", d.Status, d.Attempts)
	}
}

func TestDelivery_RedeliverOpensAFreshWindow(t *testing.T) {
	t.Parallel()
	p := webhook.Policy{Horizon: time.Minute, Base: 2 * time.Minute}
	d := webhook.NewDelivery("d", "e", "s", "sub", "u", t0)
	p.Record(&d, webhook.Outcome{HTTPStatus: 500}, t0)
	if d.Status != webhook.DeliveryDead {
		t.Fatalf("want dead, got %s", d.Status)
	}
	later := t0.Add(48 * time.Hour)
	d.Redeliver(later)
	if d.Status != webhook.DeliveryPending || !d.NextAttemptAt.Equal(later) || !d.RetryFrom.Equal(later) || d.Attempts != 1 {
		t.Fatalf("after redeliver: %+v", d)
	}
	p.Record(&d, webhook.Outcome{HTTPStatus: 200}, later)
	if d.Status != webhook.DeliveryDelivered || d.Attempts != 2 {
		t.Fatalf("after success: %+v", d)
	}
}

func TestBreaker_OpensAfterThresholdAndOnRejection(t *testing.T) {
	t.Parallel()
	b := &webhook.Breaker{Threshold: 3, Cooldown: time.Minute, SecurityCooldown: 15 * time.Minute}
	fail := webhook.Outcome{Err: errors.New("refused")}
	for i := 0; i < 2; i++ {
		b.Record("a", fail, t0)
		if ok, _ := b.Allow("a", t0); !ok {
			t.Fatalf("open after %d failures", i+1)
		}
	}
	b.Record("a", fail, t0)
	ok, until := b.Allow("a", t0.Add(time.Second))
	if ok || !until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after 3 failures: allow=%v until=%v", ok, until)
	}
	if ok, _ := b.Allow("a", t0.Add(time.Minute)); !ok {
		t.Fatal("still open after the cooldown")
	}
	if ok, _ := b.Allow("b", t0); !ok {
		t.Fatal("another URL is affected")
	}
	b.Record("c", webhook.Outcome{HTTPStatus: 403}, t0)
	if ok, until := b.Allow("c", t0.Add(14*time.Minute)); ok || !until.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("403 should open for 15 min: allow=%v until=%v", ok, until)
	}
	b.Record("a", webhook.Outcome{HTTPStatus: 200}, t0.Add(2*time.Minute))
	b.Record("a", fail, t0.Add(2*time.Minute))
	if ok, _ := b.Allow("a", t0.Add(2*time.Minute)); !ok {
		t.Fatal("a success should reset the failure count")
	}
}

func TestSubscription_ValidatesAndFilters(t *testing.T) {
	t.Parallel()
	bad := []struct {
		name, url, secret string
		mode              webhook.Mode
		alg               webhook.Algorithm
	}{
		{"relative url", "/hook", "secret1", "", 0},
		{"ftp url", "ftp://x/h", "secret1", "", 0},
		{"short secret", "https://x/h", "abc", "", 0},
		{"unknown mode", "https://x/h", "secret1", "json", 0},
		{"odd algorithm", "https://x/h", "secret1", "", 100},
	}
	for _, c := range bad {
		if _, err := webhook.NewSubscription("id", "s", c.url, c.secret, nil, c.mode, c.alg, t0); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	all, err := webhook.NewSubscription("id", "s", "https://x/h", "secret1", nil, "", 0, t0)
	if err != nil || all.Mode != webhook.ModeWAREST || !all.Enabled {
		t.Fatalf("defaults: %+v %v", all, err)
	}
	if !all.Wants("message_received") || !all.Wants("anything") {
		t.Error("an empty filter takes every event")
	}
	some, _ := webhook.NewSubscription("id", "s", "https://x/h", "secret1", []string{"message_received"}, webhook.ModeStandard, 0, t0)
	if !some.Wants("message_received") || some.Wants("session_status") {
		t.Error("the filter is not applied")
	}
}

func TestSubscription_DisabledOnlyAfterThresholdConsecutiveFailures(t *testing.T) {
	t.Parallel()
	s, _ := webhook.NewSubscription("id", "s", "https://x/h", "secret1", nil, "", 0, t0)
	for i := 1; i < 3; i++ {
		if s.Undeliverable(3, "http 500", t0) || !s.Enabled {
			t.Fatalf("disabled after %d failures", i)
		}
	}
	s.Delivered(t0)
	if s.Undeliverable(3, "http 500", t0) || s.Undeliverable(3, "http 500", t0) {
		t.Fatal("a success did not reset the count")
	}
	if !s.Undeliverable(3, "http 410", t0) || s.Enabled || s.DisabledReason != "http 410" {
		t.Fatalf("third consecutive failure should disable: %+v", s)
	}
	if s.Undeliverable(3, "again", t0) {
		t.Fatal("reported disabling twice")
	}
	if s.Wants("message_received") {
		t.Fatal("a disabled subscription takes events")
	}
	s.Enable(t0)
	if !s.Enabled || s.Failures != 0 {
		t.Fatalf("enable: %+v", s)
	}
}

func TestSubscription_RotationKeepsThePreviousSecretForTheOverlap(t *testing.T) {
	t.Parallel()
	s, _ := webhook.NewSubscription("id", "s", "https://x/h", "old-secret", nil, "", 0, t0)
	if err := s.Rotate("new", time.Hour, t0); err == nil {
		t.Fatal("a short secret was accepted")
	}
	if err := s.Rotate("new-secret", time.Hour, t0); err != nil {
		t.Fatal(err)
	}
	if got := s.Secrets(t0.Add(59 * time.Minute)); len(got) != 2 || got[0] != "new-secret" || got[1] != "old-secret" {
		t.Fatalf("during overlap: %v", got)
	}
	if got := s.Secrets(t0.Add(time.Hour)); len(got) != 1 || got[0] != "new-secret" {
		t.Fatalf("after overlap: %v", got)
	}
}

// The Standard Webhooks reference library verifies our signatures, for both secrets
// of a rotation, and rejects a tampered body.
func TestBuild_StandardModeVerifiesWithTheStandardLibrary(t *testing.T) {
	t.Parallel()
	current, previous := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "a-plain-previous-secret"
	at := time.Now()
	req, err := webhook.Build(webhook.Signing{Mode: webhook.ModeStandard, Keys: webhook.Keys(webhook.ModeStandard, []string{current, previous}, "alice")},
		webhook.Envelope{Event: "message_received", EventID: "01HEVENT", Data: []byte(`{"text":"hi"}`), SessionID: "s1", At: at,
			Session: webhook.SessionInfo{ID: "s1", Label: "s1", Registry: "R", Username: "alice"}, Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for k, v := range req.Headers {
		h.Set(k, v)
	}
	if h.Get("X-WAREST-Signature") != "" {
		t.Error("standard mode also sent a WAREST signature")
	}
	for _, secret := range []string{current, previous} {
		var wh *standardwebhooks.Webhook
		if secret == current {
			wh, err = standardwebhooks.NewWebhook(secret)
		} else {
			wh, err = standardwebhooks.NewWebhookRaw([]byte(secret))
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(req.Body, h); err != nil {
			t.Errorf("verify with %q: %v", secret, err)
		}
		tampered := append([]byte(nil), req.Body...)
		tampered[len(tampered)-2] ^= 1
		if err := wh.Verify(tampered, h); err == nil {
			t.Errorf("a tampered body verified with %q", secret)
		}
	}
}

func TestBuild_WARESTModeSignsWithBothSecretsDuringRotation(t *testing.T) {
	t.Parallel()
	keys := webhook.Keys(webhook.ModeWAREST, []string{"new-secret", "old-secret"}, "alice")
	req, err := webhook.Build(webhook.Signing{Mode: webhook.ModeWAREST, Algorithm: webhook.SHA256, Keys: keys},
		webhook.Envelope{Event: "e", EventID: "id", Data: []byte(`{}`), SessionID: "s", At: t0, Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.Headers["X-WAREST-Signature"], webhook.Sign(webhook.SHA256, []byte("new-secretalice"), req.Body); got != want {
		t.Errorf("current signature %q, want %q", got, want)
	}
	if got, want := req.Headers["X-WAREST-Signature-Previous"], webhook.Sign(webhook.SHA256, []byte("old-secretalice"), req.Body); got != want {
		t.Errorf("previous signature %q, want %q", got, want)
	}
	if _, err := webhook.Build(webhook.Signing{}, webhook.Envelope{Event: "e", Data: []byte(`{}`)}); err == nil {
		t.Error("built a request without a key")
	}
}
