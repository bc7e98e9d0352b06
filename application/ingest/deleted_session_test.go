package ingest_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// logRecorder keeps every log record's level and message.
type logRecorder struct {
	mu      sync.Mutex
	records []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Level.String()+" "+r.Message)
	return nil
}

func (l *logRecorder) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.records...)
}

// vanishingStore deletes its session as Ingest starts writing for it, as a DELETE
// committed just before Ingest's write would.
type vanishingStore struct {
	ports.Store
	id string
}

func (v vanishingStore) vanish() { _ = v.Store.Sessions().Delete(context.Background(), v.id) }

func (v vanishingStore) InTx(ctx context.Context, fn func(ports.Repositories) error) error {
	v.vanish()
	return v.Store.InTx(ctx, fn)
}
func (v vanishingStore) InGroupTx(ctx context.Context, lane string, fn func(context.Context, ports.Repositories) error) error {
	v.vanish()
	return v.Store.InGroupTx(ctx, lane, fn)
}

func (v vanishingStore) Events() ports.EventRepository {
	v.vanish()
	return v.Store.Events()
}

// A transport event of a session deleted under Ingest's feet is dropped with a
// warning, not returned (the transport would redeliver it forever), and nothing of
// it is stored.
func TestIngest_EventOfASessionDeletedMeanwhileIsDroppedWithAWarning(t *testing.T) {
	t.Parallel()
	for _, e := range []ports.TransportEvent{
		ports.TransportMessage{Message: message.Inbound{ID: "3EB0LATE", SessionID: "alice", Chat: bobJID, Sender: bob,
			Content: message.TextContent("late"), Timestamp: t0}},
		ports.TransportUndecryptable{SessionID: "alice", Chat: bobJID, Sender: bob, ID: "3EB0BAD", At: t0},
	} {
		mem := appworld.NewStore(t)
		logs := &logRecorder{}
		in := ingest.NewIngest(vanishingStore{mem, "alice"}, appworld.FakeQR{}, appworld.FixedClock{T: tNow}, notify.NewHub(), slog.New(logs))
		sess, err := session.New("alice", "BUDIBUDIBU", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := mem.Sessions().Create(t.Context(), sess); err != nil {
			t.Fatal(err)
		}
		if err := in.Handle(t.Context(), e); err != nil {
			t.Fatalf("Handle(%T) = %v, want nil (dropped)", e, err)
		}
		if evs, _ := mem.Events().ListUnpublished(t.Context(), 0); len(evs) != 0 {
			t.Fatalf("%T: stored %+v", e, evs)
		}
		if got := strings.Join(logs.all(), "\n"); !strings.Contains(got, "WARN dropping a transport event of a session that does not exist") {
			t.Fatalf("%T: logs %q, want the warning", e, got)
		}
	}
}

// The relay may publish an event listed before its session was deleted: scheduling
// it finds the event gone and succeeds without a delivery, so the relay moves on.
func TestWebhooks_ScheduleOfAnEventDeletedWithItsSessionSucceedsWithoutDelivery(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{DefaultURL: "https://default.test/hook"})
	w.OpenSession(w.User, "alice", alicePhone, "")
	evs := w.Events("alice", "")
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	if _, err := w.Cmd.Teardown.DeleteSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if err := w.Hooks.Schedule(w.Ctx, e); err != nil {
			t.Fatalf("Schedule(%s) = %v, want nil", e.Type, err)
		}
		if ds, _ := w.Store.Deliveries().ListByEvent(w.Ctx, e.ID); len(ds) != 0 {
			t.Fatalf("delivery of a deleted event: %+v", ds)
		}
	}
	all, err := w.Store.Deliveries().List(w.Ctx, ports.DeliveryFilter{})
	if err != nil || len(all) != 0 {
		t.Fatalf("deliveries left: %+v, %v", all, err)
	}
}
