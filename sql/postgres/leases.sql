-- Session ownership across nodes (ports.LeaseRepository). Times come from the
-- caller's clock; a lease is live while expires_at > now.

-- name: HeartbeatNode :exec
INSERT INTO nodes (id, addr, started_at, seen_at)
VALUES (sqlc.arg(id), sqlc.arg(addr), sqlc.arg(started_at), sqlc.arg(seen_at))
ON CONFLICT (id) DO UPDATE SET addr = excluded.addr, seen_at = excluded.seen_at;

-- name: SetNodeDraining :execrows
UPDATE nodes SET draining = sqlc.arg(draining) WHERE id = sqlc.arg(id);

-- name: DeleteNode :exec
DELETE FROM nodes WHERE id = sqlc.arg(id);

-- name: DeleteNodesSeenBefore :exec
DELETE FROM nodes WHERE seen_at < sqlc.arg(seen_at);

-- name: ListLiveNodes :many
-- Nodes seen since seen_at, with the live leases each holds.
SELECT n.id, n.addr, n.started_at, n.seen_at, n.draining,
       (SELECT count(*) FROM session_leases l WHERE l.node_id = n.id AND l.expires_at > sqlc.arg(now)) AS sessions
FROM nodes n
WHERE n.seen_at >= sqlc.arg(seen_at)
ORDER BY n.id;

-- name: RenewLeases :many
-- One statement per interval: extends every live lease of the node and returns them.
UPDATE session_leases SET expires_at = sqlc.arg(expires_at)
WHERE node_id = sqlc.arg(node_id) AND expires_at > sqlc.arg(now)
RETURNING session_id, node_id, token, acquired_at, expires_at;

-- name: AcquireLease :one
-- Leases a session never leased, or takes over an expired or released lease with
-- the next token; a live lease stays as it is (no row). The row lock makes two
-- nodes racing for one session take turns: the second finds it live.
INSERT INTO session_leases (session_id, node_id, token, acquired_at, expires_at)
VALUES (sqlc.arg(session_id), sqlc.arg(node_id), 1, sqlc.arg(acquired_at), sqlc.arg(expires_at))
ON CONFLICT (session_id) DO UPDATE
SET node_id = excluded.node_id, token = session_leases.token + 1,
    acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
WHERE session_leases.expires_at <= excluded.acquired_at
RETURNING session_id, node_id, token, acquired_at, expires_at;

-- name: ReleaseLease :execrows
UPDATE session_leases SET expires_at = sqlc.arg(now)
WHERE session_id = sqlc.arg(session_id) AND node_id = sqlc.arg(node_id) AND expires_at > sqlc.arg(now);

-- name: ReleaseNodeLeases :exec
UPDATE session_leases SET expires_at = sqlc.arg(now)
WHERE node_id = sqlc.arg(node_id) AND expires_at > sqlc.arg(now);

-- name: ListLiveLeases :many
SELECT session_id, node_id, token, acquired_at, expires_at FROM session_leases
WHERE expires_at > sqlc.arg(now) ORDER BY node_id, session_id;

-- name: GetSessionOwner :one
SELECT l.session_id, l.node_id, n.addr, l.token, l.acquired_at, l.expires_at
FROM session_leases l JOIN nodes n ON n.id = l.node_id
WHERE l.session_id = sqlc.arg(session_id) AND l.expires_at > sqlc.arg(now);

-- name: ListUnleasedSessions :many
-- Auto-start sessions no live lease holds: the ones a node may claim.
SELECT s.id FROM sessions s
WHERE s.auto_start
  AND NOT EXISTS (SELECT 1 FROM session_leases l WHERE l.session_id = s.id AND l.expires_at > sqlc.arg(now))
ORDER BY s.id;

-- name: FenceToken :one
-- The fence check of a worker's transaction: the share lock keeps a takeover
-- (which updates the row) waiting until the transaction ends.
SELECT token FROM session_leases WHERE session_id = sqlc.arg(session_id) FOR SHARE;
