-- name: HitCounter :one
-- One counter's hit: a hit in the row's window adds one, a hit in a newer window
-- restarts it. A statement per counter: in process, running one costs less than
-- decoding a JSON list of them.
INSERT INTO limiter_counters (key, window_start, count, expires_at)
VALUES (sqlc.arg(key), sqlc.arg(window_start), 1, sqlc.arg(expires_at))
ON CONFLICT (key) DO UPDATE
SET count        = CASE WHEN limiter_counters.window_start = excluded.window_start THEN limiter_counters.count + 1 ELSE 1 END,
    window_start = excluded.window_start,
    expires_at   = excluded.expires_at
RETURNING count;

-- name: TouchCooldown :exec
INSERT INTO recipient_cooldowns (session_id, recipient, last_sent_at)
VALUES (sqlc.arg(session_id), sqlc.arg(recipient), sqlc.arg(last_sent_at))
ON CONFLICT (session_id, recipient) DO UPDATE
SET last_sent_at = MAX(recipient_cooldowns.last_sent_at, excluded.last_sent_at);

-- name: GetCooldown :one
SELECT last_sent_at FROM recipient_cooldowns WHERE session_id = sqlc.arg(session_id) AND recipient = sqlc.arg(recipient);

-- name: ClaimIdempotencyKey :execrows
-- Inserts, or replaces an expired record; a live record is left alone (0 rows).
INSERT INTO idempotency_keys (scope, key, hash, session_id, message_ids, created_at, expires_at)
VALUES (sqlc.arg(scope), sqlc.arg(key), sqlc.arg(hash), sqlc.arg(session_id), sqlc.arg(message_ids), sqlc.arg(created_at), sqlc.arg(expires_at))
ON CONFLICT (scope, key) DO UPDATE
SET hash = excluded.hash, session_id = excluded.session_id, message_ids = excluded.message_ids,
    created_at = excluded.created_at, expires_at = excluded.expires_at
WHERE idempotency_keys.expires_at <= excluded.created_at;

-- name: GetIdempotencyKey :one
SELECT * FROM idempotency_keys WHERE scope = sqlc.arg(scope) AND key = sqlc.arg(key);
