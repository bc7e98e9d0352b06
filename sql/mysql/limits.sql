-- name: HitCounter :execresult
-- One statement: a hit in the row's window adds one, a hit in a newer window restarts
-- it. MySQL has no RETURNING: an updated row hands its count back as LAST_INSERT_ID
-- (count is assigned before window_start changes); HitCounter in
-- adapters/store/mysql/queries.go reads it.
INSERT INTO limiter_counters (`key`, window_start, count, expires_at)
VALUES (sqlc.arg(key_value), sqlc.arg(window_start), 1, sqlc.arg(expires_at))
ON DUPLICATE KEY UPDATE
    count        = LAST_INSERT_ID(IF(window_start = VALUES(window_start), count + 1, 1)),
    window_start = VALUES(window_start),
    expires_at   = VALUES(expires_at);

-- name: TouchCooldown :exec
INSERT INTO recipient_cooldowns (session_id, recipient, last_sent_at)
VALUES (sqlc.arg(session_id), sqlc.arg(recipient), sqlc.arg(last_sent_at))
ON DUPLICATE KEY UPDATE last_sent_at = GREATEST(last_sent_at, VALUES(last_sent_at));

-- name: GetCooldown :one
SELECT last_sent_at FROM recipient_cooldowns WHERE session_id = sqlc.arg(session_id) AND recipient = sqlc.arg(recipient);

-- name: InsertIdempotencyKey :execrows
-- ClaimIdempotencyKey (adapters/store/mysql/queries.go): ReplaceExpiredIdempotencyKey,
-- then this when it replaced nothing.
INSERT INTO idempotency_keys (scope, `key`, hash, session_id, message_ids, created_at, expires_at)
VALUES (sqlc.arg(scope), sqlc.arg(key_value), sqlc.arg(hash), sqlc.arg(session_id), sqlc.arg(message_ids), sqlc.arg(created_at), sqlc.arg(expires_at));

-- name: ReplaceExpiredIdempotencyKey :execrows
-- Replaces an expired record; a live record is left alone (0 rows).
UPDATE idempotency_keys
SET hash = sqlc.arg(hash), session_id = sqlc.arg(session_id), message_ids = sqlc.arg(message_ids),
    created_at = sqlc.arg(created_at), expires_at = sqlc.arg(expires_at)
WHERE scope = sqlc.arg(scope) AND `key` = sqlc.arg(key_value) AND expires_at <= sqlc.arg(created_at);

-- name: GetIdempotencyKey :one
SELECT * FROM idempotency_keys WHERE scope = sqlc.arg(scope) AND `key` = sqlc.arg(key_value);
