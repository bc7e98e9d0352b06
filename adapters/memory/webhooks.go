package memory

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// hooks is the state of subscriptions and of the delivery queue.
type hooks struct {
	subscriptions map[string]webhook.Subscription
	deliverySeq   map[string]int64     // creation order, as the SQL stores' seq and rowid
	leases        map[string]time.Time // delivery id -> claimed until
}

func (h hooks) clone() hooks {
	return hooks{subscriptions: maps.Clone(h.subscriptions), deliverySeq: maps.Clone(h.deliverySeq), leases: maps.Clone(h.leases)}
}

// ClaimDue mirrors the SQL stores: a line (session, subscription, URL) whose oldest
// pending delivery is due and unleased yields its deliveries up to the first one
// that is not, at most perLine of them.
func (r deliveries) ClaimDue(_ context.Context, now time.Time, lease time.Duration, lines, perLine int) ([]webhook.Delivery, error) {
	type line struct{ sessionID, subscriptionID, url string }
	out := []webhook.Delivery{}
	err := r.with(func(st *state) error {
		bySeq := func(a, b webhook.Delivery) int {
			return cmp.Compare(st.hooks.deliverySeq[a.ID], st.hooks.deliverySeq[b.ID])
		}
		pending := map[line][]webhook.Delivery{}
		for _, d := range st.deliveries {
			if d.Status == webhook.DeliveryPending {
				l := line{d.SessionID, d.SubscriptionID, d.URL}
				pending[l] = append(pending[l], d)
			}
		}
		var runs [][]webhook.Delivery
		for _, ds := range pending {
			slices.SortFunc(ds, bySeq)
			n := 0
			for n < len(ds) && n != perLine {
				if until, ok := st.hooks.leases[ds[n].ID]; (ok && until.After(now)) || ds[n].NextAttemptAt.After(now) {
					break
				}
				n++
			}
			if n > 0 {
				runs = append(runs, ds[:n])
			}
		}
		slices.SortFunc(runs, func(a, b []webhook.Delivery) int { return bySeq(a[0], b[0]) })
		for _, run := range limited(runs, lines) {
			out = append(out, run...)
		}
		slices.SortFunc(out, bySeq)
		for _, d := range out {
			st.hooks.leases[d.ID] = now.Add(lease)
		}
		return nil
	})
	return out, err
}

func (r deliveries) List(_ context.Context, f ports.DeliveryFilter) ([]webhook.Delivery, error) {
	out := []webhook.Delivery{}
	err := r.with(func(st *state) error {
		for _, d := range st.deliveries {
			if (f.SessionIDs == nil || slices.Contains(f.SessionIDs, d.SessionID)) &&
				(f.Status == "" || d.Status == f.Status) &&
				(f.EventID == "" || d.EventID == f.EventID) &&
				(f.SubscriptionID == "" || d.SubscriptionID == f.SubscriptionID) &&
				(f.CreatedFrom.IsZero() || !d.CreatedAt.Before(f.CreatedFrom)) &&
				(f.CreatedTo.IsZero() || d.CreatedAt.Before(f.CreatedTo)) {
				out = append(out, d)
			}
		}
		slices.SortFunc(out, func(a, b webhook.Delivery) int {
			return cmp.Compare(st.hooks.deliverySeq[b.ID], st.hooks.deliverySeq[a.ID])
		})
		return nil
	})
	return limited(out, f.Limit), err
}

func (r repos) Subscriptions() ports.SubscriptionRepository { return subscriptions(r) }

type subscriptions repos

// Create refuses subscriptions of unknown sessions, as the SQL stores' foreign key does.
func (r subscriptions) Create(_ context.Context, s webhook.Subscription) error {
	return r.with(func(st *state) error {
		if _, ok := st.sessions[s.SessionID]; !ok {
			return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", s.SessionID)
		}
		if _, ok := st.hooks.subscriptions[s.ID]; ok {
			return fault.Conflict("", "subscription %s already exists", s.ID)
		}
		st.hooks.subscriptions[s.ID] = subscriptionCopy(s)
		return nil
	})
}

func (r subscriptions) Get(_ context.Context, id string) (webhook.Subscription, error) {
	var out webhook.Subscription
	err := r.with(func(st *state) error {
		s, ok := st.hooks.subscriptions[id]
		if !ok {
			return fault.NotFound("", "subscription %s not found", id)
		}
		out = subscriptionCopy(s)
		return nil
	})
	return out, err
}

// Update writes back under id: fn may not move the subscription.
func (r subscriptions) Update(_ context.Context, id string, fn func(*webhook.Subscription) error) (webhook.Subscription, error) {
	var out webhook.Subscription
	err := r.with(func(st *state) error {
		s, ok := st.hooks.subscriptions[id]
		if !ok {
			return fault.NotFound("", "subscription %s not found", id)
		}
		s = subscriptionCopy(s)
		if err := fn(&s); err != nil {
			return err
		}
		s.ID = id
		st.hooks.subscriptions[id] = subscriptionCopy(s)
		out = s
		return nil
	})
	return out, err
}

func (r subscriptions) Put(_ context.Context, s webhook.Subscription) error {
	return r.with(func(st *state) error {
		if _, ok := st.sessions[s.SessionID]; !ok {
			return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", s.SessionID)
		}
		st.hooks.subscriptions[s.ID] = subscriptionCopy(s)
		return nil
	})
}

func (r subscriptions) Delete(_ context.Context, id string) error {
	return r.with(func(st *state) error {
		if _, ok := st.hooks.subscriptions[id]; !ok {
			return fault.NotFound("", "subscription %s not found", id)
		}
		delete(st.hooks.subscriptions, id)
		return nil
	})
}

func (r subscriptions) ListBySession(_ context.Context, sessionID string) ([]webhook.Subscription, error) {
	out := []webhook.Subscription{}
	err := r.with(func(st *state) error {
		for _, s := range st.hooks.subscriptions {
			if s.SessionID == sessionID {
				out = append(out, subscriptionCopy(s))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b webhook.Subscription) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

// subscriptionCopy detaches Events from the caller's slice; like the SQL stores it
// says nil for "all events".
func subscriptionCopy(s webhook.Subscription) webhook.Subscription {
	s.Events = slices.Clone(s.Events)
	if len(s.Events) == 0 {
		s.Events = nil
	}
	return s
}
