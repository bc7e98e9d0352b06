package worker_test

import (
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// t0 is where the sweeper's clock starts.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

type sweepRig struct {
	t     *testing.T
	store *appworld.SQLiteStore
	blobs ports.BlobStore
	clock *appworld.FixedClock
	sweep *worker.BlobSweeper
}

func newSweepRig(t *testing.T) *sweepRig {
	t.Helper()
	blobs, err := appworld.NewBlobs(appworld.BlobConfig{Root: t.TempDir(), Key: "test-key"})
	if err != nil {
		t.Fatal(err)
	}
	r := &sweepRig{t: t, store: appworld.NewStore(t), blobs: blobs, clock: &appworld.FixedClock{T: t0}}
	r.sweep = worker.NewBlobSweeper(r.store, blobs, r.clock, appworld.Discard)
	sess, err := session.New("s1", "budi", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.Sessions().Create(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	return r
}

// queue stores the blob and one queued image message carrying it per id, as Send
// does for the recipients of one request.
func (r *sweepRig) queue(key string, ids ...string) {
	r.t.Helper()
	if _, err := r.blobs.Put(r.t.Context(), key, strings.NewReader("jpeg bytes"), "image/jpeg"); err != nil {
		r.t.Fatal(err)
	}
	for _, id := range ids {
		m, err := message.NewOutbound(id, "s1", chat.UserJID("6281234567890"),
			message.Content{Kind: message.KindImage, Media: &message.Media{MIME: "image/jpeg", BlobKey: key}}, r.clock.T)
		if err != nil {
			r.t.Fatal(err)
		}
		if err := r.store.Messages().Create(r.t.Context(), m); err != nil {
			r.t.Fatal(err)
		}
	}
}

// finish moves a message to next at the clock's time, as the send queue does.
func (r *sweepRig) finish(id string, next message.Status) {
	r.t.Helper()
	_, err := r.store.Messages().Update(r.t.Context(), "s1", id, func(m *message.Outbound) error {
		m.Advance(next, "no route", r.clock.T)
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

func (r *sweepRig) stored(key string) bool {
	r.t.Helper()
	rc, _, err := r.blobs.Open(r.t.Context(), key)
	if fe, ok := fault.As(err); ok && fe.Kind == fault.KindNotFound {
		return false
	}
	if err != nil {
		r.t.Fatal(err)
	}
	rc.Close()
	return true
}

func (r *sweepRig) sweepAt(after time.Duration) {
	r.t.Helper()
	r.clock.T = t0.Add(after)
	if more := r.sweep.Sweep(r.t.Context()); more {
		r.t.Fatal("a small sweep reported more to do")
	}
}

// A shared upload stays while any recipient's message is queued (its resend after a
// crash needs the bytes) and goes once all are final and the grace has passed; a
// failed message's blob goes too.
func TestBlobSweeper_DeletesSpentBlobsOnly(t *testing.T) {
	t.Parallel()
	r := newSweepRig(t)
	r.queue("outbound/shared.jpg", "m1", "m2")
	r.queue("outbound/failed.jpg", "m3")
	r.clock.T = t0.Add(time.Minute)
	r.finish("m1", message.StatusSent)
	r.finish("m3", message.StatusFailed)

	r.sweepAt(time.Hour) // within the grace
	if !r.stored("outbound/shared.jpg") || !r.stored("outbound/failed.jpg") {
		t.Fatal("a blob was deleted within the grace")
	}
	r.sweepAt(25 * time.Hour)
	if !r.stored("outbound/shared.jpg") {
		t.Fatal("the shared blob was deleted while m2 is queued")
	}
	if r.stored("outbound/failed.jpg") {
		t.Fatal("the failed message's blob was kept")
	}

	r.finish("m2", message.StatusSent) // at 25 h
	r.sweepAt(48 * time.Hour)
	if !r.stored("outbound/shared.jpg") {
		t.Fatal("the shared blob was deleted within m2's grace")
	}
	r.sweepAt(49*time.Hour + time.Second)
	if r.stored("outbound/shared.jpg") {
		t.Fatal("the shared blob was kept after every message was final")
	}
	left, err := r.store.Messages().ListSpentBlobs(t.Context(), r.clock.T, 10)
	if err != nil || len(left) != 0 {
		t.Fatalf("spent blobs after the sweep = %v, %v; want none (marked deleted)", left, err)
	}
}

// Retention 0 keeps blobs forever: Run returns without sweeping.
func TestBlobSweeper_ZeroRetentionKeepsForever(t *testing.T) {
	t.Parallel()
	r := newSweepRig(t)
	r.queue("outbound/a.jpg", "m1")
	r.finish("m1", message.StatusFailed)
	r.clock.T = t0.Add(1000 * time.Hour)
	r.sweep.Retention = 0
	r.sweep.Run(t.Context())
	if !r.stored("outbound/a.jpg") {
		t.Fatal("retention 0 deleted a blob")
	}
}
