-- Create and Update take the same columns in the same order, so their generated
-- parameter structs convert into each other.

-- name: CreateMessage :execrows
INSERT INTO messages (to_jid, kind, content, status, fail_reason, attempts,
                      created_at, updated_at, session_id, id)
VALUES (sqlc.arg(to_jid), sqlc.arg(kind), sqlc.arg(content), sqlc.arg(status), sqlc.arg(fail_reason), sqlc.arg(attempts), sqlc.arg(created_at),
        sqlc.arg(updated_at), sqlc.arg(session_id), sqlc.arg(id))
ON CONFLICT DO NOTHING;

-- name: UpdateMessage :execrows
UPDATE messages
SET to_jid = sqlc.arg(to_jid), kind = sqlc.arg(kind), content = sqlc.arg(content), status = sqlc.arg(status), fail_reason = sqlc.arg(fail_reason),
    attempts = sqlc.arg(attempts), created_at = sqlc.arg(created_at), updated_at = sqlc.arg(updated_at)
WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: GetMessage :one
SELECT * FROM messages WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: ListQueuedMessages :many
SELECT * FROM messages
WHERE session_id = sqlc.arg(session_id) AND status = 'queued'
ORDER BY rowid
LIMIT sqlc.arg(lim);

-- name: SessionsWithQueuedMessages :many
SELECT DISTINCT session_id FROM messages WHERE status = 'queued' ORDER BY session_id;
