package store

import (
	"context"
	"time"
)

// Queries is the statements the repositories run, as every dialect's sqlc code
// declares them (sql/<dialect>/*.sql, same names), over the shared row types below.
// Bind fills it from a dialect's *db.Queries.
type Queries struct {
	CreateUser        func(ctx context.Context, arg UserRow) (int64, error)
	GetUser           func(ctx context.Context, id string) (UserRow, error)
	GetUserForUpdate  func(ctx context.Context, id string) (UserRow, error)
	GetUserByUsername func(ctx context.Context, username string) (UserRow, error)
	GetUserByRegistry func(ctx context.Context, registry string) (UserRow, error)
	UpdateUser        func(ctx context.Context, arg UserRow) (int64, error)
	ListUsers         func(ctx context.Context) ([]UserRow, error)

	CreateAPIKey         func(ctx context.Context, arg APIKeyRow) (int64, error)
	GetAPIKeyByHash      func(ctx context.Context, hash string) (APIKeyRow, error)
	ListAPIKeysByUser    func(ctx context.Context, userID string) ([]APIKeyRow, error)
	RevokeAPIKey         func(ctx context.Context, arg APIKeyRow) (int64, error)
	TouchAPIKey          func(ctx context.Context, arg APIKeyRow) error
	DeleteEndedLoginKeys func(ctx context.Context, arg LoginKeysArg) error

	ParkEvent        func(ctx context.Context, arg ParkedRow) (int64, error)
	ListParkedEvents func(ctx context.Context, lim int64) ([]ParkedRow, error)

	HitCounter          func(ctx context.Context, arg CounterArg) (int64, error)
	TouchCooldown       func(ctx context.Context, arg CooldownArg) error
	GetCooldown         func(ctx context.Context, arg CooldownArg) (time.Time, error)
	ClaimIdempotencyKey func(ctx context.Context, arg IdempotencyRow) (int64, error)
	GetIdempotencyKey   func(ctx context.Context, arg IdempotencyRow) (IdempotencyRow, error)
}

// The row types hold every column a statement reads or writes; a statement's
// parameters are taken from them by name, so one type serves its table's statements.

type UserRow struct {
	ID, Username, PasswordHash, Role, Registry string
	MaxSessions, MaxStreams                    *int
	CreatedAt                                  time.Time
}

type APIKeyRow struct {
	ID, UserID, Kind, Name, Prefix, Hash string
	CreatedAt                            time.Time
	ExpiresAt, RevokedAt, LastUsedAt     *time.Time
}

type LoginKeysArg struct {
	UserID string
	Now    time.Time
}

type ParkedRow struct {
	ID, SessionID, Kind, Reason string
	Payload                     []byte
	ParkedAt                    time.Time
}

type CounterArg struct {
	Key                    string
	WindowStart, ExpiresAt time.Time
}

type CooldownArg struct {
	SessionID, Recipient string
	LastSentAt           time.Time
}

type IdempotencyRow struct {
	Scope, Key, Hash, SessionID, MessageIds string
	CreatedAt, ExpiresAt                    time.Time
}
