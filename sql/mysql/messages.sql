-- Create and Update take the same columns in the same order, so their generated
-- parameter structs convert into each other.

-- name: CreateMessage :execrows
INSERT INTO messages (to_jid, kind, content, blob_key, status, fail_reason, fail_code, attempts,
                      created_at, updated_at, expires_at, session_id, id)
VALUES (sqlc.arg(to_jid), sqlc.arg(kind), sqlc.arg(content), sqlc.arg(blob_key), sqlc.arg(status), sqlc.arg(fail_reason), sqlc.arg(fail_code),
        sqlc.arg(attempts), sqlc.arg(created_at), sqlc.arg(updated_at), sqlc.narg(expires_at), sqlc.arg(session_id), sqlc.arg(id));

-- name: UpdateMessage :execrows
UPDATE messages
SET to_jid = sqlc.arg(to_jid), kind = sqlc.arg(kind), content = sqlc.arg(content), blob_key = sqlc.arg(blob_key), status = sqlc.arg(status),
    fail_reason = sqlc.arg(fail_reason), fail_code = sqlc.arg(fail_code), attempts = sqlc.arg(attempts), created_at = sqlc.arg(created_at),
    updated_at = sqlc.arg(updated_at), expires_at = sqlc.narg(expires_at)
WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: GetMessage :one
SELECT * FROM messages WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: ListQueuedMessages :many
SELECT * FROM messages
WHERE session_id = sqlc.arg(session_id) AND status = 'queued'
ORDER BY seq
LIMIT ?;

-- name: ListExpiredQueuedMessages :many
SELECT * FROM messages
WHERE session_id = sqlc.arg(session_id) AND status = 'queued' AND expires_at IS NOT NULL AND expires_at <= sqlc.arg(now)
ORDER BY expires_at
LIMIT ?;

-- name: SessionsWithQueuedMessages :many
SELECT DISTINCT session_id FROM messages WHERE status = 'queued' ORDER BY session_id;

-- name: GetMessageForUpdate :one
SELECT * FROM messages WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id) FOR UPDATE;

-- A blob is spent when no message that still has it is queued or changed since
-- before. Every message of a key is marked deleted together.
-- name: ListSpentMessageBlobs :many
SELECT DISTINCT m.blob_key FROM messages m
WHERE m.blob_key <> '' AND NOT m.blob_deleted
  AND NOT EXISTS (SELECT 1 FROM messages q
                  WHERE q.blob_key = m.blob_key AND NOT q.blob_deleted
                    AND (q.status = 'queued' OR q.updated_at >= sqlc.arg(before)))
ORDER BY m.blob_key
LIMIT ?;

-- name: MarkMessageBlobDeleted :exec
UPDATE messages SET blob_deleted = TRUE WHERE blob_key = sqlc.arg(blob_key) AND blob_key <> '';

-- The blobs of a session's messages still on disk, for deleting them with it.
-- name: ListSessionMessageBlobs :many
SELECT DISTINCT blob_key FROM messages
WHERE session_id = sqlc.arg(session_id) AND blob_key <> '' AND NOT blob_deleted
ORDER BY blob_key;
