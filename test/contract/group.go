package contract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Group transactions (InGroupTx) may share one transaction among concurrent callers;
// each caller must still see exactly what a transaction of its own would give it.
var groupTests = []struct {
	name string
	run  func(t *testing.T, s ports.Store)
}{
	{"group/concurrent calls commit their writes and a failing call among them fails alone without a trace", groupFailsAlone},
	{"group/concurrent claims of one idempotency key in one lane claim it once", groupIdempotency},
	{"group/a panicking fn panics in its caller and leaves no trace", groupPanic},
	{"group/calls of every shape in one lane (no statement, a row read first, a list first) keep exactly their own writes", groupShapes},
	{"group/interleaved calls of every shape racing for one key each get their own results, one failing among them, and calls read-modify-writing in the lane lose nothing", groupMixed},
}

// Calls in several lanes; every third call fails after writing: by its own error, or by a statement the
// database refuses (a duplicate event id), which on PostgreSQL aborts the whole
// transaction unless only the call's part is rolled back.
func groupFailsAlone(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	const n = 30
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.InGroupTx(ctx, fmt.Sprint("lane", i%4), func(ctx context.Context, r ports.Repositories) error {
				if _, err := r.Events().Append(ctx, newEvent(i)); err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return errAbort
				case 2:
					_, err := r.Events().Append(ctx, newEvent(i)) // the same id again
					return err
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		switch i % 3 {
		case 0:
			if err != nil {
				t.Errorf("call %d: %v, want nil", i, err)
			}
		case 1:
			if !errors.Is(err, errAbort) {
				t.Errorf("call %d: %v, want its own error", i, err)
			}
		case 2:
			if !fault.Is(err, fault.KindConflict) {
				t.Errorf("call %d: %v, want a conflict", i, err)
			}
		}
	}
	for i := range n {
		_, err := s.Events().Get(ctx, newEvent(i).ID)
		if i%3 == 0 && err != nil {
			t.Errorf("event of call %d: %v, want committed", i, err)
		}
		if i%3 != 0 && !fault.Is(err, fault.KindNotFound) {
			t.Errorf("event of failed call %d: %v, want none", i, err)
		}
	}
}

func groupIdempotency(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := map[string]bool{} // a set: a fn may run again after the database aborted its group
	for i := range n {
		wg.Go(func() {
			id := string(rune('A' + i))
			err := s.InGroupTx(ctx, "caller", func(ctx context.Context, r ports.Repositories) error {
				_, ok, err := r.Idempotency().Claim(ctx, idemRecord("race", "h", at(0), id))
				if err == nil && ok {
					mu.Lock()
					won[id] = true
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("winners %v, want exactly one", won)
	}
	got, ok, err := s.Idempotency().Claim(ctx, idemRecord("race", "h", at(1), "Z"))
	if err != nil || ok || len(got.MessageIDs) != 1 || !won[got.MessageIDs[0]] {
		t.Fatalf("stored %+v, %v, %v; want the winner %v", got, ok, err, won)
	}
}

func groupPanic(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the fn's panic", p)
			}
		}()
		_ = s.InGroupTx(ctx, "lane", func(ctx context.Context, r ports.Repositories) error {
			if _, err := r.Events().Append(ctx, newEvent(1)); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if _, err := s.Events().Get(ctx, newEvent(1).ID); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("event of the panicking call: %v, want none", err)
	}
	must(t, s.InGroupTx(ctx, "lane", func(ctx context.Context, r ports.Repositories) error {
		_, err := r.Events().Append(ctx, newEvent(2))
		return err
	}))
	_, err := s.Events().Get(ctx, newEvent(2).ID)
	must(t, err)
}

// Calls of one lane, most of them grouped, in four shapes: a savepoint a dialect sends
// ahead of a call's first statement must hold whether that statement reads one row
// or a list, or never comes.
func groupShapes(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureSession(t, s, "s1")
	seed := newEvent(1000)
	if _, err := s.Events().Append(ctx, seed); err != nil {
		t.Fatal(err)
	}
	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.InGroupTx(ctx, "shapes", func(ctx context.Context, r ports.Repositories) error {
				switch i % 4 {
				case 0:
					return nil
				case 1:
					return errAbort
				case 2:
					if _, err := r.Events().Get(ctx, seed.ID); err != nil {
						return err
					}
				case 3:
					if list, err := r.Sessions().List(ctx, ""); err != nil || len(list) == 0 {
						return fmt.Errorf("sessions %v, %w", list, err)
					}
				}
				if _, err := r.Events().Append(ctx, newEvent(i)); err != nil {
					return err
				}
				if i%4 == 3 {
					return errAbort
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if fails := i%4 == 1 || i%4 == 3; fails != errors.Is(err, errAbort) || !fails && err != nil {
			t.Errorf("call %d: %v", i, err)
		}
		_, err := s.Events().Get(ctx, newEvent(i).ID)
		if i%4 == 2 && err != nil {
			t.Errorf("event of call %d: %v, want committed", i, err)
		}
		if i%4 == 3 && !fault.Is(err, fault.KindNotFound) {
			t.Errorf("event of failed call %d: %v, want none", i, err)
		}
	}
}
