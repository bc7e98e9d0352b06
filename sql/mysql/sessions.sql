-- Create and Update take the same columns in the same order, so their generated
-- parameter structs convert into each other. Create fails on a duplicate id (in any
-- case); CreateSession in adapters/store/mysql/queries.go makes that 0 rows.

-- name: CreateSession :execrows
INSERT INTO sessions (owner, status, me_jid, me_lid, me_name, last_error, last_conn_at,
                      webhook_url, webhook_secret, auto_start, reject_calls, reject_call_message, history_days,
                      created_at, updated_at, id)
VALUES (sqlc.arg(owner), sqlc.arg(status), sqlc.narg(me_jid), sqlc.arg(me_lid), sqlc.arg(me_name),
        sqlc.arg(last_error), sqlc.narg(last_conn_at), sqlc.arg(webhook_url), sqlc.arg(webhook_secret),
        sqlc.arg(auto_start), sqlc.arg(reject_calls), sqlc.arg(reject_call_message), sqlc.arg(history_days), sqlc.arg(created_at),
        sqlc.arg(updated_at), sqlc.arg(id));

-- name: UpdateSession :execrows
UPDATE sessions
SET owner = sqlc.arg(owner), status = sqlc.arg(status), me_jid = sqlc.narg(me_jid),
    me_lid = sqlc.arg(me_lid), me_name = sqlc.arg(me_name), last_error = sqlc.arg(last_error),
    last_conn_at = sqlc.narg(last_conn_at), webhook_url = sqlc.arg(webhook_url),
    webhook_secret = sqlc.arg(webhook_secret), auto_start = sqlc.arg(auto_start),
    reject_calls = sqlc.arg(reject_calls), reject_call_message = sqlc.arg(reject_call_message), history_days = sqlc.arg(history_days),
    created_at = sqlc.arg(created_at), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: GetSession :one
SELECT * FROM sessions WHERE id = sqlc.arg(id);

-- name: DeleteSession :execrows
DELETE FROM sessions WHERE id = sqlc.arg(id);

-- name: ListSessions :many
SELECT * FROM sessions ORDER BY id;

-- name: ListSessionsByOwner :many
SELECT * FROM sessions WHERE owner = sqlc.arg(owner) ORDER BY id;

-- name: ListAutoStartSessions :many
SELECT * FROM sessions WHERE auto_start ORDER BY id;

-- name: GetSessionForUpdate :one
SELECT * FROM sessions WHERE id = sqlc.arg(id) FOR UPDATE;
