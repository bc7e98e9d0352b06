-- Create, Put and Update take the same columns in the same order, so their generated
-- parameter structs convert into each other.

-- name: CreateSubscription :execrows
INSERT INTO webhook_subscriptions (session_id, url, secret, previous_secret, previous_until, events, mode,
                                   algorithm, enabled, failures, disabled_reason, created_at, updated_at, id)
VALUES (sqlc.arg(session_id), sqlc.arg(url), sqlc.arg(secret), sqlc.arg(previous_secret),
        sqlc.narg(previous_until), sqlc.arg(events), sqlc.arg(mode), sqlc.arg(algorithm), sqlc.arg(enabled),
        sqlc.arg(failures), sqlc.arg(disabled_reason), sqlc.arg(created_at), sqlc.arg(updated_at), sqlc.arg(id));

-- name: PutSubscription :exec
INSERT INTO webhook_subscriptions (session_id, url, secret, previous_secret, previous_until, events, mode,
                                   algorithm, enabled, failures, disabled_reason, created_at, updated_at, id)
VALUES (sqlc.arg(session_id), sqlc.arg(url), sqlc.arg(secret), sqlc.arg(previous_secret),
        sqlc.narg(previous_until), sqlc.arg(events), sqlc.arg(mode), sqlc.arg(algorithm), sqlc.arg(enabled),
        sqlc.arg(failures), sqlc.arg(disabled_reason), sqlc.arg(created_at), sqlc.arg(updated_at), sqlc.arg(id))
ON DUPLICATE KEY UPDATE
    session_id = VALUES(session_id), url = VALUES(url), secret = VALUES(secret),
    previous_secret = VALUES(previous_secret), previous_until = VALUES(previous_until),
    events = VALUES(events), mode = VALUES(mode), algorithm = VALUES(algorithm),
    enabled = VALUES(enabled), failures = VALUES(failures), disabled_reason = VALUES(disabled_reason),
    created_at = VALUES(created_at), updated_at = VALUES(updated_at);

-- name: UpdateSubscription :execrows
UPDATE webhook_subscriptions
SET session_id = sqlc.arg(session_id), url = sqlc.arg(url), secret = sqlc.arg(secret),
    previous_secret = sqlc.arg(previous_secret), previous_until = sqlc.narg(previous_until),
    events = sqlc.arg(events), mode = sqlc.arg(mode), algorithm = sqlc.arg(algorithm),
    enabled = sqlc.arg(enabled), failures = sqlc.arg(failures), disabled_reason = sqlc.arg(disabled_reason),
    created_at = sqlc.arg(created_at), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: GetSubscription :one
SELECT * FROM webhook_subscriptions WHERE id = sqlc.arg(id);

-- name: DeleteSubscription :execrows
DELETE FROM webhook_subscriptions WHERE id = sqlc.arg(id);

-- name: ListSubscriptionsBySession :many
SELECT * FROM webhook_subscriptions WHERE session_id = sqlc.arg(session_id) ORDER BY created_at, id;

-- name: GetSubscriptionForUpdate :one
SELECT * FROM webhook_subscriptions WHERE id = sqlc.arg(id) FOR UPDATE;
