-- The WhatsApp device each session is linked as.

-- name: GetSessionDevice :one
SELECT jid FROM wa_session_devices WHERE session_id = sqlc.arg(session_id);

-- name: PutSessionDevice :exec
INSERT INTO wa_session_devices (session_id, jid) VALUES (sqlc.arg(session_id), sqlc.arg(jid))
ON DUPLICATE KEY UPDATE jid = VALUES(jid);

-- name: DeleteSessionDevice :exec
DELETE FROM wa_session_devices WHERE session_id = sqlc.arg(session_id);
