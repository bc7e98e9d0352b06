-- Create and Update take the same columns in the same order, so their generated
-- parameter structs convert into each other.

-- name: CreateMessage :execrows
INSERT INTO messages (to_jid, kind, content, blob_key, status, fail_reason, fail_code, attempts,
                      created_at, updated_at, expires_at, session_id, id)
VALUES (sqlc.arg(to_jid), sqlc.arg(kind), sqlc.arg(content), sqlc.arg(blob_key), sqlc.arg(status), sqlc.arg(fail_reason), sqlc.arg(fail_code),
        sqlc.arg(attempts), sqlc.arg(created_at), sqlc.arg(updated_at), sqlc.arg(expires_at), sqlc.arg(session_id), sqlc.arg(id))
ON CONFLICT DO NOTHING;

-- name: CreateMessageWithEvent :one
-- A new message and the event announcing it in one statement, one round trip: the
-- event is stored only with a new message. It answers how many of each it stored.
WITH m AS (
    INSERT INTO messages (to_jid, kind, content, blob_key, status, fail_reason, fail_code, attempts,
                          created_at, updated_at, expires_at, session_id, id)
    VALUES (sqlc.arg(to_jid), sqlc.arg(kind), sqlc.arg(content), sqlc.arg(blob_key), sqlc.arg(status), sqlc.arg(fail_reason),
            sqlc.arg(fail_code), sqlc.arg(attempts), sqlc.arg(created_at), sqlc.arg(updated_at), sqlc.arg(expires_at),
            sqlc.arg(session_id), sqlc.arg(id))
    ON CONFLICT DO NOTHING
    RETURNING 1
), e AS (
    INSERT INTO events (id, type, session_id, occurred_at, payload)
    SELECT sqlc.arg(event_id), sqlc.arg(event_type), sqlc.arg(event_session_id), sqlc.arg(occurred_at), sqlc.arg(payload)::bytea
    FROM m
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM m) AS messages, (SELECT count(*) FROM e) AS events;

-- name: UpdateMessage :execrows
UPDATE messages
SET to_jid = sqlc.arg(to_jid), kind = sqlc.arg(kind), content = sqlc.arg(content), blob_key = sqlc.arg(blob_key), status = sqlc.arg(status),
    fail_reason = sqlc.arg(fail_reason), fail_code = sqlc.arg(fail_code), attempts = sqlc.arg(attempts), created_at = sqlc.arg(created_at),
    updated_at = sqlc.arg(updated_at), expires_at = sqlc.arg(expires_at)
WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: GetMessage :one
SELECT * FROM messages WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: ListQueuedMessages :many
SELECT * FROM messages
WHERE session_id = sqlc.arg(session_id) AND status = 'queued'
ORDER BY seq
LIMIT sqlc.arg(lim);

-- Queued messages of a session past their expiry, by the partial index of 00010.
-- name: ListExpiredQueuedMessages :many
SELECT * FROM messages
WHERE session_id = sqlc.arg(session_id) AND status = 'queued' AND expires_at IS NOT NULL AND expires_at <= sqlc.arg(now)
ORDER BY expires_at
LIMIT sqlc.arg(lim);

-- One index probe per session (a loose index scan on the partial index): DISTINCT
-- read every queued message, thousands at a time under load, on each wake-up of the
-- send queue.
-- name: SessionsWithQueuedMessages :many
WITH RECURSIVE queued(session_id) AS (
  SELECT (SELECT m.session_id FROM messages m WHERE m.status = 'queued' ORDER BY m.session_id LIMIT 1)
  UNION ALL
  SELECT (SELECT m.session_id FROM messages m WHERE m.status = 'queued' AND m.session_id > q.session_id ORDER BY m.session_id LIMIT 1)
  FROM queued q WHERE q.session_id IS NOT NULL
)
SELECT CAST(session_id AS TEXT) AS session_id FROM queued WHERE session_id IS NOT NULL;

-- name: GetMessageForUpdate :one
SELECT * FROM messages WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id) FOR UPDATE;

-- A blob is spent when no message that still has it is queued or changed since
-- before. Every message of a key is marked deleted together, so the subquery may
-- skip deleted rows (and use the partial index).
-- name: ListSpentMessageBlobs :many
SELECT DISTINCT m.blob_key FROM messages m
WHERE m.blob_key <> '' AND NOT m.blob_deleted
  AND NOT EXISTS (SELECT 1 FROM messages q
                  WHERE q.blob_key = m.blob_key AND q.blob_key <> '' AND NOT q.blob_deleted
                    AND (q.status = 'queued' OR q.updated_at >= sqlc.arg(before)))
ORDER BY m.blob_key
LIMIT sqlc.arg(lim);

-- name: MarkMessageBlobDeleted :exec
UPDATE messages SET blob_deleted = TRUE WHERE blob_key = sqlc.arg(blob_key) AND blob_key <> '';

-- The blobs of a session's messages still on disk, for deleting them with it.
-- name: ListSessionMessageBlobs :many
SELECT DISTINCT blob_key FROM messages
WHERE session_id = sqlc.arg(session_id) AND blob_key <> '' AND NOT blob_deleted
ORDER BY blob_key;
