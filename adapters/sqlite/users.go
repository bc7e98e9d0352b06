package sqlite

import (
	"context"
	"time"

	"github.com/warest-go/warest/adapters/sqlite/internal/db"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
)

type users struct{ r *repos }

func (u users) Create(ctx context.Context, user account.User) error {
	n, err := u.r.q.CreateUser(ctx, db.CreateUserParams{
		ID: user.ID, Username: user.Username, PasswordHash: user.PasswordHash, Role: string(user.Role),
		Registry: user.Registry, CreatedAt: toMillis(user.CreatedAt),
	})
	if err != nil {
		return wrap(err, "create user")
	}
	if n == 0 {
		return fault.Conflict("", "user %s, username %s or registry %s already exists", user.ID, user.Username, user.Registry)
	}
	return nil
}

func (u users) Get(ctx context.Context, id string) (account.User, error) {
	row, err := u.r.q.GetUser(ctx, id)
	if err != nil {
		return account.User{}, notFound(err, fault.ReasonUserNotFound, "user "+id)
	}
	return userToDomain(row), nil
}

func (u users) GetByUsername(ctx context.Context, username string) (account.User, error) {
	row, err := u.r.q.GetUserByUsername(ctx, username)
	if err != nil {
		return account.User{}, notFound(err, fault.ReasonUserNotFound, "user "+username)
	}
	return userToDomain(row), nil
}

func (u users) GetByRegistry(ctx context.Context, registry string) (account.User, error) {
	row, err := u.r.q.GetUserByRegistry(ctx, registry)
	if err != nil {
		return account.User{}, notFound(err, fault.ReasonUserNotFound, "user of registry "+registry)
	}
	return userToDomain(row), nil
}

func (u users) Update(ctx context.Context, user account.User) error {
	n, err := u.r.q.UpdateUser(ctx, db.UpdateUserParams{ID: user.ID, PasswordHash: user.PasswordHash, Role: string(user.Role)})
	if err != nil {
		return wrap(err, "update user")
	}
	if n == 0 {
		return fault.NotFound(fault.ReasonUserNotFound, "user %s not found", user.ID)
	}
	return nil
}

func (u users) List(ctx context.Context) ([]account.User, error) {
	rows, err := u.r.q.ListUsers(ctx)
	if err != nil {
		return nil, wrap(err, "list users")
	}
	out := make([]account.User, 0, len(rows))
	for _, row := range rows {
		out = append(out, userToDomain(row))
	}
	return out, nil
}

func userToDomain(row db.User) account.User {
	return account.User{ID: row.ID, Username: row.Username, PasswordHash: row.PasswordHash,
		Role: account.Role(row.Role), Registry: row.Registry, CreatedAt: fromMillis(row.CreatedAt)}
}

type apiKeys struct{ r *repos }

func (k apiKeys) Create(ctx context.Context, key account.APIKey) error {
	n, err := k.r.q.CreateAPIKey(ctx, db.CreateAPIKeyParams{
		ID: key.ID, UserID: key.UserID, Name: key.Name, Prefix: key.Prefix, Hash: key.Hash,
		CreatedAt: toMillis(key.CreatedAt), RevokedAt: toNullMillis(key.RevokedAt), LastUsedAt: toNullMillis(key.LastUsedAt),
	})
	if isForeignKeyViolation(err) {
		return fault.NotFound(fault.ReasonUserNotFound, "user %s not found", key.UserID)
	}
	if err != nil {
		return wrap(err, "create api key")
	}
	if n == 0 {
		return fault.Conflict("", "api key %s already exists", key.ID)
	}
	return nil
}

func (k apiKeys) GetByHash(ctx context.Context, hash string) (account.APIKey, error) {
	row, err := k.r.q.GetAPIKeyByHash(ctx, hash)
	if err != nil {
		return account.APIKey{}, notFound(err, "", "api key")
	}
	return apiKeyToDomain(row), nil
}

func (k apiKeys) ListByUser(ctx context.Context, userID string) ([]account.APIKey, error) {
	rows, err := k.r.q.ListAPIKeysByUser(ctx, userID)
	if err != nil {
		return nil, wrap(err, "list api keys")
	}
	out := make([]account.APIKey, 0, len(rows))
	for _, row := range rows {
		out = append(out, apiKeyToDomain(row))
	}
	return out, nil
}

func (k apiKeys) Revoke(ctx context.Context, id string, at time.Time) error {
	n, err := k.r.q.RevokeAPIKey(ctx, db.RevokeAPIKeyParams{ID: id, RevokedAt: toNullMillis(&at)})
	if err != nil {
		return wrap(err, "revoke api key")
	}
	if n == 0 {
		return fault.NotFound("", "api key %s not found", id)
	}
	return nil
}

func apiKeyToDomain(row db.ApiKey) account.APIKey {
	return account.APIKey{ID: row.ID, UserID: row.UserID, Name: row.Name, Prefix: row.Prefix, Hash: row.Hash,
		CreatedAt: fromMillis(row.CreatedAt), RevokedAt: fromNullMillis(row.RevokedAt), LastUsedAt: fromNullMillis(row.LastUsedAt)}
}
