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

-- name: ClaimDueDeliveries :many
-- Leases due, unleased pending deliveries that are the oldest pending one of their
-- session, subscription and URL. SKIP LOCKED passes over rows another claimer is
-- leasing right now; a row it leased and committed meanwhile is re-checked after
-- locking (READ COMMITTED) and dropped, its locked_until now being in the future.
WITH due AS (
    SELECT d.id FROM webhook_deliveries d
    WHERE d.status = 'pending' AND d.next_attempt_at <= sqlc.arg(now)
      AND (d.locked_until IS NULL OR d.locked_until <= sqlc.arg(now))
      AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries o
          WHERE o.session_id = d.session_id AND o.subscription_id = d.subscription_id AND o.status = 'pending'
            AND o.url = d.url AND o.seq < d.seq)
    ORDER BY d.seq
    LIMIT sqlc.arg(lim)
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE webhook_deliveries w SET locked_until = sqlc.arg(locked_until)::timestamptz
    FROM due WHERE w.id = due.id
    RETURNING w.*
)
SELECT * FROM claimed ORDER BY seq;

-- name: ListDeliveries :many
-- NULL filter values match everything.
SELECT * FROM webhook_deliveries
WHERE (sqlc.narg(session_ids)::text[] IS NULL OR session_id = ANY(sqlc.narg(session_ids)::text[]))
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
  AND (sqlc.narg(event_id)::text IS NULL OR event_id = sqlc.narg(event_id)::text)
  AND (sqlc.narg(subscription_id)::text IS NULL OR subscription_id = sqlc.narg(subscription_id)::text)
  AND (sqlc.narg(created_from)::timestamptz IS NULL OR created_at >= sqlc.narg(created_from)::timestamptz)
  AND (sqlc.narg(created_to)::timestamptz IS NULL OR created_at < sqlc.narg(created_to)::timestamptz)
ORDER BY seq DESC
LIMIT sqlc.arg(lim);
