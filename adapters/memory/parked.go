package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
)

type parked repos

func (r parked) Park(_ context.Context, p event.Parked) error {
	return r.with(func(st *state) error {
		if slices.ContainsFunc(st.parked, func(q event.Parked) bool { return q.ID == p.ID }) {
			return fault.Conflict("", "parked event %s already exists", p.ID)
		}
		p.Payload = slices.Clone(p.Payload)
		st.parked = append(st.parked, p)
		return nil
	})
}

// List orders by time then id, newest first, as the SQL stores do.
func (r parked) List(_ context.Context, limit int) ([]event.Parked, error) {
	out := []event.Parked{}
	err := r.with(func(st *state) error {
		for _, p := range st.parked {
			p.Payload = slices.Clone(p.Payload)
			out = append(out, p)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b event.Parked) int {
		return cmp.Or(b.ParkedAt.Compare(a.ParkedAt), strings.Compare(b.ID, a.ID))
	})
	return limited(out, limit), err
}
