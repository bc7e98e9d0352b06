package ports

import (
	"context"
	"time"
)

// CounterRepository counts hits in fixed windows (rate limits and quotas). Hit is one
// atomic statement in SQL stores (MySQL: one per hit), so counts stay exact under
// concurrency and across nodes sharing a database.
type CounterRepository interface {
	// Hit adds one to each hit's counter for the window starting at its Window and
	// returns the counts in those windows, in the hits' order, these hits included; a
	// hit in a newer window restarts at 1. The keys must differ.
	Hit(ctx context.Context, hits ...CounterHit) ([]int64, error)
}

// CounterHit is one hit of a counter. Expires tells the store when the row may be purged.
type CounterHit struct {
	Key             string
	Window, Expires time.Time
}

// CooldownRepository remembers when a session last sent successfully to a recipient.
type CooldownRepository interface {
	// Touch records a successful send at at; an older at never overwrites a newer one.
	Touch(ctx context.Context, sessionID, recipient string, at time.Time) error
	// Last returns the last successful send, zero when there was none.
	Last(ctx context.Context, sessionID, recipient string) (time.Time, error)
}

// IdempotencyRecord binds a client's Idempotency-Key to the messages its first
// request queued.
type IdempotencyRecord struct {
	Scope      string // the API key id (or another caller identity)
	Key        string
	Hash       string // fingerprint of the first request
	SessionID  string
	MessageIDs []string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// IdempotencyRepository stores idempotency keys. Used inside the transaction that
// queues the messages, so a key is bound if and only if its messages exist.
type IdempotencyRepository interface {
	// Claim stores rec unless a record of the same scope and key that has not expired
	// at rec.CreatedAt exists; then it returns that record and false.
	Claim(ctx context.Context, rec IdempotencyRecord) (IdempotencyRecord, bool, error)
}
