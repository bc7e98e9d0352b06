package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// MixedGroup starts n calls in lane, each in one of the shapes a store must keep
// apart when it runs a group's calls at once (no statement; a row read; a list read
// with NULL columns; its own write read back) and all racing for one idempotency
// key. Call failing (none when out of range) fails after its write. check waits for
// the calls and verifies that each got exactly its own results, the failing one
// left no trace, and the key went to a call that committed. The session s1 must
// exist.
func MixedGroup(t *testing.T, s ports.Store, lane string, n, failing int) (check func()) {
	t.Helper()
	ctx := t.Context()
	seed := newEvent(5000)
	if _, err := s.Events().Append(ctx, seed); err != nil {
		t.Fatal(err)
	}
	sess, err := s.Sessions().Get(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, n)
	var won sync.Map // call ids whose claim won; a call may run again (see InGroupTx)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			own := newEvent(5001 + i)
			id := fmt.Sprint("call", i)
			errs[i] = s.InterleavedGroupTx(ctx, lane, func(ctx context.Context, r ports.Repositories) error {
				won.Delete(id)
				switch i % 4 {
				case 1:
					got, err := r.Events().Get(ctx, seed.ID)
					if err != nil || got.ID != seed.ID || !jsonEqual(got.Payload, seed.Payload) {
						return fmt.Errorf("seed read back as %+v, %v", got, err)
					}
				case 2:
					list, err := r.Sessions().List(ctx, "")
					if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0].Snapshot(), sess.Snapshot()) {
						return fmt.Errorf("sessions %v, %v; want s1 as stored", list, err)
					}
				}
				if i%4 != 0 {
					if _, err := r.Events().Append(ctx, own); err != nil {
						return err
					}
					if got, err := r.Events().Get(ctx, own.ID); err != nil || got.ID != own.ID {
						return fmt.Errorf("own write read back as %+v, %v", got, err)
					}
				}
				_, claimed, err := r.Idempotency().Claim(ctx, idemRecord("mixed", "h", at(0), id))
				if err != nil {
					return err
				}
				if claimed {
					won.Store(id, true)
				}
				if i == failing {
					return errAbort
				}
				return nil
			})
		})
	}
	return func() {
		t.Helper()
		wg.Wait()
		for i, err := range errs {
			if i == failing && !errors.Is(err, errAbort) || i != failing && err != nil {
				t.Errorf("call %d: %v", i, err)
			}
			_, err := s.Events().Get(ctx, newEvent(5001+i).ID)
			switch wrote := i%4 != 0 && i != failing; {
			case wrote && err != nil:
				t.Errorf("event of call %d: %v, want committed", i, err)
			case !wrote && !fault.Is(err, fault.KindNotFound):
				t.Errorf("event of call %d: %v, want none", i, err)
			}
		}
		got, claimed, err := s.Idempotency().Claim(ctx, idemRecord("mixed", "h", at(1), "late"))
		if err != nil || claimed || len(got.MessageIDs) != 1 {
			t.Fatalf("key holds %+v, %v, %v; want one call's claim", got, claimed, err)
		}
		winner := got.MessageIDs[0]
		if _, ok := won.Load(winner); !ok || winner == fmt.Sprint("call", failing) {
			t.Errorf("key went to %s, not to a call that committed its claim", winner)
		}
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

func groupMixed(t *testing.T, s ports.Store) {
	ensureSession(t, s, "s1")
	counted := CountingGroup(t, s, "mixed", 16)
	MixedGroup(t, s, "mixed", 24, 7)()
	counted()
}

// CountingGroup starts n calls in lane that each add one to a message's attempts by
// a read and a later write (Messages().Update), in InGroupTx: however they group
// with each other and with interleaved calls, none may lose another's write. check
// waits for them and verifies the count. The session s1 must exist.
func CountingGroup(t *testing.T, s ports.Store, lane string, n int) (check func()) {
	t.Helper()
	ctx := t.Context()
	m, err := message.NewOutbound("counted", "s1", chat.UserJID("6281200000009"), message.Content{Kind: message.KindText, Text: "n"}, at(0))
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.Messages().Create(ctx, m))
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			err := s.InGroupTx(ctx, lane, func(ctx context.Context, r ports.Repositories) error {
				_, err := r.Messages().Update(ctx, "s1", m.ID, func(m *message.Outbound) error {
					m.Attempts++
					return nil
				})
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	return func() {
		t.Helper()
		wg.Wait()
		got, err := s.Messages().Get(ctx, "s1", m.ID)
		if err != nil || got.Attempts != n {
			t.Fatalf("attempts %d, %v; want %d: an update was lost", got.Attempts, err, n)
		}
	}
}
