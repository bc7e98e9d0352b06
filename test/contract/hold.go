package contract

import (
	"context"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/ports"
)

// GroupStore is a store with a group commit whose work tests can see.
type GroupStore interface {
	ports.Store
	GroupStats() store.GroupStats
}

// HoldLane runs a group call in lane that waits to be let go, so the calls made
// meanwhile queue up for the lane's next group. letGo waits until that many calls
// wait, then lets it go and returns once it has committed.
func HoldLane(t *testing.T, s GroupStore, lane string) (letGo func(waiting int64)) {
	t.Helper()
	release, running, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.InGroupTx(t.Context(), lane, func(context.Context, ports.Repositories) error {
			close(running)
			<-release
			return nil
		})
	}()
	<-running
	return func(waiting int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for s.GroupStats().Waiting < waiting {
			if time.Now().After(deadline) {
				t.Fatalf("calls waiting: %+v, want %d", s.GroupStats(), waiting)
			}
			time.Sleep(time.Millisecond)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
