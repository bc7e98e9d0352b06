package worker_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/test/appworld"
)

// TestHistorySweeperKeepsEachSessionsRetention: the default retention applies to
// sessions without their own, a session's own wins, 0 everywhere keeps all, and a
// sweep deletes in batches until nothing old is left.
func TestHistorySweeperKeepsEachSessionsRetention(t *testing.T) {
	store := appworld.NewStore(t)
	clock := &appworld.FixedClock{T: t0}
	sweep := worker.NewHistorySweeper(store, clock, appworld.Discard)
	day := 24 * time.Hour
	for id, days := range map[string]int{"default": 0, "own": 2} {
		sess, err := session.New(id, "budi", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.SetHistoryRetention(days, t0); err != nil {
			t.Fatal(err)
		}
		if err := store.Sessions().Create(t.Context(), sess); err != nil {
			t.Fatal(err)
		}
		// 600 messages five days old (more than one batch) and one of yesterday.
		for i := range 601 {
			at := t0.Add(-5*day + time.Duration(i)*time.Second)
			if i == 600 {
				at = t0.Add(-day)
			}
			m := message.Inbound{ID: fmt.Sprintf("m%03d", i),
				SessionID: id, Chat: chat.UserJID("6281234567890"), Content: message.TextContent("hi"), Timestamp: at}
			if err := store.Inbound().Save(t.Context(), m, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	left := func(id string) int {
		page, err := store.Inbound().History(t.Context(), message.HistoryQuery{SessionID: id, Chat: chat.UserJID("6281234567890"), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}

	// No default: only the session with its own retention loses history, a batch at a time.
	if !sweep.Sweep(t.Context()) || left("own") != 601-500 {
		t.Fatalf("first sweep: own has %d left, want a full batch gone and more waiting", left("own"))
	}
	if sweep.Sweep(t.Context()) || left("own") != 1 || left("default") != 601 {
		t.Fatalf("second sweep: own %d, default %d; want yesterday's message and all", left("own"), left("default"))
	}

	sweep.Retention = 3 * day
	for sweep.Sweep(t.Context()) {
	}
	if left("default") != 1 || left("own") != 1 {
		t.Fatalf("after sweeping: default %d, own %d; want yesterday's message each", left("default"), left("own"))
	}
}
