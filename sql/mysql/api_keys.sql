-- name: CreateAPIKey :execrows
INSERT INTO api_keys (id, user_id, kind, name, prefix, hash, created_at, expires_at, revoked_at, last_used_at)
VALUES (sqlc.arg(id), sqlc.arg(user_id), sqlc.arg(kind), sqlc.arg(name), sqlc.arg(prefix), sqlc.arg(hash),
        sqlc.arg(created_at), sqlc.narg(expires_at), sqlc.narg(revoked_at), sqlc.narg(last_used_at));

-- name: GetAPIKeyByHash :one
SELECT * FROM api_keys WHERE hash = sqlc.arg(hash);

-- name: ListAPIKeysByUser :many
SELECT * FROM api_keys WHERE user_id = sqlc.arg(user_id) ORDER BY created_at, id;

-- Revoking twice keeps the first revocation time.
-- name: RevokeAPIKey :execrows
UPDATE api_keys SET revoked_at = COALESCE(revoked_at, sqlc.arg(revoked_at)) WHERE id = sqlc.arg(id);

-- A use never moves last_used_at back (concurrent requests record out of order).
-- name: TouchAPIKey :exec
UPDATE api_keys SET last_used_at = sqlc.arg(last_used_at)
WHERE id = sqlc.arg(id) AND (last_used_at IS NULL OR last_used_at < sqlc.arg(last_used_at));

-- name: DeleteEndedLoginKeys :exec
DELETE FROM api_keys
WHERE user_id = sqlc.arg(user_id) AND kind = 'login'
  AND (revoked_at IS NOT NULL OR expires_at <= sqlc.arg(now));
