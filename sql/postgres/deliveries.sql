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
-- batch, stored in its order (seq); one already stored (same event and line) is skipped.
INSERT INTO webhook_deliveries (event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
                                last_error, last_status, created_at, retry_from, updated_at, id)
SELECT r->>'event_id', r->>'session_id', r->>'subscription_id', r->>'url', r->>'status', (r->>'attempts')::int,
       timestamptz 'epoch' + (r->>'next_attempt_at')::bigint * interval '1 microsecond',
       r->>'last_error', (r->>'last_status')::int,
       timestamptz 'epoch' + (r->>'created_at')::bigint * interval '1 microsecond',
       timestamptz 'epoch' + (r->>'retry_from')::bigint * interval '1 microsecond',
       timestamptz 'epoch' + (r->>'updated_at')::bigint * interval '1 microsecond', r->>'id'
FROM jsonb_array_elements(sqlc.arg(deliveries)::jsonb) WITH ORDINALITY AS t(r, n)
ORDER BY t.n
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

-- name: SaveDeliveries :execrows
-- SaveDelivery for a batch: deliveries is a JSON array as CreateDeliveries reads it.
-- PostgreSQL takes a set-returning function for 100 rows: the id = ANY(...) keeps the
-- primary key's lookups cheaper than a scan of every delivery to join them.
UPDATE webhook_deliveries d
SET event_id = r->>'event_id', session_id = r->>'session_id', subscription_id = r->>'subscription_id',
    url = r->>'url', status = r->>'status', attempts = (r->>'attempts')::int,
    next_attempt_at = timestamptz 'epoch' + (r->>'next_attempt_at')::bigint * interval '1 microsecond',
    last_error = r->>'last_error', last_status = (r->>'last_status')::int,
    created_at = timestamptz 'epoch' + (r->>'created_at')::bigint * interval '1 microsecond',
    retry_from = timestamptz 'epoch' + (r->>'retry_from')::bigint * interval '1 microsecond',
    updated_at = timestamptz 'epoch' + (r->>'updated_at')::bigint * interval '1 microsecond', locked_until = NULL
FROM jsonb_array_elements(sqlc.arg(deliveries)::jsonb) AS t(r)
WHERE d.id = r->>'id'
  AND d.id = ANY(ARRAY(SELECT e->>'id' FROM jsonb_array_elements(sqlc.arg(deliveries)::jsonb) AS e));

-- name: GetDelivery :one
SELECT * FROM webhook_deliveries WHERE id = sqlc.arg(id);

-- name: ListDeliveriesByEvent :many
SELECT * FROM webhook_deliveries WHERE event_id = sqlc.arg(event_id) ORDER BY created_at, id;

-- name: ClaimDueDeliveries :many
-- Leases the runs of up to lines lines, oldest head first. heads walks the pending
-- index one line at a time (a loose index scan); a line is claimable while its head
-- is due and unleased, and its run is its next per_line pending deliveries up to the
-- first one not due or leased. SKIP LOCKED passes over rows another claimer is
-- leasing right now, and a row it leased and committed meanwhile is re-checked after
-- locking (READ COMMITTED) and dropped, its locked_until now being in the future; kept
-- then cuts each run at its first such gap, so a run is always a line's next
-- deliveries in order.
WITH RECURSIVE heads AS (
    (SELECT session_id, subscription_id, url, seq, next_attempt_at, locked_until
     FROM webhook_deliveries
     WHERE status = 'pending'
     ORDER BY session_id, subscription_id, url, seq
     LIMIT 1)
    UNION ALL
    SELECT n.* FROM heads h CROSS JOIN LATERAL (
        SELECT d.session_id, d.subscription_id, d.url, d.seq, d.next_attempt_at, d.locked_until
        FROM webhook_deliveries d
        WHERE d.status = 'pending'
          AND (d.session_id, d.subscription_id, d.url) > (h.session_id, h.subscription_id, h.url)
        ORDER BY d.session_id, d.subscription_id, d.url, d.seq
        LIMIT 1) n
), lines AS (
    SELECT h.session_id, h.subscription_id, h.url, h.seq FROM heads h
    WHERE h.next_attempt_at <= sqlc.arg(now)::timestamptz AND (h.locked_until IS NULL OR h.locked_until <= sqlc.arg(now)::timestamptz)
    ORDER BY h.seq
    LIMIT sqlc.arg(lines)::int
), runs AS (
    SELECT r.id, r.seq, l.seq AS head, bool_and(r.free) OVER (PARTITION BY l.seq ORDER BY r.seq) AS free
    FROM lines l CROSS JOIN LATERAL (
        SELECT d.id, d.seq,
               d.next_attempt_at <= sqlc.arg(now)::timestamptz AND (d.locked_until IS NULL OR d.locked_until <= sqlc.arg(now)::timestamptz) AS free
        FROM webhook_deliveries d
        WHERE d.status = 'pending' AND d.session_id = l.session_id AND d.subscription_id = l.subscription_id
          AND d.url = l.url AND d.seq >= l.seq
        ORDER BY d.seq
        LIMIT sqlc.arg(per_line)::int) r
), locked AS MATERIALIZED (
    SELECT d.id FROM webhook_deliveries d JOIN runs r ON r.id = d.id
    WHERE r.free AND d.status = 'pending' AND d.next_attempt_at <= sqlc.arg(now)::timestamptz
      AND (d.locked_until IS NULL OR d.locked_until <= sqlc.arg(now)::timestamptz)
    FOR UPDATE OF d SKIP LOCKED
), kept AS (
    SELECT r.id FROM runs r
    WHERE r.free AND NOT EXISTS (
        SELECT 1 FROM runs g
        WHERE g.head = r.head AND g.seq <= r.seq AND g.id NOT IN (SELECT id FROM locked))
), claimed AS (
    UPDATE webhook_deliveries w SET locked_until = sqlc.arg(locked_until)::timestamptz
    FROM kept WHERE w.id = kept.id
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
