-- name: AppendEvent :one
INSERT INTO events (id, type, session_id, occurred_at, payload)
VALUES (sqlc.arg(id), sqlc.arg(type), sqlc.arg(session_id), sqlc.arg(occurred_at), sqlc.arg(payload))
ON CONFLICT DO NOTHING
RETURNING seq;

-- name: GetEvent :one
SELECT * FROM events WHERE id = sqlc.arg(id);

-- name: ListEventsByID :many
-- ids is a JSON array: one statement text whatever their number, so it is prepared once.
SELECT * FROM events WHERE id IN (SELECT value FROM json_each(CAST(sqlc.arg(ids) AS TEXT)));

-- name: ListEventsAfter :many
-- Replay pages by position, which only published rows have (older unpublished rows
-- may hold a floor from the migration, hence the published_at test).
SELECT * FROM events
WHERE position > CAST(sqlc.arg(after) AS INTEGER) AND published_at IS NOT NULL
ORDER BY position LIMIT sqlc.arg(lim);

-- name: ListUnpublishedEvents :many
SELECT * FROM events WHERE published_at IS NULL ORDER BY seq LIMIT sqlc.arg(lim);

-- name: LastEventPosition :one
SELECT CAST(coalesce(max(position), 0) AS BIGINT) FROM events;

-- name: PublishEvents :execrows
-- ids is a JSON array; the i-th id (from 0) takes position after + i + 1, if it is not
-- published yet.
UPDATE events SET published_at = sqlc.arg(published_at), position = CAST(sqlc.arg(after) AS INTEGER) + 1 +
    (SELECT t.key FROM json_each(CAST(sqlc.arg(ids) AS TEXT)) AS t WHERE t.value = events.id LIMIT 1)
WHERE id IN (SELECT value FROM json_each(CAST(sqlc.arg(ids) AS TEXT))) AND published_at IS NULL;

-- name: ListEventsAfterFor :many
-- session_ids is a JSON array: sqlc.slice would renumber the parameters after it.
SELECT * FROM events
WHERE position > CAST(sqlc.arg(after) AS INTEGER) AND published_at IS NOT NULL AND session_id IN (SELECT value FROM json_each(CAST(sqlc.arg(session_ids) AS TEXT)))
ORDER BY position LIMIT sqlc.arg(lim);
