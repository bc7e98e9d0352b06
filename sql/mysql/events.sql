-- name: InsertEvent :execresult
-- AppendEvent (adapters/store/mysql/queries.go) reads the seq from the result.
INSERT INTO events (id, type, session_id, occurred_at, payload)
VALUES (sqlc.arg(id), sqlc.arg(type), sqlc.arg(session_id), sqlc.arg(occurred_at), sqlc.arg(payload));

-- name: GetEvent :one
SELECT * FROM events WHERE id = sqlc.arg(id);

-- name: ListEventsByID :many
SELECT * FROM events WHERE id IN (sqlc.slice(ids));

-- name: ListEventsAfter :many
-- Replay pages by position, which only published rows have.
SELECT * FROM events
WHERE position > sqlc.arg(after) AND published_at IS NOT NULL
ORDER BY position LIMIT ?;

-- name: ListUnpublishedEvents :many
SELECT * FROM events WHERE published_at IS NULL ORDER BY seq LIMIT ?;

-- name: LastEventPosition :one
SELECT CAST(COALESCE(MAX(position), 0) AS SIGNED) FROM events;

-- name: PublishEvents :execrows
-- The i-th id (from 1) takes position after + i, if it is not published yet.
UPDATE events SET position = CAST(sqlc.arg(after) AS SIGNED) + FIELD(id, sqlc.slice(ids)), published_at = sqlc.arg(published_at)
WHERE id IN (sqlc.slice(ids)) AND published_at IS NULL;

-- name: ListEventsAfterFor :many
SELECT * FROM events
WHERE position > sqlc.arg(after) AND published_at IS NOT NULL AND session_id IN (sqlc.slice(session_ids))
ORDER BY position LIMIT ?;
