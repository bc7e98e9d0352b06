package command_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

type requestKey struct{}

// requestGroups counts the group transactions made for contexts marked requestKey
// (one request's), leaving out the workers' own.
type requestGroups struct {
	ports.Store
	n atomic.Int64
}

func (s *requestGroups) InGroupTx(ctx context.Context, lane string, fn func(context.Context, ports.Repositories) error) error {
	s.count(ctx)
	return s.Store.InGroupTx(ctx, lane, fn)
}

func (s *requestGroups) InterleavedGroupTx(ctx context.Context, lane string, fn func(context.Context, ports.Repositories) error) error {
	s.count(ctx)
	return s.Store.InterleavedGroupTx(ctx, lane, fn)
}

func (s *requestGroups) count(ctx context.Context) {
	if ctx.Value(requestKey{}) != nil {
		s.n.Add(1)
	}
}

func TestSendCounted_OneGroupTransactionPerSendAndEveryRequestCounted(t *testing.T) {
	t.Parallel()
	var groups *requestGroups
	// A fixed clock: the counts are in one window.
	w := appworld.New(t, appworld.Options{Clock: appworld.FixedClock{T: time.Now()}, WrapStore: func(s ports.Store) ports.Store {
		groups = &requestGroups{Store: s}
		return groups
	}})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	quota := command.DefaultLimits.Quota.Limit
	// send makes one request and reports its group transactions and the quota left.
	send := func(in command.SendInput) (int64, int, error) {
		t.Helper()
		before := groups.n.Load()
		_, st, err := w.Cmd.Sending.SendCounted(context.WithValue(w.Ctx, requestKey{}, 1), w.User, in)
		if st.Quota == nil || st.Rate == nil {
			t.Fatalf("state %+v, want both limits counted", st)
		}
		return groups.n.Load() - before, st.Quota.Remaining, err
	}

	txs, left, err := send(command.SendInput{SessionID: "alice", To: []string{bobPhone}, Content: message.TextContent("one commit")})
	if err != nil || txs != 1 || left != quota-1 {
		t.Fatalf("accepted send: %d group transactions, quota left %d, err %v; want 1, %d, nil", txs, left, err, quota-1)
	}
	// Refused inside the acceptance: its counts roll back with it, then are made again.
	txs, left, err = send(command.SendInput{SessionID: "nobody", To: []string{bobPhone}, Content: message.TextContent("x")})
	if !fault.Is(err, fault.KindNotFound) || txs != 2 || left != quota-2 {
		t.Fatalf("refused send: %d group transactions, quota left %d, err %v; want 2, %d, not found", txs, left, err, quota-2)
	}
	// Each request was counted once.
	st, err := w.Cmd.Quotas.Throttle(w.Ctx, w.User, true)
	if err != nil || st.Quota.Remaining != quota-3 || st.Rate.Remaining != command.DefaultLimits.Rate.Limit-3 {
		t.Fatalf("after two sends: %+v %+v, %v", *st.Rate, *st.Quota, err)
	}
}
