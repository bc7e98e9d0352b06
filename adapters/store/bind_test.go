package store

import (
	"context"
	"database/sql"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeQueries stands for a dialect's sqlc code in SQLite's encodings: it returns what
// it was given, and a column the shared row does not read.
type fakeArg struct {
	ID         string
	At         int64
	Until      sql.NullInt64
	Name       sql.NullString
	Count      int32
	Payload    string
	SessionIds string
}

type fakeRow struct {
	ID      string
	At      int64
	Until   sql.NullInt64
	Name    sql.NullString
	Count   int32
	Payload string
	Extra   string
}

type fakeQueries struct{ got fakeArg }

func (q *fakeQueries) Put(_ context.Context, a fakeArg) (int64, error) { q.got = a; return 1, nil }
func (q *fakeQueries) List(context.Context, int32) ([]fakeRow, error) {
	a := q.got
	return []fakeRow{{ID: a.ID, At: a.At, Until: a.Until, Name: a.Name, Count: a.Count, Payload: a.Payload, Extra: "x"}}, nil
}

type sharedRow struct {
	ID      string
	At      time.Time
	Until   *time.Time
	Name    *string
	Count   int
	Payload []byte
}

type sharedArg struct {
	ID         string
	At         time.Time
	Until      *time.Time
	Name       *string
	Count      int
	Payload    []byte
	SessionIds []string
}

type sharedQueries struct {
	Put  func(context.Context, sharedArg) (int64, error)
	List func(context.Context, int64) ([]sharedRow, error)
}

func TestBindConvertsBothWays(t *testing.T) {
	t.Parallel()
	var q sharedQueries
	src := &fakeQueries{}
	if err := Bind(&q, src); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.FixedZone("x", 3600))
	name := "n"
	in := sharedRow{ID: "a", At: at, Name: &name, Count: 7, Payload: []byte("{}")}
	if _, err := q.Put(t.Context(), sharedArg{in.ID, in.At, in.Until, in.Name, in.Count, in.Payload, []string{"s1", "s2"}}); err != nil {
		t.Fatal(err)
	}
	want := fakeArg{ID: "a", At: at.UnixMilli(), Name: sql.NullString{String: "n", Valid: true}, Count: 7,
		Payload: "{}", SessionIds: `["s1","s2"]`}
	if src.got != want {
		t.Fatalf("dialect got %+v, want %+v", src.got, want)
	}
	rows, err := q.List(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	in.At = at.UTC()
	if len(rows) != 1 || !reflect.DeepEqual(rows[0], in) {
		t.Fatalf("rows = %+v, want [%+v]", rows, in)
	}
}

func TestBindRefusesWhatItCannotConvert(t *testing.T) {
	t.Parallel()
	var missing struct {
		Gone func(context.Context) error
	}
	if err := Bind(&missing, &fakeQueries{}); err == nil || !strings.Contains(err.Error(), "no method Gone") {
		t.Fatalf("missing method: got %v", err)
	}
	var unfilled struct {
		Put func(context.Context, struct{ ID string }) (int64, error)
	}
	if err := Bind(&unfilled, &fakeQueries{}); err == nil || !strings.Contains(err.Error(), "no field At") {
		t.Fatalf("unfilled parameter: got %v", err)
	}
	var wrongType struct {
		Put func(context.Context, struct{ ID bool }) (int64, error)
	}
	if err := Bind(&wrongType, &fakeQueries{}); err == nil || !strings.Contains(err.Error(), "no conversion from bool to string") {
		t.Fatalf("unconvertible parameter: got %v", err)
	}
}

// ctxQueries records the context its statement ran with.
type ctxQueries struct{ ctx context.Context }

func (q *ctxQueries) Put(ctx context.Context, _ fakeArg) (int64, error) { q.ctx = ctx; return 1, nil }

type ctxKey struct{}

// In a group transaction a statement ends with the group, not with its caller: a
// cancelled statement could end the transaction its neighbours share.
// Not parallel: it counts the goroutines.
func TestAGroupsStatementsRunOnTheGroupsContext(t *testing.T) {
	var q struct {
		Put func(context.Context, sharedArg) (int64, error)
	}
	src := &ctxQueries{}
	recv, err := bindTo(&q, reflect.ValueOf(src))
	if err != nil {
		t.Fatal(err)
	}
	caller, cancel := context.WithCancel(context.WithValue(t.Context(), ctxKey{}, "trace"))
	cancel()
	if _, err := q.Put(caller, sharedArg{}); err != nil || src.ctx.Err() == nil {
		t.Fatalf("outside a group: err %v, statement context %v; want the caller's, cancelled", err, src.ctx.Err())
	}
	group, end := context.WithTimeout(context.Background(), time.Minute)
	defer end()
	recv.group = group
	if _, err := q.Put(caller, sharedArg{}); err != nil {
		t.Fatal(err)
	}
	if src.ctx.Err() != nil || src.ctx.Value(ctxKey{}) != "trace" {
		t.Fatalf("in a group: statement context err %v, value %v; want the group's cancellation and the caller's values", src.ctx.Err(), src.ctx.Value(ctxKey{}))
	}
	if dl, ok := src.ctx.Deadline(); !ok || time.Until(dl) < 50*time.Second {
		t.Fatalf("statement deadline %v, %v: want the group's", dl, ok)
	}
	// A driver watches every statement's context with context.AfterFunc: on the
	// group's cancellation directly, with no goroutine of its own per statement.
	before := runtime.NumGoroutine()
	fired := make(chan struct{})
	stop := context.AfterFunc(src.ctx, func() { close(fired) })
	defer stop()
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("watching a statement's context started %d goroutines", n-before)
	}
	end()
	if src.ctx.Err() == nil {
		t.Fatal("the group ended, its statement's context did not")
	}
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("the group ended, a watch of its statement's context did not fire")
	}
}
