-- Session ownership (ports.LeaseRepository; see sql/postgres/leases.sql). MySQL has
-- no RETURNING: RenewLeases and AcquireLease in adapters/store/mysql/queries.go read
-- back what these change.

-- name: HeartbeatNode :exec
INSERT INTO nodes (id, addr, started_at, seen_at)
VALUES (sqlc.arg(id), sqlc.arg(addr), sqlc.arg(started_at), sqlc.arg(seen_at))
ON DUPLICATE KEY UPDATE addr = VALUES(addr), seen_at = VALUES(seen_at);

-- name: SetNodeDraining :execrows
UPDATE nodes SET draining = sqlc.arg(draining) WHERE id = sqlc.arg(id);

-- name: DeleteNode :exec
DELETE FROM nodes WHERE id = sqlc.arg(id);

-- name: DeleteNodesSeenBefore :exec
DELETE FROM nodes WHERE seen_at < sqlc.arg(seen_at);

-- name: ListLiveNodes :many
SELECT n.id, n.addr, n.started_at, n.seen_at, n.draining,
       (SELECT count(*) FROM session_leases l WHERE l.node_id = n.id AND l.expires_at > sqlc.arg(now)) AS sessions
FROM nodes n
WHERE n.seen_at >= sqlc.arg(seen_at)
ORDER BY n.id;

-- name: ExtendLeases :exec
UPDATE session_leases SET expires_at = sqlc.arg(expires_at)
WHERE node_id = sqlc.arg(node_id) AND expires_at > sqlc.arg(now);

-- name: ListNodeLeasesUntil :many
SELECT session_id, node_id, token, acquired_at, expires_at FROM session_leases
WHERE node_id = sqlc.arg(node_id) AND expires_at = sqlc.arg(expires_at);

-- name: InsertLease :execrows
INSERT INTO session_leases (session_id, node_id, token, acquired_at, expires_at)
VALUES (sqlc.arg(session_id), sqlc.arg(node_id), 1, sqlc.arg(acquired_at), sqlc.arg(expires_at));

-- name: TakeOverLease :execrows
UPDATE session_leases
SET node_id = sqlc.arg(node_id), token = token + 1, acquired_at = sqlc.arg(acquired_at), expires_at = sqlc.arg(expires_at)
WHERE session_id = sqlc.arg(session_id) AND expires_at <= sqlc.arg(acquired_at);

-- name: GetLease :one
SELECT session_id, node_id, token, acquired_at, expires_at FROM session_leases WHERE session_id = sqlc.arg(session_id);

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
SELECT s.id FROM sessions s
WHERE s.auto_start
  AND NOT EXISTS (SELECT 1 FROM session_leases l WHERE l.session_id = s.id AND l.expires_at > sqlc.arg(now))
ORDER BY s.id;

-- name: FenceToken :one
-- The fence check of a worker's transaction: the share lock (MariaDB's spelling)
-- keeps a takeover waiting until the transaction ends.
SELECT token FROM session_leases WHERE session_id = sqlc.arg(session_id) LOCK IN SHARE MODE;
