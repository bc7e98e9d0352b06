-- name: ParkEvent :execrows
INSERT INTO parked_events (id, session_id, kind, payload, reason, parked_at)
VALUES (sqlc.arg(id), sqlc.arg(session_id), sqlc.arg(kind), sqlc.arg(payload), sqlc.arg(reason), sqlc.arg(parked_at));

-- name: ListParkedEvents :many
SELECT * FROM parked_events ORDER BY parked_at DESC, id DESC LIMIT ?;
