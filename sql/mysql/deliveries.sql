-- Create and Save take the same columns in the same order, so their generated
-- parameter structs convert into each other.

-- name: CreateDelivery :execrows
INSERT INTO webhook_deliveries (event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
                                last_error, last_status, created_at, retry_from, updated_at, id)
VALUES (sqlc.arg(event_id), sqlc.arg(session_id), sqlc.arg(subscription_id), sqlc.arg(url), sqlc.arg(status),
        sqlc.arg(attempts), sqlc.arg(next_attempt_at), sqlc.arg(last_error), sqlc.arg(last_status),
        sqlc.arg(created_at), sqlc.arg(retry_from), sqlc.arg(updated_at), sqlc.arg(id));

-- name: CreateDeliveries :execrows
-- deliveries is a JSON array of deliveries, times in unix microseconds: one statement for a
-- batch, stored in its order (seq); one already stored (same event and line) is skipped.
-- (sqlc's MySQL parser knows neither JSON_TABLE nor a recursive CTE here: the rows are
-- taken by their index, 0 to 999; a DECIMAL of scale 6 divides exactly into seconds.)
INSERT INTO webhook_deliveries (event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
                                last_error, last_status, created_at, retry_from, updated_at, id)
SELECT JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].event_id'))),
       JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].session_id'))),
       JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].subscription_id'))),
       JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].url'))),
       JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].status'))),
       CAST(JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].attempts'))) AS SIGNED),
       FROM_UNIXTIME(CAST(JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].next_attempt_at'))) AS DECIMAL(26, 6)) / 1000000),
       JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].last_error'))),
       CAST(JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].last_status'))) AS SIGNED),
       FROM_UNIXTIME(CAST(JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].created_at'))) AS DECIMAL(26, 6)) / 1000000),
       FROM_UNIXTIME(CAST(JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].retry_from'))) AS DECIMAL(26, 6)) / 1000000),
       FROM_UNIXTIME(CAST(JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].updated_at'))) AS DECIMAL(26, 6)) / 1000000),
       JSON_UNQUOTE(JSON_EXTRACT(sqlc.arg(deliveries), CONCAT('$[', i.n, '].id')))
FROM (SELECT a.d + 10 * b.d + 100 * c.d AS n
      FROM (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
           UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS a,
           (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
           UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS b,
           (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
           UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS c) AS i
WHERE i.n < JSON_LENGTH(sqlc.arg(deliveries))
ORDER BY i.n
ON DUPLICATE KEY UPDATE id = webhook_deliveries.id;

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

-- The claim (ClaimDueDeliveries in adapters/store/mysql/claim.go) is these four.

-- name: ListClaimableLines :many
-- The lines (session, subscription, URL) whose head, their oldest pending delivery,
-- is due and unleased, oldest head first.
SELECT d.session_id, d.subscription_id, d.url, d.seq AS head
FROM webhook_deliveries d
JOIN (SELECT MIN(p.seq) AS head FROM webhook_deliveries p WHERE p.status = 'pending'
      GROUP BY p.session_id, p.subscription_id, p.url_hash) h ON d.seq = h.head
WHERE d.next_attempt_at <= sqlc.arg(now) AND (d.locked_until IS NULL OR d.locked_until <= sqlc.arg(free_at))
ORDER BY d.seq
LIMIT ?;

-- name: ListLineRun :many
-- A line's next pending deliveries from its head on, in creation order.
SELECT d.id, d.next_attempt_at, d.locked_until FROM webhook_deliveries d
WHERE d.status = 'pending' AND d.session_id = sqlc.arg(session_id) AND d.subscription_id = sqlc.arg(subscription_id)
  AND d.url_hash = UNHEX(SHA2(sqlc.arg(url), 256)) AND d.url = sqlc.arg(url) AND d.seq >= sqlc.arg(head)
ORDER BY d.seq
LIMIT ?;

-- name: LockDueDeliveries :many
-- Locks those of ids still pending, due and unleased, passing over rows another
-- claimer holds; the re-check reads the latest committed rows (a locking read).
SELECT id FROM webhook_deliveries
WHERE id IN (sqlc.slice(ids)) AND status = 'pending' AND next_attempt_at <= sqlc.arg(now)
  AND (locked_until IS NULL OR locked_until <= sqlc.arg(free_at))
FOR UPDATE SKIP LOCKED;

-- name: LeaseDeliveries :exec
UPDATE webhook_deliveries SET locked_until = sqlc.arg(locked_until) WHERE id IN (sqlc.slice(ids));

-- name: ListDeliveriesByID :many
SELECT * FROM webhook_deliveries WHERE id IN (sqlc.slice(ids)) ORDER BY seq;

-- name: ListDeliveries :many
-- NULL filter values match everything. session_ids is a JSON array (NULL: any
-- session); sqlc.slice cannot be NULL.
SELECT * FROM webhook_deliveries
WHERE (sqlc.narg(session_ids) IS NULL OR JSON_CONTAINS(sqlc.narg(session_ids), JSON_QUOTE(session_id)))
  AND (sqlc.narg(status) IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(event_id) IS NULL OR event_id = sqlc.narg(event_id))
  AND (sqlc.narg(subscription_id) IS NULL OR subscription_id = sqlc.narg(subscription_id))
  AND (sqlc.narg(created_from) IS NULL OR created_at >= sqlc.narg(created_from))
  AND (sqlc.narg(created_to) IS NULL OR created_at < sqlc.narg(created_to))
ORDER BY seq DESC
LIMIT ?;
