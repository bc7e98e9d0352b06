-- name: AppendEvent :one
INSERT INTO events (id, type, session_id, occurred_at, payload)
VALUES (sqlc.arg(id), sqlc.arg(type), sqlc.arg(session_id), sqlc.arg(occurred_at), sqlc.arg(payload))
ON CONFLICT DO NOTHING
RETURNING seq;

-- name: GetEvent :one
SELECT * FROM events WHERE id = sqlc.arg(id);

-- name: ListEventsAfter :many
SELECT * FROM events WHERE seq > sqlc.arg(after) ORDER BY seq LIMIT sqlc.arg(lim);

-- name: ListUnpublishedEvents :many
SELECT * FROM events WHERE published_at IS NULL ORDER BY seq LIMIT sqlc.arg(lim);

-- name: MarkEventsPublished :exec
UPDATE events SET published_at = sqlc.arg(published_at)
WHERE published_at IS NULL AND id = ANY(sqlc.arg(ids)::text[]);

-- name: ListEventsAfterFor :many
SELECT * FROM events
WHERE seq > sqlc.arg(after) AND session_id = ANY(sqlc.arg(session_ids)::text[])
ORDER BY seq LIMIT sqlc.arg(lim);
