package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
)

// Concurrent sends share transactions (group commit); each request must still get
// what it would get alone.

// Retries racing with one Idempotency-Key queue the messages once; every request
// answers with those messages.
func TestMessaging_ConcurrentDuplicatesOfOneIdempotencyKeyQueueOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	body := map[string]any{"sessionId": "s1", "to": []string{"6281111111111", "6282222222222"}, "message": "once"}
	const n = 12
	rs := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rs[i] = a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, body, header("Idempotency-Key", "race"))
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	replays := 0
	for _, r := range rs {
		if r.code != http.StatusOK && r.code != http.StatusAccepted { // a replay tells the state now: maybe still queued
			t.Fatalf("got HTTP %d, want 200 or 202: %s", r.code, r.body)
		}
		for i := range 2 {
			var m struct{ MessageID string }
			r.result(t, i, &m)
			ids[m.MessageID] = true
		}
		if r.hdr.Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	if len(ids) != 2 || replays != n-1 {
		t.Fatalf("message ids %v and %d replays, want 2 ids and %d replays", ids, replays, n-1)
	}
	waitFor(t, "the two messages sent", func() bool { return len(a.net.Sent("s1")) == 2 })
}

// A request refused after it wrote (its idempotency claim, then a recipient in
// cooldown) fails alone: the concurrent good sends are queued and its claim is gone.
func TestMessaging_AFailingSendAmongConcurrentOnesFailsAlone(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(c *command.Config) { c.Limits.Cooldown = time.Hour })
	alice, _ := a.user(t, "alice")
	a.openSession(t, alice, "s1", "6281234567890")
	send := func(to, key string) response {
		return a.do(t, http.MethodPost, "/api/v1/messages/send/text", alice, map[string]any{"sessionId": "s1", "to": to, "message": "x"},
			header("Idempotency-Key", key))
	}
	expect(t, send("6281000000000", "first"), http.StatusOK, 1000) // starts the recipient's cooldown
	const n = 10
	good := make([]response, n)
	var bad response
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			good[i] = send("62820000000"+string(rune('0'+i/10))+string(rune('0'+i%10)), "good-"+string(rune('a'+i)))
		})
	}
	wg.Go(func() { bad = send("6281000000000", "bad") })
	wg.Wait()
	expect(t, bad, http.StatusTooManyRequests, 2400)
	for _, r := range good {
		expect(t, r, http.StatusOK, 1000)
	}
	if got := len(a.net.Sent("s1")); got != n+1 {
		t.Fatalf("network saw %d messages, want %d", got, n+1)
	}
	// The refused request's claim rolled back with it: its key is free for another body.
	expect(t, send("6283000000000", "bad"), http.StatusOK, 1000)
}
