package contract

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// limitTests check counters, cooldowns, idempotency keys and received-message lookup.
var limitTests = []struct {
	name string
	run  func(t *testing.T, s ports.Store)
}{
	{"counter/hits count up in a window and restart in the next", counterWindows},
	{"counter/concurrent hits are counted exactly", counterConcurrent},
	{"cooldown/touch keeps the latest send and unknown recipients have none", cooldownTouch},
	{"idempotency/claim binds a key once until it expires", idempotencyClaim},
	{"idempotency/concurrent claims of one key: exactly one wins", idempotencyConcurrent},
	{"inbound/find received returns the newest event of that message id", inboundFind},
}

func counterWindows(t *testing.T, s ports.Store) {
	ctx := t.Context()
	w1, w2 := at(0), at(60)
	for i, want := range []int64{1, 2, 3} {
		n, err := s.Counters().Hit(ctx, "rl:k1", w1, w2)
		if err != nil || n != want {
			t.Fatalf("hit %d = %d, %v; want %d", i, n, err, want)
		}
	}
	if n, err := s.Counters().Hit(ctx, "rl:k2", w1, w2); err != nil || n != 1 {
		t.Fatalf("other key = %d, %v", n, err)
	}
	if n, err := s.Counters().Hit(ctx, "rl:k1", w2, at(120)); err != nil || n != 1 {
		t.Fatalf("next window = %d, %v; want 1", n, err)
	}
}

func counterConcurrent(t *testing.T, s ports.Store) {
	ctx := t.Context()
	const workers, each = 16, 25
	var wg sync.WaitGroup
	seen := make(chan int64, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				n, err := s.Counters().Hit(ctx, "q:shared", at(0), at(60))
				if err != nil {
					t.Error(err)
					return
				}
				seen <- n
			}
		})
	}
	wg.Wait()
	close(seen)
	var got []int64
	for n := range seen {
		got = append(got, n)
	}
	slices.Sort(got)
	for i, n := range got {
		if n != int64(i+1) {
			t.Fatalf("counts are not 1..%d exactly once: %v", workers*each, got)
		}
	}
	if len(got) != workers*each {
		t.Fatalf("%d hits counted, want %d", len(got), workers*each)
	}
}

func cooldownTouch(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	if last, err := s.Cooldowns().Last(ctx, "s1", "628@s.whatsapp.net"); err != nil || !last.IsZero() {
		t.Fatalf("unknown = %v, %v", last, err)
	}
	for _, ts := range []time.Time{at(5), at(3)} {
		if err := s.Cooldowns().Touch(ctx, "s1", "628@s.whatsapp.net", ts); err != nil {
			t.Fatal(err)
		}
	}
	last, err := s.Cooldowns().Last(ctx, "s1", "628@s.whatsapp.net")
	if err != nil || last.Sub(at(5)).Abs() >= time.Millisecond {
		t.Fatalf("last = %v, %v; want %v", last, err, at(5))
	}
	if last, _ := s.Cooldowns().Last(ctx, "s2", "628@s.whatsapp.net"); !last.IsZero() {
		t.Fatalf("cooldown leaked across sessions: %v", last)
	}
}

func idemRecord(key, hash string, created time.Time, ids ...string) ports.IdempotencyRecord {
	return ports.IdempotencyRecord{Scope: "key1", Key: key, Hash: hash, SessionID: "s1", MessageIDs: ids,
		CreatedAt: created, ExpiresAt: created.Add(24 * time.Hour)}
}

func idempotencyClaim(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	first := idemRecord("k", "h1", at(0), "M1", "M2")
	if got, ok, err := s.Idempotency().Claim(ctx, first); err != nil || !ok || !slices.Equal(got.MessageIDs, first.MessageIDs) {
		t.Fatalf("first claim = %+v, %v, %v", got, ok, err)
	}
	got, ok, err := s.Idempotency().Claim(ctx, idemRecord("k", "h2", at(3600), "M3"))
	if err != nil || ok || got.Hash != "h1" || got.SessionID != "s1" || !slices.Equal(got.MessageIDs, []string{"M1", "M2"}) {
		t.Fatalf("second claim = %+v, %v, %v; want the first record", got, ok, err)
	}
	other := idemRecord("k", "h9", at(0), "M9")
	other.Scope = "key2"
	if _, ok, err := s.Idempotency().Claim(ctx, other); err != nil || !ok {
		t.Fatalf("same key of another scope = %v, %v", ok, err)
	}
	later := idemRecord("k", "h3", at(0).Add(24*time.Hour), "M4")
	if got, ok, err := s.Idempotency().Claim(ctx, later); err != nil || !ok || got.Hash != "h3" {
		t.Fatalf("claim after expiry = %+v, %v, %v", got, ok, err)
	}
}

func idempotencyConcurrent(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	var wg sync.WaitGroup
	wins := make(chan string, 8)
	for i := range 8 {
		wg.Go(func() {
			id := string(rune('A' + i))
			err := s.InTx(ctx, func(r ports.Repositories) error {
				_, ok, err := r.Idempotency().Claim(ctx, idemRecord("race", "h", at(0), id))
				if ok {
					wins <- id
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(wins)
	var won []string
	for w := range wins {
		won = append(won, w)
	}
	if len(won) != 1 {
		t.Fatalf("winners %v, want exactly one", won)
	}
	got, ok, err := s.Idempotency().Claim(ctx, idemRecord("race", "h", at(1), "Z"))
	if err != nil || ok || !slices.Equal(got.MessageIDs, won) {
		t.Fatalf("stored %+v, %v, %v; want the winner %v", got, ok, err, won)
	}
}

func inboundFind(t *testing.T, s ports.Store) {
	ctx := context.Background()
	add := func(session string, typ event.Type, id, text string) {
		t.Helper()
		e, err := event.New(typ, session, at(0), legacy(t, map[string]any{"id": session, "text": text,
			"message": map[string]any{"key": map[string]any{"remoteJid": "628@s.whatsapp.net", "fromMe": false, "id": id}}}))
		if err != nil {
			t.Fatal(err)
		}
		e.MessageID = id
		if _, err := s.Events().Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	ensureSession(t, s, "s1")
	ensureSession(t, s, "s2")
	add("s1", event.MessageReceived, "MSG1", "old")
	add("s2", event.MessageReceived, "MSG2", "other session")
	add("s1", event.MessageStatus, "MSG2", "not a received message")
	add("s1", event.MessageReceived, "MSG1", "new")
	e, err := s.Inbound().FindReceived(ctx, "s1", "MSG1")
	if err != nil || e.SessionID != "s1" || e.Type != event.MessageReceived || !strings.Contains(string(e.Payload), `"text":"new"`) {
		t.Fatalf("found %+v (%s), %v", e, e.Payload, err)
	}
	if _, err := s.Inbound().FindReceived(ctx, "s1", "MSG2"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("MSG2 in s1: %v, want not found", err)
	}
}
