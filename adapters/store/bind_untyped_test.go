package store

import (
	"context"
	"testing"
)

// untypedQueries stands for sqlc code with a parameter it could not type (MySQL's
// boolean flags come out as interface{}).
type untypedQueries struct{ got any }

func (q *untypedQueries) Put(_ context.Context, a struct{ Flag any }) (int64, error) {
	q.got = a.Flag
	return 1, nil
}

func TestBindPassesValuesToUntypedParameters(t *testing.T) {
	t.Parallel()
	var q struct {
		Put func(context.Context, struct{ Flag bool }) (int64, error)
	}
	src := &untypedQueries{}
	if err := Bind(&q, src); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Put(t.Context(), struct{ Flag bool }{true}); err != nil {
		t.Fatal(err)
	}
	if src.got != true {
		t.Fatalf("the dialect got %#v, want true", src.got)
	}
}

// oneFieldQueries takes its one parameter in a struct, as sqlc does for a parameter
// a statement names several times (MySQL).
type oneFieldQueries struct{ got string }

func (q *oneFieldQueries) Put(_ context.Context, arg struct{ Rows string }) (int64, error) {
	q.got = arg.Rows
	return 1, nil
}

func TestBindPassesAValueToAOneFieldStruct(t *testing.T) {
	t.Parallel()
	var q struct {
		Put func(context.Context, string) (int64, error)
	}
	src := &oneFieldQueries{}
	if err := Bind(&q, src); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Put(t.Context(), `[{"id":"d1"}]`); err != nil || src.got != `[{"id":"d1"}]` {
		t.Fatalf("got %q, %v", src.got, err)
	}
}
