package store

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) APIKeys() ports.APIKeyRepository { return apiKeys{r} }

type apiKeys struct{ r *Repos }

func (k apiKeys) Create(ctx context.Context, key account.APIKey) error {
	n, err := k.r.Q.CreateAPIKey(ctx, APIKeyRow{
		ID: key.ID, UserID: key.UserID, Kind: string(key.Kind), Name: key.Name, Prefix: key.Prefix, Hash: key.Hash,
		CreatedAt: key.CreatedAt, ExpiresAt: key.ExpiresAt, RevokedAt: key.RevokedAt, LastUsedAt: key.LastUsedAt,
	})
	if k.r.D.ForeignKeyViolation(err) {
		return fault.NotFound(fault.ReasonUserNotFound, "user %s not found", key.UserID)
	}
	if err != nil {
		return k.r.D.Wrap(err, "create api key")
	}
	if n == 0 {
		return fault.Conflict("", "api key %s already exists", key.ID)
	}
	return nil
}

func (k apiKeys) GetByHash(ctx context.Context, hash string) (account.APIKey, error) {
	row, err := k.r.Q.GetAPIKeyByHash(ctx, hash)
	if err != nil {
		return account.APIKey{}, k.r.D.NotFound(err, "", "api key")
	}
	return apiKeyToDomain(row), nil
}

func (k apiKeys) ListByUser(ctx context.Context, userID string) ([]account.APIKey, error) {
	rows, err := k.r.Q.ListAPIKeysByUser(ctx, userID)
	if err != nil {
		return nil, k.r.D.Wrap(err, "list api keys")
	}
	out := make([]account.APIKey, 0, len(rows))
	for _, row := range rows {
		out = append(out, apiKeyToDomain(row))
	}
	return out, nil
}

func (k apiKeys) Revoke(ctx context.Context, id string, at time.Time) error {
	n, err := k.r.Q.RevokeAPIKey(ctx, APIKeyRow{ID: id, RevokedAt: &at})
	if err != nil {
		return k.r.D.Wrap(err, "revoke api key")
	}
	if n == 0 {
		return fault.NotFound("", "api key %s not found", id)
	}
	return nil
}

func (k apiKeys) Touch(ctx context.Context, id string, at time.Time) error {
	return k.r.D.Wrap(k.r.Q.TouchAPIKey(ctx, APIKeyRow{ID: id, LastUsedAt: &at}), "record api key use")
}

func (k apiKeys) DeleteEndedLogins(ctx context.Context, userID string, now time.Time) error {
	return k.r.D.Wrap(k.r.Q.DeleteEndedLoginKeys(ctx, LoginKeysArg{UserID: userID, Now: now}), "delete ended logins")
}

func apiKeyToDomain(row APIKeyRow) account.APIKey {
	return account.APIKey{ID: row.ID, UserID: row.UserID, Kind: account.KeyKind(row.Kind), Name: row.Name, Prefix: row.Prefix,
		Hash: row.Hash, CreatedAt: row.CreatedAt, ExpiresAt: row.ExpiresAt, RevokedAt: row.RevokedAt, LastUsedAt: row.LastUsedAt}
}
