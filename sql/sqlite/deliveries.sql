-- Create and Save take the same columns in the same order, so their generated
-- parameter structs convert into each other.

-- name: CreateDelivery :execrows
INSERT INTO webhook_deliveries (event_id, session_id, url, status, attempts, next_attempt_at,
                                last_error, last_status, created_at, updated_at, id)
VALUES (sqlc.arg(event_id), sqlc.arg(session_id), sqlc.arg(url), sqlc.arg(status), sqlc.arg(attempts),
        sqlc.arg(next_attempt_at), sqlc.arg(last_error), sqlc.arg(last_status), sqlc.arg(created_at),
        sqlc.arg(updated_at), sqlc.arg(id))
ON CONFLICT DO NOTHING;

-- name: SaveDelivery :execrows
UPDATE webhook_deliveries
SET event_id = sqlc.arg(event_id), session_id = sqlc.arg(session_id), url = sqlc.arg(url),
    status = sqlc.arg(status), attempts = sqlc.arg(attempts), next_attempt_at = sqlc.arg(next_attempt_at),
    last_error = sqlc.arg(last_error), last_status = sqlc.arg(last_status),
    created_at = sqlc.arg(created_at), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: GetDelivery :one
SELECT * FROM webhook_deliveries WHERE id = sqlc.arg(id);

-- name: ListDueDeliveries :many
SELECT * FROM webhook_deliveries
WHERE status = 'pending' AND next_attempt_at <= sqlc.arg(now)
ORDER BY next_attempt_at, id
LIMIT sqlc.arg(lim);

-- name: ListDeliveriesByEvent :many
SELECT * FROM webhook_deliveries WHERE event_id = sqlc.arg(event_id) ORDER BY created_at, id;
