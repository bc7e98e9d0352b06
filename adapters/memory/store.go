// Package memory is an in-memory store for fast tests. One lock guards everything;
// InTx works on a copy of the state and swaps it in on success, so a failed fn
// leaves no trace.
package memory

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// Store implements ports.Store in memory. Secrets are kept as given: they never
// leave the process, so there is nothing to seal.
type Store struct {
	repos
	mu sync.Mutex
	st *state
}

var _ ports.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	s := &Store{st: &state{
		sessions:   map[string]session.Snapshot{},
		users:      map[string]account.User{},
		keys:       map[string]account.APIKey{},
		messages:   map[messageKey]message.Outbound{},
		messageSeq: map[messageKey]int64{},
		blobsGone:  map[string]bool{},
		deliveries: map[string]webhook.Delivery{},
		limits:     limits{counters: map[string]counter{}, cooldowns: map[cooldownKey]time.Time{}, idem: map[idemKey]ports.IdempotencyRecord{}},
		hooks:      hooks{subscriptions: map[string]webhook.Subscription{}, deliverySeq: map[string]int64{}, leases: map[string]time.Time{}},
		inbound:    newInboundState(),
	}}
	s.repos = repos{with: s.locked}
	return s
}

func (s *Store) locked(fn func(*state) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(s.st)
}

// InTx runs fn on a draft of the state under the store's lock and keeps the draft
// only when fn succeeds. fn must use r, not the Store, or it deadlocks.
func (s *Store) InTx(ctx context.Context, fn func(r ports.Repositories) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	draft := s.st.clone()
	if err := fn(repos{with: func(f func(*state) error) error { return f(draft) }}); err != nil {
		return err
	}
	s.st = draft
	return nil
}

// TryLeadRelay always leads: a memory store has one process.
func (s *Store) TryLeadRelay(context.Context) (func(), bool, error) { return func() {}, true, nil }

// Ping always succeeds.
func (s *Store) Ping(ctx context.Context) error { return ctx.Err() }

// Dialect is "memory".
func (s *Store) Dialect() string { return "memory" }

type messageKey struct{ sessionID, id string }

type storedEvent struct {
	env       event.Envelope
	published bool
}

// state holds values, never pointers shared with callers: everything is copied in and out
// (session snapshots copy their pointers themselves).
type state struct {
	sessions   map[string]session.Snapshot
	users      map[string]account.User
	keys       map[string]account.APIKey
	messages   map[messageKey]message.Outbound
	messageSeq map[messageKey]int64 // insertion order, the queue order
	blobsGone  map[string]bool      // blob keys the sweeper deleted (blobs.go)
	lastSeq    int64
	events     []storedEvent // insertion order
	// lastPosition is the last replay position given (an event's Seq once published).
	lastPosition int64
	deliveries   map[string]webhook.Delivery
	parked       []event.Parked // parked.go, oldest first
	limits       limits         // limits.go
	hooks        hooks          // webhooks.go
	inbound      inboundState   // inbound.go
}

func (st *state) clone() *state {
	return &state{
		sessions:     maps.Clone(st.sessions),
		users:        maps.Clone(st.users),
		keys:         maps.Clone(st.keys),
		messages:     maps.Clone(st.messages),
		messageSeq:   maps.Clone(st.messageSeq),
		blobsGone:    maps.Clone(st.blobsGone),
		lastSeq:      st.lastSeq,
		events:       slices.Clone(st.events),
		lastPosition: st.lastPosition,
		deliveries:   maps.Clone(st.deliveries),
		parked:       slices.Clone(st.parked),
		limits:       st.limits.clone(),
		hooks:        st.hooks.clone(),
		inbound:      st.inbound.clone(),
	}
}

// repos implements ports.Repositories over with, which runs fn on the live state
// under the lock, or on a transaction's draft.
type repos struct {
	with func(fn func(*state) error) error
}

func (r repos) Sessions() ports.SessionRepository    { return sessions(r) }
func (r repos) Users() ports.UserRepository          { return users(r) }
func (r repos) APIKeys() ports.APIKeyRepository      { return apiKeys(r) }
func (r repos) Messages() ports.MessageRepository    { return messages(r) }
func (r repos) Events() ports.EventRepository        { return events(r) }
func (r repos) Deliveries() ports.DeliveryRepository { return deliveries(r) }
func (r repos) Parked() ports.ParkedEventRepository  { return parked(r) }

// Limits, idempotency keys and received-message lookup (limits.go).
func (r repos) Counters() ports.CounterRepository        { return counters(r) }
func (r repos) Cooldowns() ports.CooldownRepository      { return cooldowns(r) }
func (r repos) Idempotency() ports.IdempotencyRepository { return idempotency(r) }
func (r repos) Inbound() ports.InboundMessages           { return inbound(r) }

// limited applies the ports' limit, where limit <= 0 means no limit.
func limited[T any](s []T, limit int) []T {
	if limit > 0 && len(s) > limit {
		return s[:limit]
	}
	return s
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
