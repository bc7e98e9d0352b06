-- Create and Save take the same columns in the same order, so their generated
-- parameter structs convert into each other.

-- name: CreateDelivery :execrows
INSERT INTO webhook_deliveries (event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
                                last_error, last_status, created_at, retry_from, updated_at, id)
VALUES (sqlc.arg(event_id), sqlc.arg(session_id), sqlc.arg(subscription_id), sqlc.arg(url), sqlc.arg(status),
        sqlc.arg(attempts), sqlc.arg(next_attempt_at), sqlc.arg(last_error), sqlc.arg(last_status),
        sqlc.arg(created_at), sqlc.arg(retry_from), sqlc.arg(updated_at), sqlc.arg(id))
ON CONFLICT DO NOTHING;

-- name: SaveDelivery :execrows
-- Saving ends the attempt, so it releases the claim.
UPDATE webhook_deliveries
SET event_id = sqlc.arg(event_id), session_id = sqlc.arg(session_id), subscription_id = sqlc.arg(subscription_id),
    url = sqlc.arg(url), status = sqlc.arg(status), attempts = sqlc.arg(attempts),
    next_attempt_at = sqlc.arg(next_attempt_at), last_error = sqlc.arg(last_error),
    last_status = sqlc.arg(last_status), created_at = sqlc.arg(created_at), retry_from = sqlc.arg(retry_from),
    updated_at = sqlc.arg(updated_at), locked_until = NULL
WHERE id = sqlc.arg(id);

-- name: GetDelivery :one
SELECT * FROM webhook_deliveries WHERE id = sqlc.arg(id);

-- name: ListDeliveriesByEvent :many
SELECT * FROM webhook_deliveries WHERE event_id = sqlc.arg(event_id) ORDER BY created_at, id;

-- name: ListClaimableDeliveries :many
-- Due, unleased pending deliveries that are the oldest pending one (by rowid, the
-- creation order) of their session, subscription and URL.
SELECT d.* FROM webhook_deliveries d
WHERE d.status = 'pending' AND d.next_attempt_at <= sqlc.arg(now)
  AND (d.locked_until IS NULL OR d.locked_until <= sqlc.arg(now))
  AND NOT EXISTS (
      SELECT 1 FROM webhook_deliveries o
      WHERE o.session_id = d.session_id AND o.subscription_id = d.subscription_id AND o.status = 'pending'
        AND o.url = d.url AND o.rowid < d.rowid)
ORDER BY d.rowid
LIMIT sqlc.arg(lim);

-- name: LeaseDeliveries :exec
UPDATE webhook_deliveries SET locked_until = sqlc.arg(locked_until) WHERE id IN (sqlc.slice(ids));

-- name: ListDeliveries :many
-- Unset filters arrive as match-all values: NULL session_ids, empty strings and the
-- widest time range. session_ids is a JSON array: sqlc.slice would renumber the
-- parameters after it.
SELECT * FROM webhook_deliveries
WHERE (CAST(sqlc.narg(session_ids) AS TEXT) IS NULL
       OR session_id IN (SELECT value FROM json_each(CAST(sqlc.narg(session_ids) AS TEXT))))
  AND (CAST(sqlc.arg(status) AS TEXT) = '' OR status = sqlc.arg(status))
  AND (CAST(sqlc.arg(event_id) AS TEXT) = '' OR event_id = sqlc.arg(event_id))
  AND (CAST(sqlc.arg(subscription_id) AS TEXT) = '' OR subscription_id = sqlc.arg(subscription_id))
  AND created_at >= sqlc.arg(created_from) AND created_at < sqlc.arg(created_to)
ORDER BY rowid DESC
LIMIT sqlc.arg(lim);
