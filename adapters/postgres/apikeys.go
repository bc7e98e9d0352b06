package postgres

import (
	"context"
	"time"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
)

type apiKeys struct{ r *repos }

func (k apiKeys) Create(ctx context.Context, key account.APIKey) error {
	n, err := k.r.q.CreateAPIKey(ctx, db.CreateAPIKeyParams{
		ID: key.ID, UserID: key.UserID, Kind: string(key.Kind), Name: key.Name, Prefix: key.Prefix, Hash: key.Hash,
		CreatedAt: key.CreatedAt, ExpiresAt: key.ExpiresAt, RevokedAt: key.RevokedAt, LastUsedAt: key.LastUsedAt,
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
	n, err := k.r.q.RevokeAPIKey(ctx, db.RevokeAPIKeyParams{ID: id, RevokedAt: &at})
	if err != nil {
		return wrap(err, "revoke api key")
	}
	if n == 0 {
		return fault.NotFound("", "api key %s not found", id)
	}
	return nil
}

func (k apiKeys) Touch(ctx context.Context, id string, at time.Time) error {
	return wrapIf(k.r.q.TouchAPIKey(ctx, db.TouchAPIKeyParams{ID: id, LastUsedAt: &at}), "record api key use")
}

func (k apiKeys) DeleteEndedLogins(ctx context.Context, userID string, now time.Time) error {
	return wrapIf(k.r.q.DeleteEndedLoginKeys(ctx, db.DeleteEndedLoginKeysParams{UserID: userID, Now: &now}), "delete ended logins")
}

func apiKeyToDomain(row db.ApiKey) account.APIKey {
	return account.APIKey{ID: row.ID, UserID: row.UserID, Kind: account.KeyKind(row.Kind), Name: row.Name, Prefix: row.Prefix,
		Hash: row.Hash, CreatedAt: toUTC(row.CreatedAt), ExpiresAt: toUTCPtr(row.ExpiresAt), RevokedAt: toUTCPtr(row.RevokedAt),
		LastUsedAt: toUTCPtr(row.LastUsedAt)}
}
