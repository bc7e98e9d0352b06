-- Create and Save take the same columns in the same order, so their generated
-- parameter structs convert into each other.

-- name: CreateDelivery :execrows
INSERT INTO webhook_deliveries (event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
                                last_error, last_status, created_at, retry_from, updated_at, id)
VALUES (sqlc.arg(event_id), sqlc.arg(session_id), sqlc.arg(subscription_id), sqlc.arg(url), sqlc.arg(status),
        sqlc.arg(attempts), sqlc.arg(next_attempt_at), sqlc.arg(last_error), sqlc.arg(last_status),
        sqlc.arg(created_at), sqlc.arg(retry_from), sqlc.arg(updated_at), sqlc.arg(id))
ON CONFLICT DO NOTHING;

-- name: CreateDeliveries :execrows
-- deliveries is a JSON array of deliveries, times in unix microseconds: one statement for a
-- batch, stored in its order (rowid); one already stored (same event and line) is skipped.
INSERT INTO webhook_deliveries (event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
                                last_error, last_status, created_at, retry_from, updated_at, id)
SELECT json_extract(r.value, '$.event_id'), json_extract(r.value, '$.session_id'),
       json_extract(r.value, '$.subscription_id'), json_extract(r.value, '$.url'), json_extract(r.value, '$.status'),
       json_extract(r.value, '$.attempts'), json_extract(r.value, '$.next_attempt_at') / 1000,
       json_extract(r.value, '$.last_error'), json_extract(r.value, '$.last_status'),
       json_extract(r.value, '$.created_at') / 1000, json_extract(r.value, '$.retry_from') / 1000,
       json_extract(r.value, '$.updated_at') / 1000, json_extract(r.value, '$.id')
FROM json_each(CAST(sqlc.arg(deliveries) AS TEXT)) AS r
WHERE true -- the upsert after a SELECT needs a WHERE (SQLite's parser)
ORDER BY r.key
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

-- name: ListClaimableLines :many
-- The heads of up to lines lines that are due and unleased, oldest first. A line's
-- head is its oldest pending delivery (rowid is the creation order); heads walks the
-- pending index one line at a time (a loose index scan), probing for the next line
-- per key column: SQLite ranges an index by only the first column of a row value
-- compared with another table's.
WITH RECURSIVE heads AS (
    SELECT * FROM (
        SELECT f.session_id, f.subscription_id, f.url, f.rowid + 0 AS head
        FROM webhook_deliveries f INDEXED BY webhook_deliveries_pending_idx
        WHERE f.status = 'pending'
        ORDER BY f.session_id, f.subscription_id, f.url, f.rowid
        LIMIT 1)
    UNION ALL
    SELECT d.session_id, d.subscription_id, d.url, d.rowid + 0 AS head
    FROM heads h JOIN webhook_deliveries d ON d.rowid = COALESCE(
        (SELECT n.rowid FROM webhook_deliveries n INDEXED BY webhook_deliveries_pending_idx
         WHERE n.status = 'pending' AND n.session_id = h.session_id AND n.subscription_id = h.subscription_id
           AND n.url > h.url
         ORDER BY n.url, n.rowid
         LIMIT 1),
        (SELECT n.rowid FROM webhook_deliveries n INDEXED BY webhook_deliveries_pending_idx
         WHERE n.status = 'pending' AND n.session_id = h.session_id AND n.subscription_id > h.subscription_id
         ORDER BY n.subscription_id, n.url, n.rowid
         LIMIT 1),
        (SELECT n.rowid FROM webhook_deliveries n INDEXED BY webhook_deliveries_pending_idx
         WHERE n.status = 'pending' AND n.session_id > h.session_id
         ORDER BY n.session_id, n.subscription_id, n.url, n.rowid
         LIMIT 1))
)
SELECT h.session_id, h.subscription_id, h.url, CAST(h.head AS INTEGER) AS head
FROM heads h JOIN webhook_deliveries d ON d.rowid = h.head
WHERE d.next_attempt_at <= sqlc.arg(now) AND (d.locked_until IS NULL OR d.locked_until <= sqlc.arg(now))
ORDER BY h.head
LIMIT sqlc.arg(lines);

-- name: ListLineRun :many
-- A line's next pending deliveries from its head on, in creation order.
SELECT d.id, d.next_attempt_at, d.locked_until FROM webhook_deliveries d
WHERE d.status = 'pending' AND d.session_id = sqlc.arg(session_id) AND d.subscription_id = sqlc.arg(subscription_id)
  AND d.url = sqlc.arg(url) AND d.rowid >= CAST(sqlc.arg(head) AS INTEGER)
ORDER BY d.rowid
LIMIT sqlc.arg(lim);

-- name: LeaseDeliveries :exec
-- ids is a JSON array here and below: one statement text whatever their number, so
-- it is prepared once.
UPDATE webhook_deliveries SET locked_until = sqlc.arg(locked_until)
WHERE id IN (SELECT value FROM json_each(CAST(sqlc.arg(ids) AS TEXT)));

-- name: ListDeliveriesByID :many
SELECT * FROM webhook_deliveries WHERE id IN (SELECT value FROM json_each(CAST(sqlc.arg(ids) AS TEXT))) ORDER BY rowid;

-- name: ListDeliveries :many
-- NULL filter values match everything. session_ids is a JSON array: sqlc.slice would
-- renumber the parameters after it.
SELECT * FROM webhook_deliveries
WHERE (CAST(sqlc.narg(session_ids) AS TEXT) IS NULL
       OR session_id IN (SELECT value FROM json_each(CAST(sqlc.narg(session_ids) AS TEXT))))
  AND (CAST(sqlc.narg(status) AS TEXT) IS NULL OR status = sqlc.narg(status))
  AND (CAST(sqlc.narg(event_id) AS TEXT) IS NULL OR event_id = sqlc.narg(event_id))
  AND (CAST(sqlc.narg(subscription_id) AS TEXT) IS NULL OR subscription_id = sqlc.narg(subscription_id))
  AND (CAST(sqlc.narg(created_from) AS INTEGER) IS NULL OR created_at >= sqlc.narg(created_from))
  AND (CAST(sqlc.narg(created_to) AS INTEGER) IS NULL OR created_at < sqlc.narg(created_to))
ORDER BY rowid DESC
LIMIT sqlc.arg(lim);
