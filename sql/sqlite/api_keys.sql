-- name: CreateAPIKey :execrows
INSERT INTO api_keys (id, user_id, name, prefix, hash, created_at, revoked_at, last_used_at)
VALUES (sqlc.arg(id), sqlc.arg(user_id), sqlc.arg(name), sqlc.arg(prefix), sqlc.arg(hash), sqlc.arg(created_at),
        sqlc.narg(revoked_at), sqlc.narg(last_used_at))
ON CONFLICT DO NOTHING;

-- name: GetAPIKeyByHash :one
SELECT * FROM api_keys WHERE hash = sqlc.arg(hash);

-- name: ListAPIKeysByUser :many
SELECT * FROM api_keys WHERE user_id = sqlc.arg(user_id) ORDER BY created_at, id;

-- Revoking twice keeps the first revocation time.
-- name: RevokeAPIKey :execrows
UPDATE api_keys SET revoked_at = COALESCE(revoked_at, sqlc.arg(revoked_at)) WHERE id = sqlc.arg(id);
