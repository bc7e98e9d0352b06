package query_test

import (
	"context"
	"github.com/warest-go/warest/test/appworld"
	"testing"
	"time"

	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// racingStore runs race once, between the access check of Events and its read of
// the log: the moment another user may take over a deleted session's id.
type racingStore struct {
	*appworld.SQLiteStore
	race func()
}

type racingEvents struct {
	ports.EventRepository
	s *racingStore
}

func (s *racingStore) Events() ports.EventRepository { return racingEvents{s.SQLiteStore.Events(), s} }

func (e racingEvents) ListAfterFor(ctx context.Context, ids []string, after int64, limit int) ([]event.Envelope, error) {
	if race := e.s.race; race != nil {
		e.s.race = nil
		race()
	}
	return e.EventRepository.ListAfterFor(ctx, ids, after, limit)
}

func publish(t *testing.T, s ports.Store, sessionID string) {
	t.Helper()
	e, err := event.New(event.SessionStatus, sessionID, time.Now(), appworld.Legacy(t, map[string]string{"id": sessionID}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Events().Append(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if err := s.Events().MarkPublished(context.Background(), []string{e.ID}, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// sariTakesB1 deletes budi's b1 and has sari create b1 and log an event for it.
func sariTakesB1(t *testing.T, f *fixture) func() {
	return func() {
		if err := f.store.Sessions().Delete(f.ctx, "b1"); err != nil {
			t.Fatal(err)
		}
		sess, err := session.New("b1", "SARISARISA", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Sessions().Create(f.ctx, sess); err != nil {
			t.Fatal(err)
		}
		publish(t, f.store, "b1")
	}
}

func TestEvents_ASessionIDTakenOverWhileReadingDoesNotLeak(t *testing.T) {
	t.Parallel()
	t.Run("requested session", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		s := &racingStore{SQLiteStore: f.store}
		s.race = sariTakesB1(t, f)
		_, err := query.New(s, nil, realClock{}).Events.Events(f.ctx, f.budi, []string{"b1"}, 0, 100)
		if !fault.Is(err, fault.KindForbidden) {
			t.Fatalf("budi's replay of b1, now sari's: %v, want forbidden", err)
		}
	})
	t.Run("every own session", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		publish(t, f.store, "b2")
		s := &racingStore{SQLiteStore: f.store}
		s.race = sariTakesB1(t, f)
		page, err := query.New(s, nil, realClock{}).Events.Events(f.ctx, f.budi, nil, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) != 1 || page.Events[0].SessionID != "b2" {
			t.Fatalf("budi sees %+v, want only b2's event", page.Events)
		}
		if page.Next != 2 { // past sari's event, so the next page does not read it again
			t.Fatalf("next %d, want 2", page.Next)
		}
	})
}
