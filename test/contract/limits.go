package contract

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// limitTests check counters, cooldowns, idempotency keys and the inbound messages.
var limitTests = []struct {
	name string
	run  func(t *testing.T, s ports.Store)
}{
	{"counter/hits count up in a window and restart in the next", counterWindows},
	{"counter/concurrent hits are counted exactly", counterConcurrent},
	{"counter/one call hits several counters, each count in its hit's place", counterHits},
	{"cooldown/touch keeps the latest send and unknown recipients have none", cooldownTouch},
	{"idempotency/claim binds a key once until it expires", idempotencyClaim},
	{"idempotency/concurrent claims of one key: exactly one wins", idempotencyConcurrent},
	{"inbound/save keeps a received message and its content; a second save of the id changes nothing", inboundSave},
	{"inbound/edit, revoke and reactions change what is kept; unknown messages are not found", inboundChanges},
	{"inbound/text with NUL and invalid UTF-8 is kept", inboundOddText},
}

func counterWindows(t *testing.T, s ports.Store) {
	ctx := t.Context()
	w1, w2 := at(0), at(60)
	for i, want := range []int64{1, 2, 3} {
		if n, err := hitOne(ctx, s, "rl:k1", w1, w2); err != nil || n != want {
			t.Fatalf("hit %d = %d, %v; want %d", i, n, err, want)
		}
	}
	if n, err := hitOne(ctx, s, "rl:k2", w1, w2); err != nil || n != 1 {
		t.Fatalf("other key = %d, %v", n, err)
	}
	if n, err := hitOne(ctx, s, "rl:k1", w2, at(120)); err != nil || n != 1 {
		t.Fatalf("next window = %d, %v; want 1", n, err)
	}
}

// counterHits hits several counters in one call, as a send counts its rate limit and
// its quota: each count comes back in its hit's place, each window kept apart.
func counterHits(t *testing.T, s ports.Store) {
	ctx := t.Context()
	if n, err := hitOne(ctx, s, "q:a", at(0), at(60)); err != nil || n != 1 {
		t.Fatalf("first hit = %d, %v", n, err)
	}
	hits := []ports.CounterHit{{Key: "rl:a", Window: at(0), Expires: at(60)}, {Key: "q:a", Window: at(0), Expires: at(60)}}
	for i, want := range [][]int64{{1, 2}, {2, 3}} {
		if got, err := s.Counters().Hit(ctx, hits...); err != nil || !slices.Equal(got, want) {
			t.Fatalf("hits %d = %v, %v; want %v", i, got, err, want)
		}
	}
	hits[0].Window, hits[0].Expires = at(60), at(120) // the rate limit's next window, the quota's same one
	if got, err := s.Counters().Hit(ctx, hits...); err != nil || !slices.Equal(got, []int64{1, 4}) {
		t.Fatalf("next window = %v, %v; want [1 4]", got, err)
	}
	if got, err := s.Counters().Hit(ctx); err != nil || len(got) != 0 {
		t.Fatalf("no hits = %v, %v", got, err)
	}
}

func hitOne(ctx context.Context, s ports.Store, key string, window, expires time.Time) (int64, error) {
	n, err := s.Counters().Hit(ctx, ports.CounterHit{Key: key, Window: window, Expires: expires})
	if err != nil {
		return 0, err
	}
	return n[0], nil
}

func counterConcurrent(t *testing.T, s ports.Store) {
	ctx := t.Context()
	const workers, each = 16, 25
	var wg sync.WaitGroup
	seen := make(chan int64, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				n, err := hitOne(ctx, s, "q:shared", at(0), at(60))
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

// received is an inbound message of s1 with content of every part the table keeps.
func received(id string) message.Inbound {
	group := chat.JID{User: "120363041234567890", Server: chat.ServerGroup}
	c := message.Content{Kind: message.KindDocument, Text: "invoice é 👋", Mentions: []chat.JID{chat.UserJID("6284444444444")},
		Reply: &message.Reference{Chat: group, ID: "3EB0Q", Sender: chat.UserJID("6284444444444")},
		Media: &message.Media{MIME: "application/pdf", FileName: "a.pdf", Size: 2048, Pages: 2, URL: "https://mmg.test/x",
			DirectPath: "/v/x", MediaKey: []byte{1, 2, 3}, FileSHA256: []byte{4}, FileEncSHA256: []byte{5}}}
	return message.Inbound{ID: id, SessionID: "s1", Chat: group, FromMe: false, Content: c, Timestamp: at(1),
		Sender: chat.Party{JID: chat.UserJID("6282222222222"), LID: chat.JID{User: "222", Server: chat.ServerLID}, PushName: "Bob"}}
}

// normReceived makes times comparable across drivers (location, sub-ms precision).
func normReceived(r message.Received) message.Received {
	r.Timestamp, r.ReceivedAt, r.EditedAt, r.RevokedAt = ms(r.Timestamp), ms(r.ReceivedAt), ms(r.EditedAt), ms(r.RevokedAt)
	for i := range r.Reactions {
		r.Reactions[i].At = ms(r.Reactions[i].At)
	}
	return r
}

func inboundSave(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	m := received("3EB0DOC")
	must(t, s.Inbound().Save(ctx, m, at(2)))
	got, err := s.Inbound().Get(ctx, "s1", "3EB0DOC")
	must(t, err)
	equal(t, normReceived(got), normReceived(message.Received{Inbound: m, ReceivedAt: at(2)}))

	again := received("3EB0DOC")
	again.Content = message.TextContent("delivered again, differently")
	must(t, s.Inbound().Save(ctx, again, at(3)))
	got, err = s.Inbound().Get(ctx, "s1", "3EB0DOC")
	must(t, err)
	equal(t, got.Content.Text, m.Content.Text)

	_, err = s.Inbound().Get(ctx, "s1", "3EB0NONE")
	isFault(t, err, fault.KindNotFound, fault.ReasonMessageNotFound)
	gone := received("3EB0GONE")
	gone.SessionID = "no-such-session"
	if err := s.Inbound().Save(ctx, gone, at(2)); err == nil {
		t.Fatal("saved a message of a session that does not exist")
	}
}

func inboundChanges(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	must(t, s.Inbound().Save(ctx, received("3EB0A"), at(2)))
	bob, citra := chat.UserJID("6282222222222"), chat.JID{User: "333", Server: chat.ServerLID}

	must(t, s.Inbound().Edit(ctx, "s1", "3EB0A", "fixed", at(5)))
	must(t, s.Inbound().React(ctx, "s1", "3EB0A", citra, "🔥", at(7)))
	must(t, s.Inbound().React(ctx, "s1", "3EB0A", bob, "👍", at(6)))
	must(t, s.Inbound().React(ctx, "s1", "3EB0A", bob, "❤️", at(8))) // replaces bob's
	got, err := s.Inbound().Get(ctx, "s1", "3EB0A")
	must(t, err)
	got = normReceived(got)
	equal(t, got.Content.Text, "fixed")
	equal(t, got.Content.Media.FileName, "a.pdf")
	equal(t, got.EditedAt, ms(at(5)))
	equal(t, got.Revoked(), false)
	equal(t, got.Reactions, []message.Reaction{{By: citra, Emoji: "🔥", At: ms(at(7))}, {By: bob, Emoji: "❤️", At: ms(at(8))}})

	must(t, s.Inbound().React(ctx, "s1", "3EB0A", citra, "", at(9))) // removed
	must(t, s.Inbound().Revoke(ctx, "s1", "3EB0A", at(10)))
	got, err = s.Inbound().Get(ctx, "s1", "3EB0A")
	must(t, err)
	got = normReceived(got)
	equal(t, got.RevokedAt, ms(at(10)))
	equal(t, got.Content, message.Content{Kind: message.KindDocument}) // deleted for everyone: content forgotten
	equal(t, got.Reactions, []message.Reaction{{By: bob, Emoji: "❤️", At: ms(at(8))}})

	isFault(t, s.Inbound().Edit(ctx, "s1", "3EB0NONE", "x", at(5)), fault.KindNotFound, fault.ReasonMessageNotFound)
	isFault(t, s.Inbound().Revoke(ctx, "s1", "3EB0NONE", at(5)), fault.KindNotFound, fault.ReasonMessageNotFound)
	// A reaction to a message not kept (yet) is kept all the same.
	must(t, s.Inbound().React(ctx, "s1", "3EB0LATER", bob, "👍", at(6)))
	must(t, s.Inbound().Save(ctx, received("3EB0LATER"), at(7)))
	got, err = s.Inbound().Get(ctx, "s1", "3EB0LATER")
	must(t, err)
	equal(t, normReceived(got).Reactions, []message.Reaction{{By: bob, Emoji: "👍", At: ms(at(6))}})
}

func inboundOddText(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	m := received("3EB0ODD")
	m.Content = message.TextContent("nul \x00 bad \xff")
	m.Sender.PushName = "Bo\x00b"
	must(t, s.Inbound().Save(ctx, m, at(2)))
	must(t, s.Inbound().Edit(ctx, "s1", "3EB0ODD", "edited \x00", at(3)))
	must(t, s.Inbound().React(ctx, "s1", "3EB0ODD", chat.UserJID("6282222222222"), "\x00", at(4)))
	got, err := s.Inbound().Get(ctx, "s1", "3EB0ODD")
	must(t, err)
	equal(t, got.Content.Text, "edited \x00")
	equal(t, got.Sender.PushName, "Bo\uFFFDb") // a column of its own: as text columns take it
	equal(t, got.Reactions[0].Emoji, "\uFFFD")
}
