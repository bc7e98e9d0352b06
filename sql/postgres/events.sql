-- name: AppendEvent :one
INSERT INTO events (id, type, session_id, occurred_at, payload)
VALUES (sqlc.arg(id), sqlc.arg(type), sqlc.arg(session_id), sqlc.arg(occurred_at), sqlc.arg(payload))
ON CONFLICT DO NOTHING
RETURNING seq;

-- name: GetEvent :one
SELECT * FROM events WHERE id = sqlc.arg(id);

-- name: ListEventsByID :many
SELECT * FROM events WHERE id = ANY(sqlc.arg(ids)::text[]);

-- name: ListEventsAfter :many
-- Replay pages by position, which only published rows have (older unpublished rows
-- may hold a floor from the migration, hence the published_at test).
SELECT * FROM events
WHERE position > sqlc.arg(after)::bigint AND published_at IS NOT NULL
ORDER BY position LIMIT sqlc.arg(lim);

-- name: ListUnpublishedEvents :many
SELECT * FROM events WHERE published_at IS NULL ORDER BY seq LIMIT sqlc.arg(lim);

-- name: LastEventPosition :one
SELECT CAST(coalesce(max(position), 0) AS BIGINT) FROM events;

-- name: PublishEvents :execrows
-- The i-th id (from 1) takes position after + i, if it is not published yet.
UPDATE events SET position = sqlc.arg(after)::bigint + t.ord, published_at = sqlc.arg(published_at)
FROM unnest(sqlc.arg(ids)::text[]) WITH ORDINALITY AS t(id, ord)
WHERE events.id = t.id AND events.published_at IS NULL;

-- name: ListEventsAfterFor :many
SELECT * FROM events
WHERE position > sqlc.arg(after)::bigint AND published_at IS NOT NULL AND session_id = ANY(sqlc.arg(session_ids)::text[])
ORDER BY position LIMIT sqlc.arg(lim);
