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
