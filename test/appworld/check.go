package appworld

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/ports"
)

// Eventually polls cond until it holds or the deadline passes. The deadline only
// bounds a failing test, so it is at least minWait: a busy CI machine running the
// race detector must not fail a passing one.
func Eventually(t *testing.T, within time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	within = max(within, minWait)
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: "+format, append([]any{within}, args...)...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const minWait = 30 * time.Second

// Decode unmarshals raw JSON into a T.
func Decode[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// VerifySignature checks X-WAREST-Signature with an HMAC-SHA256 keyed secret+username.
func VerifySignature(t *testing.T, r ports.WebhookRequest, secret, username string) {
	t.Helper()
	m := hmac.New(sha256.New, []byte(secret+username))
	m.Write(r.Body)
	want := "HMAC-SHA256=" + hex.EncodeToString(m.Sum(nil))
	if got := r.Headers["X-WAREST-Signature"]; got != want {
		t.Fatalf("signature %q, want %q (key = secret + %q)", got, want, username)
	}
	if secret != "" && (strings.Contains(string(r.Body), secret) || strings.Contains(fmt.Sprint(r.Headers), secret)) {
		t.Fatal("the webhook secret leaked into the request")
	}
}

// SessionEvents returns the events s logged for a session and type ("" for all
// types), published or not: published ones by position, then the others.
func SessionEvents(t *testing.T, ctx context.Context, s ports.Store, sessionID string, typ event.Type) []event.Envelope {
	t.Helper()
	// Unpublished first: an event the relay publishes in between is then listed
	// twice (kept once below) rather than missed.
	unpublished, err := s.Events().ListUnpublished(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	published, err := s.Events().ListAfter(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []event.Envelope
	seen := map[string]bool{}
	for _, e := range append(published, unpublished...) {
		if !seen[e.ID] && e.SessionID == sessionID && (typ == "" || e.Type == typ) {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	return out
}

// Legacy is v as the payload of a row stored before typed events, for tests that
// treat payloads as opaque (or store WAREST data as older gateways did).
func Legacy(t *testing.T, v any) event.Legacy {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return event.Legacy(raw)
}

// Render is e's `data` as receivers read it (webhooks and the events API).
func Render(t *testing.T, e event.Envelope) json.RawMessage {
	t.Helper()
	raw, err := Renderer{}.Render(e)
	if err != nil {
		t.Fatalf("render %s %s: %v", e.Type, e.Payload, err)
	}
	return raw
}

// Rendered decodes e's `data` as receivers read it into a T.
func Rendered[T any](t *testing.T, e event.Envelope) T {
	t.Helper()
	return Decode[T](t, Render(t, e))
}
