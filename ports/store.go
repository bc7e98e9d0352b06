// Package ports declares the interfaces between the application and its adapters.
package ports

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
)

// Repositories is every repository of one store. Used inside InTx they all share
// the transaction; used directly each call commits on its own.
type Repositories interface {
	Sessions() SessionRepository
	Users() UserRepository
	APIKeys() APIKeyRepository
	Messages() MessageRepository
	Events() EventRepository
	Deliveries() DeliveryRepository
	Subscriptions() SubscriptionRepository
	Counters() CounterRepository
	Cooldowns() CooldownRepository
	Idempotency() IdempotencyRepository
	Inbound() InboundMessages
	Parked() ParkedEventRepository
	Leases() LeaseRepository
}

// Store is a database. InTx runs fn in one transaction, committed when fn returns nil;
// the repositories fn gets are valid only until it returns (a store may reuse them).
type Store interface {
	Repositories
	RelayLeadership
	InTx(ctx context.Context, fn func(r Repositories) error) error
	// InGroupTx is InTx for short, frequent transactions (send acceptances): fn may
	// share its transaction with concurrent callers' fns, so they commit together.
	// fn's error rolls back fn's writes only; a nil return means fn's writes are
	// committed. fn must use the ctx and r it gets and never call the Store; it may run
	// again (a database that aborted the shared transaction, or a group run together
	// in which a call failed), so it sets its results afresh each run. Calls of one
	// lane run one after another; calls that lock the same rows (a caller's counters
	// and idempotency keys, a session's messages) must name the same lane.
	InGroupTx(ctx context.Context, lane string, fn func(ctx context.Context, r Repositories) error) error
	// InterleavedGroupTx is InGroupTx for fns whose every check is one statement with
	// the write it guards (an idempotency claim, a counter hit), never a read and a
	// later write that depends on it (as Messages().Update is): where a store can, the
	// fns of a group run at once, their statements interleaved and sent together, each
	// seeing every statement run before it.
	InterleavedGroupTx(ctx context.Context, lane string, fn func(ctx context.Context, r Repositories) error) error
	// Ping checks the database is reachable; Dialect names it ("sqlite", "postgres", "mysql").
	Ping(ctx context.Context) error
	Dialect() string
}

// Errors: repositories return fault errors: KindNotFound for a missing row and
// KindConflict for a duplicate key. Update's fn may return an error to abort.
// A row that belongs to a missing session (an event, message, idempotency record or
// cooldown) or to a missing event (a delivery) is refused with KindNotFound.
// Deleting a session deletes everything that belongs to it.

// SessionRepository stores Session aggregates.
type SessionRepository interface {
	// Create answers KindConflict with ReasonSessionExists for an id that exists,
	// even in another case: ids are unique ignoring case. Every other method
	// matches the exact id.
	Create(ctx context.Context, s *session.Session) error
	Get(ctx context.Context, id string) (*session.Session, error)
	// Update reads, lets fn modify, and writes back in one transaction.
	Update(ctx context.Context, id string, fn func(*session.Session) error) (*session.Session, error)
	Delete(ctx context.Context, id string) error
	// List returns sessions of one owner, or of all owners when owner is "", by id.
	List(ctx context.Context, owner string) ([]*session.Session, error)
	// ListAutoStart returns sessions to resume at boot.
	ListAutoStart(ctx context.Context) ([]*session.Session, error)
}

// UserRepository stores accounts.
type UserRepository interface {
	Create(ctx context.Context, u account.User) error
	Get(ctx context.Context, id string) (account.User, error)
	// GetForUpdate is Get that, inside InTx, keeps other transactions calling it for
	// the same user waiting until this one ends, so a check of the user's caps and
	// the write it guards cannot interleave with another's.
	GetForUpdate(ctx context.Context, id string) (account.User, error)
	// GetByUsername matches ignoring case: usernames are unique ignoring case, and
	// Create answers KindConflict for one that differs from another only in case.
	GetByUsername(ctx context.Context, username string) (account.User, error)
	GetByRegistry(ctx context.Context, registry string) (account.User, error)
	// Update replaces password hash, role and limits of an existing user.
	Update(ctx context.Context, u account.User) error
	List(ctx context.Context) ([]account.User, error)
}

// APIKeyRepository stores hashed API keys.
type APIKeyRepository interface {
	Create(ctx context.Context, k account.APIKey) error
	// GetByHash finds a key by its SHA-256 hex, revoked or not.
	GetByHash(ctx context.Context, hash string) (account.APIKey, error)
	ListByUser(ctx context.Context, userID string) ([]account.APIKey, error)
	Revoke(ctx context.Context, id string, at time.Time) error
	// Touch records a use of key id at at in LastUsedAt; an older at never replaces
	// a newer one, and an unknown id is no error.
	Touch(ctx context.Context, id string, at time.Time) error
	// DeleteEndedLogins deletes userID's login keys that are revoked or expired at now.
	DeleteEndedLogins(ctx context.Context, userID string, now time.Time) error
}

// MessageRepository stores outbound messages; it is also the durable send queue.
type MessageRepository interface {
	// Create stores a new message and, with it, the events announcing it (its queued
	// status), in one round trip where the store can. A message or event id already
	// stored is a conflict; a session gone is not found.
	Create(ctx context.Context, m message.Outbound, announce ...event.Envelope) error
	Get(ctx context.Context, sessionID, id string) (message.Outbound, error)
	Update(ctx context.Context, sessionID, id string, fn func(*message.Outbound) error) (message.Outbound, error)
	// ListQueued returns queued messages of a session, oldest first.
	ListQueued(ctx context.Context, sessionID string, limit int) ([]message.Outbound, error)
	// ListExpired returns up to limit queued messages of a session whose ExpiresAt is
	// set and at or before now, soonest expiry first.
	ListExpired(ctx context.Context, sessionID string, now time.Time, limit int) ([]message.Outbound, error)
	// SessionsWithQueued lists session ids that have queued messages.
	SessionsWithQueued(ctx context.Context) ([]string, error)
	// ListSpentBlobs returns up to limit distinct blob keys (Content.BlobKey) not
	// marked deleted whose every message is final (none queued) and last updated
	// before before.
	ListSpentBlobs(ctx context.Context, before time.Time, limit int) ([]string, error)
	// MarkBlobDeleted records that key's blob is gone on every message carrying it,
	// so ListSpentBlobs no longer returns it.
	MarkBlobDeleted(ctx context.Context, key string) error
	// ListSessionBlobs returns the distinct blob keys of a session's messages not
	// marked deleted, so that deleting the session can delete its files.
	ListSessionBlobs(ctx context.Context, sessionID string) ([]string, error)
}

// EventRepository is the events table: outbox and replay log. Replay pages by the
// position MarkPublished assigns (Envelope.Seq), not by insertion order: concurrent
// transactions commit out of insertion order, so a cursor over it could pass an
// event that commits later.
type EventRepository interface {
	// Append stores e, unpublished and without a position (Seq stays 0). The
	// payload's bytes come back exactly as given, whatever they hold (NUL, invalid
	// UTF-8); a store that cannot take an event now fails with KindUnavailable.
	Append(ctx context.Context, e event.Envelope) (event.Envelope, error)
	Get(ctx context.Context, id string) (event.Envelope, error)
	// GetMany returns the stored events of ids, in no particular order; an id not
	// stored is left out.
	GetMany(ctx context.Context, ids []string) ([]event.Envelope, error)
	// ListAfter returns published events with Seq (position) > after, ascending, at
	// most limit.
	ListAfter(ctx context.Context, after int64, limit int) ([]event.Envelope, error)
	// ListAfterFor is ListAfter restricted to the given sessions (none: nothing).
	ListAfterFor(ctx context.Context, sessionIDs []string, after int64, limit int) ([]event.Envelope, error)
	// ListUnpublished returns events not yet relayed, in insertion order.
	ListUnpublished(ctx context.Context, limit int) ([]event.Envelope, error)
	// MarkPublished marks events published and gives them the next positions, in the
	// order of ids, after every position given so far. Only the relay leader (see
	// RelayLeadership) calls it, so positions become visible in order.
	MarkPublished(ctx context.Context, ids []string, at time.Time) error
}

// ParkedEventRepository keeps the dead letters of ingest (event.Parked).
type ParkedEventRepository interface {
	// Park stores p; an id already parked is a KindConflict error.
	Park(ctx context.Context, p event.Parked) error
	// List returns parked events, newest first, at most limit (<= 0: all).
	List(ctx context.Context, limit int) ([]event.Parked, error)
}

// RelayLeadership elects the one relay, among the nodes sharing a store, that
// publishes events and so assigns replay positions.
type RelayLeadership interface {
	// TryLeadRelay makes the caller the leader unless another holds the lead; ok
	// reports whether it did, and release gives the lead up. A leader whose process
	// or connection dies loses the lead.
	TryLeadRelay(ctx context.Context) (release func(), ok bool, err error)
}

// DeliveryRepository persists webhook deliveries and their schedule.
type DeliveryRepository interface {
	// Create stores d; a second delivery of the same event to the same subscription
	// is a KindConflict error, which callers treat as "already scheduled".
	Create(ctx context.Context, d webhook.Delivery) error
	// CreateMany stores ds in their order, at once (one statement for a batch where
	// the database allows); one already scheduled is skipped. A delivery whose event
	// is gone fails them all with KindNotFound, and none is stored.
	CreateMany(ctx context.Context, ds []webhook.Delivery) error
	Get(ctx context.Context, id string) (webhook.Delivery, error)
	// Save writes d back and releases its claim.
	Save(ctx context.Context, d webhook.Delivery) error
	// SaveMany saves ds at once (one statement for a batch where the database allows);
	// one of them gone fails them all with KindNotFound, and none is saved.
	SaveMany(ctx context.Context, ds []webhook.Delivery) error
	// ClaimDue leases pending deliveries whose NextAttemptAt <= now and that are not
	// leased by anyone else, until now+lease, so several nodes never attempt the same
	// delivery at once. The pending deliveries of a (session, subscription, URL) form
	// a line in creation order; a line is eligible while its oldest one is due and
	// unleased, and a claim takes up to perLine of its deliveries from there, stopping
	// at the first one not due or leased, so each receiver gets a session's events in
	// order. It claims up to lines lines, oldest first, and returns their deliveries
	// in creation order.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, lines, perLine int) ([]webhook.Delivery, error)
	ListByEvent(ctx context.Context, eventID string) ([]webhook.Delivery, error)
	// List returns deliveries matching f, newest first.
	List(ctx context.Context, f DeliveryFilter) ([]webhook.Delivery, error)
}

// DeliveryFilter selects deliveries; zero fields do not filter.
type DeliveryFilter struct {
	SessionIDs     []string // nil: every session
	Status         webhook.DeliveryStatus
	EventID        string
	SubscriptionID string
	CreatedFrom    time.Time // inclusive
	CreatedTo      time.Time // exclusive
	Limit          int
}

// SubscriptionRepository stores webhook subscriptions.
type SubscriptionRepository interface {
	Create(ctx context.Context, s webhook.Subscription) error
	Get(ctx context.Context, id string) (webhook.Subscription, error)
	Update(ctx context.Context, id string, fn func(*webhook.Subscription) error) (webhook.Subscription, error)
	// Put creates or replaces s (the primary subscription of a session's config).
	Put(ctx context.Context, s webhook.Subscription) error
	Delete(ctx context.Context, id string) error
	// ListBySession returns a session's subscriptions, oldest first.
	ListBySession(ctx context.Context, sessionID string) ([]webhook.Subscription, error)
}
