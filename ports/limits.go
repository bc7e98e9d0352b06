package ports

import (
	"context"
	"time"
)

// CounterRepository counts hits in fixed windows (rate limits and quotas). Hit is one
// atomic statement in SQL stores, so counts stay exact under concurrency and across
// nodes sharing a database.
type CounterRepository interface {
	// Hit adds one to key's counter for the window starting at window and returns the
	// count in that window, this hit included; a hit in a newer window restarts at 1.
	// expires tells the store when the row may be purged.
	Hit(ctx context.Context, key string, window, expires time.Time) (int64, error)
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
