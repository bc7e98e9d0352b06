package contract

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// BenchGroupLane measures the group commit alone, without HTTP or workers, on calls
// shaped like a send's acceptance (its two counters, its session read, a message and
// its status event) in one lane, as one API key's sends are: by one caller, then by
// 32 at once. It reports calls a second; the send benchmark (test/e2e) measures the
// whole gateway around it.
func BenchGroupLane(b *testing.B, s ports.Store) {
	ctx := b.Context()
	sess, err := session.New("bench", "owner", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Sessions().Create(ctx, sess); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	call := func() error {
		return s.InterleavedGroupTx(ctx, "key:bench", func(ctx context.Context, r ports.Repositories) error { return acceptance(ctx, r, n.Add(1)) })
	}
	for _, callers := range []int{1, 32} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			var next atomic.Int64
			done := make(chan error, callers)
			b.ResetTimer()
			for range callers {
				go func() {
					for next.Add(1) <= int64(b.N) {
						if err := call(); err != nil {
							done <- err
							return
						}
					}
					done <- nil
				}()
			}
			for range callers {
				if err := <-done; err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}

// acceptance is the n-th send's writes, as command.Sending makes them.
func acceptance(ctx context.Context, r ports.Repositories, n int64) error {
	now := time.Now()
	window := now.Truncate(time.Minute)
	if _, err := r.Counters().Hit(ctx, ports.CounterHit{Key: "rl:bench", Window: window, Expires: window.Add(2 * time.Minute)},
		ports.CounterHit{Key: "q:bench", Window: window, Expires: window.Add(2 * time.Minute)}); err != nil {
		return err
	}
	if _, err := r.Sessions().Get(ctx, "bench"); err != nil {
		return err
	}
	m, err := message.NewOutbound(fmt.Sprint("bench-", n), "bench", chat.UserJID("6281200000002"),
		message.Content{Kind: message.KindText, Text: "benchmark"}, now)
	if err != nil {
		return err
	}
	e, err := event.New(event.MessageStatus, "bench", now, event.MessageStatusOf(m, now))
	if err != nil {
		return err
	}
	return r.Messages().Create(ctx, m, e)
}
