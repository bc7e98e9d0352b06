package worker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// expirer records each DeleteOlder call.
type expirer struct {
	mu    sync.Mutex
	calls []string // prefix@before
}

func (e *expirer) DeleteOlder(_ context.Context, prefix string, before time.Time) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, prefix+"@"+before.UTC().Format(time.RFC3339))
	return 1, nil
}

func (e *expirer) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.calls)
}

func TestTempSweeper_DeletesTempFilesOlderThanTheTTL(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := &expirer{}
	s := worker.NewTempSweeper(e, appworld.FixedClock{T: now}, appworld.Discard)
	s.TTL = time.Minute
	s.Sweep(t.Context())
	if len(e.calls) != 1 || e.calls[0] != ports.TempBlobPrefix+"@2026-01-02T03:03:05Z" {
		t.Fatalf("calls = %v, want temp/ before one TTL ago", e.calls)
	}

	// Run sweeps at once, then every TTL/2.
	e2 := &expirer{}
	r := worker.NewTempSweeper(e2, appworld.FixedClock{T: now}, appworld.Discard)
	r.TTL = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	time.Sleep(175 * time.Millisecond)
	cancel()
	<-done
	if n := e2.count(); n < 3 || n > 5 {
		t.Fatalf("%d sweeps in 175ms at a 50ms period, want about 4", n)
	}
}
